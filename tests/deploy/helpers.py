"""What the deployment tests share: where deploy/ is, a copy of the source tree, subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
# The odlm of the environment running the tests (the editable install), for tests
# that check a deployment file rather than the packaging.
DEV_ODLM = Path(sys.executable).with_name("odlm")


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """``command``'s outcome, its output as text; never raises on a non-zero exit."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def clean_environment(**extra: str) -> dict[str, str]:
    """The tests' environment without what would make a child find the source tree or
    the test venv instead of what it was given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP"}
    }
    env.update(extra)
    return env


def copy_source_tree(target: Path) -> Path:
    """The files git would ship from the work tree (tracked, and new ones not ignored)
    copied to ``target``: what a clean checkout holds, uncommitted edits included, with
    no build output, caches or venv of the work tree."""
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        # A tracked file deleted in the work tree is listed too; a clean copy lacks it.
        if not source.is_file():
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return target
