"""The README's week with an absence: its commands, run as written, say what it shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
ODLM = Path(sys.executable).with_name("odlm")


def test_the_week_with_an_absence_runs_as_the_readme_shows(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A week with an absence") :]
    script = re.search(r"```bash\n(.*?)```", section, re.S)
    shown = re.search(r"```\n(2026-11-30 .*?)```", section, re.S)
    assert script and shown
    commands = script.group(1).replace(".venv/bin/odlm", str(ODLM))
    run = subprocess.run(
        ["bash", "-e", "-c", commands], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
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
    listed = re.search(r"```\nSubject: .*?```", section, re.S)
    assert listed
    for line in listed.group(0).splitlines()[1:-1]:
        assert line in digest or not line.strip()
    # Monday's digest, quoted in the text after it: Bob only lost leads, and is told so.
    monday = re.search(r"`(2026-11-30-Voice-11\.eml)` tells him\s+so: \"(.*?)\"", section, re.S)
    assert monday
    said = (tmp_path / "week" / "digests" / monday.group(1)).read_text()
    assert f"Subject: odlm: {' '.join(monday.group(2).split())}\n" in said
