"""`odlm status`: the last run per campaign and an exit status monitoring alerts on."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from tests.ops.helpers import configured, second_write_fails

TODAY = date.today().isoformat()


def status(
    capsys: pytest.CaptureFixture[str], *configs: Path, today: str = TODAY
) -> tuple[int, dict[str, Any]]:
    args = ["status", "--format", "json", "--today", today]
    for config in configs:
        args += ["--config", str(config)]
    capsys.readouterr()  # what earlier commands printed
    code = main(args)
    data = json.loads(capsys.readouterr().out)
    assert data["exit_status"] == code
    return code, data


def one(data: dict[str, Any]) -> dict[str, Any]:
    (campaign,) = data["campaigns"]
    assert isinstance(campaign, dict)
    return campaign


def test_not_run_dry_run_real_run_and_the_next_day(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = todays_demo_dir / "config.yaml"
    code, data = status(capsys, config)
    assert code == 3 and one(data)["verdict"].startswith("NOT RUN YET")
    assert one(data)["last_run"] is None
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    code, data = status(capsys, config)
    # A dry run changes nothing in the CRM: today's distribution has not happened.
    assert code == 3 and one(data)["last_dry_run"] is not None
    # Every time in machine output carries its zone.
    assert one(data)["last_dry_run"].endswith("+00:00")
    assert main(["dailydist", "--config", str(config)]) == 0
    capsys.readouterr()
    code, data = status(capsys, config)
    last = one(data)["last_run"]
    assert code == 0 and one(data)["distributed_today"] is True
    assert last["status"] == "completed" and last["written"] == last["planned"] > 0
    assert last["started_at"].endswith("+00:00") and last["updated_at"].endswith("+00:00")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    code, data = status(capsys, config, today=tomorrow)
    assert code == 3 and one(data)["last_run"]["run_id"] == last["run_id"]
    # The table says the same, with the same exit status.
    assert main(["status", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"Voice ({config}): OK: distributed (run {last['run_id']}" in out
    assert f"{last['written']:,} of {last['planned']:,} leads written" in out


def test_a_failed_attempt_is_status_1_until_a_run_completes(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = configured(todays_demo_dir, "broken.yaml", crm={"local_path": "missing.sqlite"})
    assert main(["dailydist", "--config", str(broken)]) == 2
    capsys.readouterr()
    code, data = status(capsys, broken)
    (failure,) = one(data)["failed_attempts_today"]
    assert code == 1 and one(data)["verdict"].startswith("FAILED today at ")
    assert "CRM store not found" in failure["error"] and failure["command"] == "dailydist"
    # The configuration fixed (same campaign, same state), the run completes: 0 again.
    assert main(["dailydist", "--config", str(todays_demo_dir / "config.yaml")]) == 0
    capsys.readouterr()
    code, data = status(capsys, broken)
    assert code == 0 and one(data)["failed_attempts_today"] == []


def test_a_stopped_run_is_status_1_until_it_is_finished(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = configured(
        todays_demo_dir, error_handling={"max_retries": 0, "retry_delay_seconds": 0}
    )
    second_write_fails(monkeypatch)
    assert main(["dailydist", "--config", str(config)]) == 1
    capsys.readouterr()
    code, data = status(capsys, config)
    (unfinished,) = one(data)["unfinished"]
    assert code == 1 and one(data)["verdict"].startswith("UNFINISHED: run ")
    assert unfinished["status"] == "stopped" and 0 < unfinished["written"] < unfinished["planned"]
    monkeypatch.undo()  # the CRM is back
    assert main(["dailydist", "--config", str(config)]) == 0
    capsys.readouterr()
    code, data = status(capsys, config)
    assert code == 0 and one(data)["unfinished"] == []
    assert one(data)["last_run"]["written"] == one(data)["last_run"]["planned"]


def test_a_weekly_campaign_run_on_monday_is_done_for_the_week(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configured(todays_demo_dir, campaign={"distribution_frequency": "weekly"})
    monday = date.today() - timedelta(days=date.today().weekday())
    args = ["dailydist", "--config", str(config), "--today", monday.isoformat(), "--run-again"]
    assert main(args) == 0
    capsys.readouterr()
    assert status(capsys, config, today=(monday + timedelta(days=3)).isoformat())[0] == 0
    assert status(capsys, config, today=(monday + timedelta(days=7)).isoformat())[0] == 3


def test_an_inactive_campaign_is_ok_and_several_campaigns_report_the_worst(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inactive = configured(
        todays_demo_dir, "inactive.yaml", campaign={"name": "Apple", "active": False}
    )
    code, data = status(capsys, inactive)
    assert code == 0 and "not active" in one(data)["verdict"]
    waiting = todays_demo_dir / "config.yaml"
    code, data = status(capsys, inactive, waiting)
    assert code == 3 and [c["exit_status"] for c in data["campaigns"]] == [0, 3]
    broken = configured(todays_demo_dir, "broken.yaml", crm={"local_path": "missing.sqlite"})
    assert main(["dailydist", "--config", str(broken)]) == 2
    capsys.readouterr()
    code, data = status(capsys, inactive, waiting, broken)
    assert code == 1 and [c["exit_status"] for c in data["campaigns"]] == [0, 1, 1]


def test_status_of_a_missing_configuration_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--config", "no-such-config.yaml"]) == 2
    assert "no-such-config.yaml" in capsys.readouterr().err
