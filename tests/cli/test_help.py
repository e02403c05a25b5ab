"""Every verb's --help says what the verb is for and shows real examples, each of which
the command line accepts as written."""

from __future__ import annotations

import shlex

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.cli.parser import EXAMPLES, VERBS, build_parser


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
    words = shlex.split(example)
    assert words[0] == "odlm" and words[1] in VERBS
    build_parser().parse_args(words[1:])
