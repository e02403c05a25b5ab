"""`odlm report`: analytics over the history of real runs, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state import analytics
from tests.conftest import TODAY
from tests.state.helpers import tracked_config

DAYS = [TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY]


def three_days(demo_dir: Path, url: URL) -> tuple[Path, list[Plan]]:
    """Real runs on three days in a row, and a dry run (which analytics must ignore)."""
    loaded = tracked_config(demo_dir, url)
    plans = [
        run_distribution(loaded, False, RunOptions(today=day, seed=i)).plan
        for i, day in enumerate(DAYS)
    ]
    run_distribution(loaded, True, RunOptions(today=TODAY, seed=9))
    return loaded.path, plans


def test_the_four_reports(demo_dir: Path, database_url: URL) -> None:
    _, plans = three_days(demo_dir, database_url)
    engine = create_engine(database_url)
    last = plans[-1]
    daily = analytics.daily_report(engine, TODAY, "Voice")
    assert daily["date"] == TODAY.isoformat() and daily["run_id"] == last.run_id
    assert daily["total_leads_distributed"] == len(last.assignments)
    assert daily["total_leads_found"] == last.distributable
    received = Counter(a.user_id for a in last.assignments)
    assert daily["salespeople_participated"] == len(received)
    assert [r["leads_received"] for r in daily["top_recipients"]] == sorted(
        received.values(), reverse=True
    )[:5]
    assert daily["utilisation_stdev"] is not None

    alice = next(p for p in last.salespeople if p.name == "Alice Smith")
    person = analytics.salesperson_report(engine, alice.user_id, DAYS[0], TODAY)
    got = sum(1 for plan in plans for a in plan.assignments if a.user_id == alice.user_id)
    assert person["name"] == "Alice Smith" and person["total_leads_received"] == got
    assert person["average_leads_per_day"] == round(got / 3, 2)
    assert len(person["utilization_trend"]) == 3
    assert sum(person["lead_status_distribution"].values()) == got
    assert analytics.find_user(engine, "alice SMITH") == alice.user_id

    campaign = analytics.campaign_report(engine, "Voice", DAYS[0], TODAY)
    assert campaign["days_distributed"] == 3
    assert campaign["total_leads_distributed"] == sum(len(p.assignments) for p in plans)
    assert [d["date"] for d in campaign["daily"]] == [d.isoformat() for d in DAYS]
    assert sum(campaign["leads_by_source"].values()) == campaign["total_leads_distributed"]

    trends = analytics.trend_report(engine, 7, TODAY, None)
    points = trends["campaigns"]["Voice"]["points"]
    assert [p["total_leads_distributed"] for p in points] == [len(p.assignments) for p in plans]
    assert set(trends["campaigns"]["Voice"]["direction"].values()) <= {"rising", "falling", "flat"}
    engine.dispose()


def test_missing_history_is_one_clear_message(demo_dir: Path, database_url: URL) -> None:
    three_days(demo_dir, database_url)
    engine = create_engine(database_url)
    with pytest.raises(UserInputError, match="no distribution of campaign Voice on 2020-01-01"):
        analytics.daily_report(engine, TODAY.replace(year=2020, month=1, day=1), "Voice")
    with pytest.raises(UserInputError, match="no salesperson of that name"):
        analytics.find_user(engine, "Nobody Here")
    engine.dispose()


def test_the_command(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = URL.create("sqlite", database=str(tmp_path / "history.sqlite"))
    config, plans = three_days(demo_dir, url)
    common = ["--config", str(config), "--to", str(TODAY)]
    assert (
        main(["report", "daily", "--config", str(config), "--date", str(TODAY), "--format", "json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["run_id"] == plans[-1].run_id
    assert main(["report", "trends", *common, "--days", "3", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["campaigns"]["Voice"]["points"]) == 3
    assert main(["report", "salesperson", *common, "--user", "Bob Johnson"]) == 0
    out = capsys.readouterr().out
    assert "Salesperson report" in out and "name: Bob Johnson" in out and "\x1b" not in out
    assert main(["report", "campaign", *common]) == 0
    assert "days distributed: 3" in capsys.readouterr().out
    assert main(["report", "salesperson", *common]) == 2
    assert "needs --user" in capsys.readouterr().err
    assert main(["report", "daily", "--config", str(config), "--date", "2020-01-01"]) == 2
