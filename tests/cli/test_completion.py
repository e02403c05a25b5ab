"""`odlm completion SHELL` prints a script that completes odlm's verbs and options in
that shell, answered from the command line's own parser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main

BIN = str(Path(sys.executable).parent)
ENV = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"}


def script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def in_shell(shell: str, program: str, tmp_path: Path) -> str:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    run = subprocess.run(
        [shell, "-c", program], capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_bash_completes_verbs_and_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "odlm.bash").write_text(script("bash", capsys))

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        program = (
            "source odlm.bash; "
            f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
            f"COMP_LINE='{line}'; COMP_POINT={len(line)}; "
            '_python_argcomplete odlm; printf "%s\\n" "${COMPREPLY[@]}"'
        )
        return in_shell("bash", program, tmp_path).split()

    assert complete("odlm und") == ["undo"]
    assert complete("odlm undo --d") == ["--dry-run"]
    assert {"--run-again", "--dry-run", "--config"} <= set(complete("odlm dailydist --"))
    # The retired --force is not offered.
    assert "--force" not in complete("odlm dailydist --f")


def test_fish_completes_verbs_with_their_purpose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "odlm.fish").write_text(script("fish", capsys))
    out = in_shell("fish", 'source odlm.fish; complete -C "odlm und"', tmp_path)
    assert out.splitlines() == ["undo\tgive a run's leads back their previous owners and status"]


def test_zsh_loads_the_script_and_gets_described_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = script("zsh", capsys)
    assert text.startswith("#compdef odlm")
    (tmp_path / "_odlm").write_text(text)
    out = in_shell("zsh", "source ./_odlm; whence -w _python_argcomplete", tmp_path)
    assert "function" in out
    # What the zsh script asks odlm, asked here: the verb with its purpose.
    answers = tmp_path / "answers"
    env = {**ENV, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_SHELL": "zsh", "COMP_LINE": "odlm sta",
           "COMP_POINT": "8", "_ARGCOMPLETE_STDOUT_FILENAME": str(answers)}  # fmt: skip
    run = subprocess.run([f"{BIN}/odlm"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    verb, purpose = answers.read_text().split(":", 1)
    assert verb.strip() == "status" and purpose.startswith("did today's run happen")


def test_an_unknown_shell_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["completion", "powershell"])
    assert ended.value.code == 2
    assert "invalid choice: 'powershell'" in capsys.readouterr().err
