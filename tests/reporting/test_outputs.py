"""The terminal report of §6.3, report options on the command line, and masking in logs."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest
from rich.console import Console

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Assignment
from odoo_lead_manager.ops.privacy import MaskingFilter, mask_text
from odoo_lead_manager.reporting.console import print_plan
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.state.helpers import tiny_plan

SECTIONS = (
    "Distribution overview",
    "Filter impact analysis",
    "Current workload",
    "Distribution preview",
    "Strategy details",
    "Recommendations",
    "Execution summary",
)
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7])[0-9;]*m")


def test_the_dry_run_report_is_plain_text_off_a_terminal(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dailydist", "--config", str(todays_demo_dir / "config.yaml"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "\x1b" not in out and "\u2026" not in out  # no colour, no cell cut short
    assert not re.search("[\U0001f300-\U0001faff\u2600-\u27bf]", out)  # no emoji
    assert "Util." in out and "Deficit" in out  # the workload table of §6.3


def test_no_color_on_a_terminal_keeps_the_text_and_shows_fetching(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=140)
    run_distribution(
        load_config(demo_dir / "config.yaml"),
        True,
        RunOptions(today=TODAY, seed=1),
        console=console,
    )
    out = buffer.getvalue()
    assert "Fetching leads" in out
    assert COLOUR.search(out) is None
    for section in SECTIONS[:-2]:
        assert section in out


def test_the_dropback_analysis_names_campaign_and_receiver() -> None:
    plan = tiny_plan(
        dropback=(Assignment(105, 7, 1, "dropback: UTR"), Assignment(106, 7, 2, "dropback: UTR")),
        user_names={1: "Alice", 2: "Bob", 3: "Cleo", 7: "Pat Adler"},
    )
    buffer = io.StringIO()
    print_plan(Console(file=buffer, width=120), plan, dry_run=True)
    assert "Dropback analysis" in buffer.getvalue()
    assert "UTR: 2 leads -> Pat Adler" in buffer.getvalue()


def test_report_options_on_the_command_line(
    todays_demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    config = str(todays_demo_dir / "config.yaml")
    monkeypatch.chdir(tmp_path)
    args = ["dailydist", "--config", config, "--dry-run", "--report-location", "out"]
    assert main([*args, "--report-format", "json", "--report-format", "html"]) == 0
    written = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert written == [".html", ".json"]  # relative to where the command runs
    assert f"Report: {tmp_path / 'out'}" in capsys.readouterr().out
    # Without options, the configuration decides: location relative to the config file.
    path = todays_demo_dir / "config.yaml"
    path.write_text(
        path.read_text() + "reporting:\n  generate_report: true\n  report_location: reports/\n"
    )
    assert main(["dailydist", "--config", config, "--dry-run"]) == 0
    assert len(list((todays_demo_dir / "reports").glob("*.csv"))) == 4
    with pytest.raises(SystemExit):
        main([*args, "--report-format", "pdf"])


def test_masking_in_logs(todays_demo_dir: Path) -> None:
    assert mask_text("call +33 6 12 34 56 78 or mail john.smith@example.com, lead 48213") == (
        "call ***78 or mail j***@example.com, lead 48213"
    )
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "lead of %s", ("ann@corp.io",), None)
    assert MaskingFilter().filter(record) and record.getMessage() == "lead of a***@corp.io"
    path = todays_demo_dir / "config.yaml"
    path.write_text(path.read_text() + "security:\n  mask_personal_data: true\n")
    root = logging.getLogger()
    before = {id(h): list(h.filters) for h in root.handlers}
    try:
        assert main(["dailydist", "--config", str(path), "--dry-run"]) == 0
        assert all(
            any(isinstance(f, MaskingFilter) for f in handler.filters) for handler in root.handlers
        )
    finally:
        for handler in root.handlers:
            handler.filters = before.get(id(handler), [])


def test_an_unwritable_report_location_stops_before_anything_changes(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = todays_demo_dir / "not-a-directory"
    blocker.write_text("a file where the reports should go")
    config = str(todays_demo_dir / "config.yaml")
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        before = store.read_leads(range(1, 5000))
    assert main(["dailydist", "--config", config, "--report-location", str(blocker / "x")]) == 2
    assert "reporting.report_location: cannot create" in capsys.readouterr().err.replace("\n", " ")
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        assert store.read_leads(range(1, 5000)) == before


def test_undo_logs_through_the_masking_filter_too(todays_demo_dir: Path) -> None:
    path = todays_demo_dir / "config.yaml"
    path.write_text(path.read_text() + "security:\n  mask_personal_data: true\n")
    assert main(["dailydist", "--config", str(path)]) == 0
    run_id = json.loads(
        (todays_demo_dir / ".odlm-state" / "audit.log").read_text().splitlines()[-1]
    )["run_id"]
    root = logging.getLogger()
    before = {id(h): list(h.filters) for h in root.handlers}
    for handler in root.handlers:
        handler.filters = [f for f in handler.filters if not isinstance(f, MaskingFilter)]
    try:
        assert main(["undo", run_id, "--config", str(path)]) == 0
        assert root.handlers and all(
            any(isinstance(f, MaskingFilter) for f in handler.filters) for handler in root.handlers
        )
    finally:
        for handler in root.handlers:
            handler.filters = before.get(id(handler), [])


def test_debug_logging_shows_each_stage_decision(
    demo_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = str(demo_dir / "config.yaml")
    with caplog.at_level(logging.DEBUG, logger="odoo_lead_manager"):
        assert main(["dailydist", "--config", config, "--today", "2024-06-14", "--run-again",
                     "--log-level", "DEBUG"]) == 0  # fmt: skip
    text = caplog.text
    for expected in (
        "salespeople: 4 eligible",
        "workload: {",
        "fetching leads with domain [",
        "found 204 distributable",
        "round_robin: 204 assigned",
        " batch 1: ",
    ):
        assert expected in text, expected
