"""Every verb's --help says what the verb is for and shows real examples, each of which
the command line accepts as written."""

from __future__ import annotations

import shlex

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.cli.parser import EXAMPLES, TASKS, VERBS, build_parser


@pytest.mark.parametrize("verb", VERBS)
def test_each_verb_says_what_it_is_for_and_shows_examples(
    verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        main([verb, "--help"])
    assert ended.value.code == 0
    text = capsys.readouterr().out
    usage, purpose = text.split("\n\n")[:2]
    assert usage.startswith(f"usage: odlm {verb}")
    assert purpose.endswith(".") and purpose[0].isupper()
    examples = text.split("examples:\n", 1)[1].splitlines()
    assert len([line for line in examples if line.startswith("  odlm ")]) >= 1


@pytest.mark.parametrize(
    "example", [line for lines in EXAMPLES.values() for line in lines], ids=lambda e: e[:50]
)
def test_every_example_is_accepted_by_the_command_line(example: str) -> None:
    words = shlex.split(example.split(" > ")[0])
    assert words[0] == "odlm" and words[1] in VERBS
    build_parser().parse_args(words[1:])


def test_odlm_help_lists_every_verb_once_under_its_task(capsys: pytest.CaptureFixture[str]) -> None:
    grouped = [verb for _, verbs in TASKS for verb in verbs]
    assert sorted(grouped) == sorted(VERBS)
    with pytest.raises(SystemExit) as ended:
        main(["--help"])
    assert ended.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: odlm [-h] [--version] COMMAND ...")
    listing = text.split("commands, by task:\n", 1)[1]
    for task, verbs in TASKS:
        block = listing.split(f"  to {task}:\n", 1)[1].split("\n  to ", 1)[0]
        assert [line.split()[0] for line in block.splitlines() if line.startswith("    ")] == list(
            verbs
        )


def test_a_long_verb_groups_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["dailydist", "--help"])
    text = capsys.readouterr().out
    groups = [line for line in text.splitlines() if line and not line[0].isspace()]
    for heading in ("the run:", "changing the plan for this run only:", "files the run writes:",
                    "logging:", "writing a new configuration (then exit):"):  # fmt: skip
        assert heading in groups
    run = text.split("the run:\n", 1)[1].split("\n\n", 1)[0]
    assert "--dry-run" in run and "--run-again" in run and "  --generate-config" not in run
