"""One lead is "1 lead": the run's summary, its log and the report say counts in words that
agree with them."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from odoo_lead_manager.ops.text import plural
from tests.conftest import TODAY


def test_plural_agrees_with_its_count() -> None:
    assert [plural(n, "lead") for n in (0, 1, 2, 1204)] == [
        "0 leads",
        "1 lead",
        "2 leads",
        "1,204 leads",
    ]
    assert plural(1, "salesperson", "salespeople") == "1 salesperson"
    assert plural(3, "salesperson", "salespeople") == "3 salespeople"


def test_a_run_of_one_lead_says_one_lead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    create_demo(tmp_path, today=TODAY)
    config = write_demo_config(tmp_path)
    with caplog.at_level(logging.INFO, logger="odoo_lead_manager"):
        status = main(
            ["dailydist", "--config", str(config), "--dry-run", "--max-leads", "1",
             "--today", TODAY.isoformat()]
        )  # fmt: skip
    assert status == 0
    said = capsys.readouterr().out + caplog.text
    assert "1 lead planned" in said
    assert re.search(r"\b1 leads\b", said) is None
