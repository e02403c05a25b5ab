"""The week with an absence of docs/availability.md: its commands, run as written (odlm on
the PATH, as the getting-started install leaves the shell), say what the page shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "availability.md"
BIN = Path(sys.executable).parent


def week_section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("## Try it: a week with an absence")
    end = text.find("\n## ", start + 3)
    return text[start : end if end > 0 else len(text)]


def test_the_week_with_an_absence_runs_as_the_page_shows(tmp_path: Path) -> None:
    section = week_section()
    script = re.search(r"```bash\n(.*?)```", section, re.S)
    shown = re.search(r"```text\n(2026-11-30 .*?)```", section, re.S)
    assert script and shown
    run = subprocess.run(
        ["bash", "-e", "-c", script.group(1)], cwd=tmp_path, capture_output=True, text=True,
        timeout=300, env={"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    said = [
        line.strip()
        for line in run.stdout.splitlines()
        if line.startswith(("  Bob Johnson: away", "  Bob Johnson: owed"))
    ]
    expected = [
        re.split(r"\s{3,}", line[12:])[0] for line in shown.group(1).splitlines() if line.strip()
    ]
    assert said == expected
    digest = (tmp_path / "week" / "digests" / "2026-12-02-Voice-11.eml").read_text()
    listed = re.search(r"```text\nSubject: .*?```", section, re.S)
    assert listed
    for line in listed.group(0).splitlines()[1:-1]:
        assert line in digest or not line.strip()
    # Monday's digest, quoted in the text after it: Bob only lost leads, and is told so.
    monday = re.search(r"`(2026-11-30-Voice-11\.eml)` tells him\s+so: \"(.*?)\"", section, re.S)
    assert monday
    told = (tmp_path / "week" / "digests" / monday.group(1)).read_text()
    assert f"Subject: odlm: {' '.join(monday.group(2).split())}\n" in told
