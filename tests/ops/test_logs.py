"""Logs a machine can read: JSON lines with run id, campaign, stage and counts; a rotated file."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.session import QUIET_LIBRARIES, configure_logging
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.ops.logs import install_handlers, log_context, stage_line
from odoo_lead_manager.state.tracking import open_journal
from tests.ops.helpers import configured


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one object, or this fails


def test_a_real_run_logs_one_json_object_per_stage_with_the_run_id_and_counts(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = todays_demo_dir / "config.yaml"
    assert main(["dailydist", "--config", str(config), "--log-format", "json"]) == 0
    entries = json_lines(capsys.readouterr().err)
    journal, _ = open_journal(tracking_settings(load_config(config)))
    (run,) = journal.recent(5)
    plan = journal.plan(run.run_id)
    journal.close()
    staged = [e for e in entries if "stage" in e]
    assert {e["run_id"] for e in staged} == {run.run_id}
    assert {e["campaign"] for e in entries} == {"Voice"}
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for entry in staged:
        by_stage.setdefault(entry["stage"], []).append(entry)
    assert set(by_stage) >= {"fetching", "selection", "finding", "strategy", "writing", "finished"}
    (selection,) = by_stage["selection"]
    assert selection["counts"]["eligible"] == 4
    rules = [e for e in by_stage["finding"] if "rule" in e]
    (summary,) = [e for e in by_stage["finding"] if "rule" not in e]
    # Each rule's removals add up to what was examined and not kept.
    removed = sum(e["counts"]["removed"] for e in rules)
    counts = summary["counts"]
    assert removed == counts["examined"] - counts["distributable"] - counts["dropback"]
    (strategy,) = by_stage["strategy"]
    assert strategy["strategy"] == "round_robin"
    # The batch lines add up to what the journal says was written: the CRM's figure.
    written = sum(e["counts"]["written"] for e in by_stage["writing"])
    assert written == run.written == strategy["counts"]["assigned"] > 0
    assert [e["counts"]["batch"] for e in by_stage["writing"]] == list(
        range(1, len(by_stage["writing"]) + 1)
    )
    (finished,) = by_stage["finished"]
    assert finished["outcome"] == "completed" and finished["counts"]["written"] == run.written
    assert finished["counts"]["peak_memory_mb"] > 0
    # And the CRM holds what the lines say was written.
    store = LocalStore.open(todays_demo_dir / "crm.sqlite")
    try:
        owners = store.read_values([a.lead_id for a in plan.handed_out], ["user_id"])
    finally:
        store.close()
    assert len(owners) == written
    assert all(owners[a.lead_id]["user_id"] == a.user_id for a in plan.handed_out)
    for entry in entries:
        assert set(entry) >= {"time", "level", "logger", "message"}


def test_debug_shows_the_fetch_domain_and_each_batchs_leads(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configured(todays_demo_dir, execution={"log_format": "json", "log_level": "DEBUG"})
    assert main(["dailydist", "--config", str(config)]) == 0
    messages = [e["message"] for e in json_lines(capsys.readouterr().err)]
    assert any(m.startswith("fetching leads with domain [") for m in messages)
    assert any("to write (leads " in m for m in messages)


def test_the_text_format_names_the_run_and_campaign(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = todays_demo_dir / "config.yaml"
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "salespeople: 4 eligible" in line)
    assert (
        " INFO odoo_lead_manager.pipeline.planning: " in line and "campaign=Voice run_id=" in line
    )


def test_the_log_file_gets_the_lines_and_secrets_and_personal_data_stay_out(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "pa55-very-secret"
    monkeypatch.setenv("ODOO_PASSWORD", secret)
    config = configured(
        todays_demo_dir,
        execution={"log_format": "json", "log_file": "logs/odlm.log"},
        security={"mask_personal_data": True},
    )
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    log_file = todays_demo_dir / "logs" / "odlm.log"
    entries = json_lines(log_file.read_text(encoding="utf-8"))
    assert any(e.get("stage") == "finished" for e in entries)
    # A line that would carry a secret, an e-mail address and a traceback holding both.
    logger = logging.getLogger("odoo_lead_manager.test")
    try:
        raise RuntimeError(f"login {secret} for jane.doe@example.com failed")
    except RuntimeError:
        logger.exception("call with %s by jane.doe@example.com", secret)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8") + capsys.readouterr().err
    assert secret not in text and "jane.doe@example.com" not in text
    last = json_lines(log_file.read_text(encoding="utf-8"))[-1]
    assert "***" in last["message"] and "RuntimeError" in last["error"]


def test_the_log_file_is_rotated_keeping_the_configured_backups(tmp_path: Path) -> None:
    path = tmp_path / "odlm.log"
    install_handlers("INFO", "json", path, max_bytes=2_000, backups=2)
    logger = logging.getLogger("odoo_lead_manager.test")
    with log_context(run_id="r1", campaign="Voice"):
        for number in range(200):
            stage_line(logger, "writing", "batch %d", number, batch=number)
    install_handlers("WARNING", "text")  # closes the file
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["odlm.log", "odlm.log.1", "odlm.log.2"]
    for name in files:
        assert (tmp_path / name).stat().st_size <= 2_000
        for entry in json_lines((tmp_path / name).read_text(encoding="utf-8")):
            assert entry["run_id"] == "r1" and entry["stage"] == "writing"
    newest = json_lines(path.read_text(encoding="utf-8"))[-1]
    assert newest["counts"] == {"batch": 199}


def test_a_log_file_that_cannot_be_written_is_exit_2_before_anything_changes(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A folder where a file is: the log cannot be opened.
    config = configured(todays_demo_dir, execution={"log_file": "config.yaml/odlm.log"})
    before = (todays_demo_dir / "crm.sqlite").read_bytes()
    assert main(["dailydist", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "execution.log_file: cannot write" in err
    assert (todays_demo_dir / "crm.sqlite").read_bytes() == before
    assert not (todays_demo_dir / ".odlm-state").exists()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("log_format", "xml", "log_format"),
        ("log_file_max_mb", 0, "log_file_max_mb"),
        ("log_file_backups", 0, "log_file_backups"),
    ],
)
def test_bad_log_settings_are_refused_with_their_key(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str], key: str, value: object, message: str
) -> None:
    config = configured(todays_demo_dir, execution={key: value})
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 2
    assert f"execution.{message}" in capsys.readouterr().err


@pytest.mark.parametrize(("level", "expected"), [("INFO", "WARNING"), ("DEBUG", "DEBUG")])
def test_the_libraries_speak_only_of_problems_unless_debugging(level: str, expected: str) -> None:
    configure_logging(level)
    try:
        for library in QUIET_LIBRARIES:
            assert logging.getLevelName(logging.getLogger(library).level) == expected
    finally:
        configure_logging("WARNING")
