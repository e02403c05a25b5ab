"""Running `odlm` as a user at a terminal does: its standard streams on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ODLM = Path(sys.executable).with_name("odlm")


def on_a_terminal(
    argv: list[str], answer: str | None = None, cwd: Path | None = None
) -> tuple[int, str]:
    """Run ``odlm`` with a terminal for its standard streams; ``answer`` a question it asks."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    process = subprocess.Popen(
        [str(ODLM), *argv], stdin=follower, stdout=follower, stderr=follower, env=env, cwd=cwd
    )
    os.close(follower)
    seen, answered = b"", answer is None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/n]" in seen:
            os.write(leader, f"{answer}\n".encode())
            answered = True
        if process.poll() is not None and not ready:
            break
    status = process.wait(timeout=60)
    os.close(leader)
    return status, seen.decode(errors="replace").replace("\r\n", "\n")
