"""Kept snapshots on the demo: replay, explain, the exclusion ledger and compare."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.compare import compare_runs
from odoo_lead_manager.commands.explain import explain_lead
from odoo_lead_manager.commands.resolve import plan_settings, tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.reasons import CODES
from odoo_lead_manager.pipeline.planning import plan_snapshot
from odoo_lead_manager.state.tracking import open_journal
from tests.conftest import TODAY

DAYS = [TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY]


def odlm(*args: object) -> int:
    return main([str(a) for a in args])


def kept(config: Path) -> list[tuple[str, str, int]]:
    journal, _ = open_journal(tracking_settings(load_config(config)))
    try:
        return [(r.run_id, r.run_date.isoformat(), r.dry_run) for r in journal.recorded_runs()]
    finally:
        journal.close()


def test_a_dry_run_keeps_its_snapshot_and_replaying_it_gives_the_identical_plan(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    assert odlm("dailydist", "--config", config, "--dry-run", "--today", TODAY, "--seed", 5) == 0
    [(run_id, day, dry)] = kept(config)
    assert day == TODAY.isoformat() and dry
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    recorded = journal.recorded(run_id[:10])
    journal.close()
    assert recorded is not None
    assert recorded.plan.snapshot_digest == recorded.snapshot.digest()
    # The golden check: the kept snapshot, planned again, is the plan the run showed.
    again = plan_snapshot(plan_settings(loaded), recorded.snapshot, recorded.plan.seed).plan
    assert again.to_json() == recorded.plan.to_json()
    capsys.readouterr()
    assert odlm("replay", run_id, "--config", config) == 0
    assert "Identical" in capsys.readouterr().out
    assert odlm("replay", run_id, "--config", config, "--seed", 6, "--format", "json") == 1
    data = json.loads(capsys.readouterr().out)
    assert not data["identical"] and data["differences"]
    assert all(d["recorded"].startswith("to ") for d in data["differences"])


def test_a_real_run_explained_lead_by_lead_matches_the_crm_after_it(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    assert odlm("dailydist", "--config", config, "--today", TODAY, "--run-again", "--seed", 5) == 0
    [(run_id, _, dry)] = kept(config)
    assert not dry
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    recorded = journal.recorded(run_id)
    journal.close()
    assert recorded is not None
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        now = {
            lead.id: lead.user_id
            for lead in store.read_leads([a.lead_id for a in recorded.plan.assignments])
        }
    for assignment in recorded.plan.assignments[:25]:
        found = explain_lead(loaded, assignment.lead_id, run_id)
        assert found.code == "distributed"
        assert found.written.endswith(": written")
        assert now[assignment.lead_id] == assignment.user_id
        assert recorded.plan.user_name(assignment.user_id) in found.outcome
    capsys.readouterr()
    assert odlm("replay", run_id, "--config", config) == 0
    assert "Identical" in capsys.readouterr().out


def test_the_exclusion_ledger_and_explain_give_the_reasons_the_report_counts(
    demo_dir: Path, tmp_path: Path
) -> None:
    config = demo_dir / "config.yaml"
    ledger = tmp_path / "excluded.csv"
    code = odlm(
        "dailydist",
        "--config",
        config,
        "--dry-run",
        "--today",
        TODAY,
        "--seed",
        5,
        "--export-excluded",
        ledger,
    )
    assert code == 0
    rows = list(csv.DictReader(ledger.open()))
    [(run_id, _, _)] = kept(config)
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    recorded = journal.recorded(run_id)
    journal.close()
    assert recorded is not None
    plan = recorded.plan
    assert {r["reason_code"] for r in rows} <= set(CODES)
    by_rule = Counter(r["excluded_by"] for r in rows if r["excluded_by"])
    assert by_rule == Counter({k: v for k, v in plan.excluded.items() if v})
    moved = [r for r in rows if r["reason_code"] == "distributed"]
    assert len(moved) == len(plan.assignments)
    assert len(rows) == plan.examined - plan.undistributed + plan.undistributed
    assert all(
        r["reason"]
        for r in rows
        if r["excluded_by"] == "Date range" or r["excluded_by"] == "Activity deadline protection"
    )
    # Every examined lead: explain names the rule the ledger (and the report) names.
    for row in rows[:: max(1, len(rows) // 60)]:
        found = explain_lead(loaded, int(row["lead_id"]), run_id)
        assert found.code == row["reason_code"], row
        if row["excluded_by"]:
            assert found.steps[-1].rule == row["excluded_by"]
            assert not found.steps[-1].passed and found.steps[-1].why == row["reason"]


def test_explanations_and_the_ledger_name_users_and_teams_with_their_ids(
    demo_dir: Path, tmp_path: Path
) -> None:
    config = demo_dir / "config.yaml"
    ledger = tmp_path / "excluded.csv"
    assert odlm("dailydist", "--config", config, "--today", TODAY, "--run-again", "--seed", 5) == 0
    assert odlm(
        "dailydist", "--config", config, "--dry-run", "--today", TODAY, "--export-excluded", ledger
    ) == 0  # fmt: skip
    reasons = [r["reason"] for r in csv.DictReader(ledger.open())]
    # Held by an excluded user: named, with the id; never a bare "user 2" or "user None".
    assert any("is Drew Cox (user 2)" in r for r in reasons)
    assert not any(re.search(r"(?<![(])user (\d+|None)\b(?!\))", r) for r in reasons)
    run_id = next(r for r, _, dry in kept(config) if not dry)
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    recorded = journal.recorded(run_id)
    journal.close()
    assert recorded is not None
    assignment = recorded.plan.assignments[0]
    found = explain_lead(loaded, assignment.lead_id, run_id)
    name = recorded.plan.user_names[assignment.user_id]
    assert f"to {name} (user {assignment.user_id})" in found.outcome
    assert f"user_id={name} (user {assignment.user_id})" in found.written
    assert "team_id=Voice (id 1)" in found.written


def test_explain_without_a_run_plans_today_and_reads_a_lead_outside_the_window(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        old = next(
            lead
            for lead in store.search_leads([("type", "=", "lead")])
            if lead.source_date is not None and lead.source_date < TODAY - timedelta(days=40)
        )
    assert odlm("explain", old.id, "--config", config, "--today", TODAY) == 0
    out = capsys.readouterr().out
    assert "Date range [outside_window] REMOVED HERE" in out
    assert f"source_date {old.source_date} is before the window" in out
    assert odlm("explain", old.id, "--config", config, "--today", TODAY, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "outside_window" and data["steps"][0]["passed"] is False
    assert kept(config) == []  # explaining records nothing


def test_compare_three_recorded_days_under_two_strategies(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    for day in DAYS:
        assert odlm("dailydist", "--config", config, "--dry-run", "--today", day, "--seed", 9) == 0
    other = demo_dir / "proportional.yaml"
    other.write_text(config.read_text().replace("strategy: round_robin", "strategy: proportional"))
    configs = [("a", load_config(config)), ("b", load_config(other))]
    first = compare_runs(configs, since=DAYS[0], until=DAYS[-1])
    again = compare_runs(configs, since=DAYS[0], until=DAYS[-1])
    assert first.to_dict() == again.to_dict()  # stable figures
    assert [d.day for d in first.days] == DAYS
    journal, _ = open_journal(tracking_settings(configs[0][1]))
    listed = sorted(journal.recorded_runs(), key=lambda r: r.run_date)
    plans = [journal.recorded(r.run_id) for r in listed]
    journal.close()
    for day, recorded in zip(first.days, plans, strict=True):
        assert recorded is not None
        # Under its own configuration a day's figures are the recorded plan's.
        assert day.figures[0].moved == len(recorded.plan.handed_out)
        assert {p.name: p.received for p in day.figures[0].people} == {
            recorded.plan.user_name(u): n for u, n in recorded.plan.received.items()
        } | {
            p.name: 0
            for p in day.figures[0].people
            if p.name not in {recorded.plan.user_name(u) for u in recorded.plan.received}
        }
    totals = first.totals()
    assert totals[0].moved == sum(d.figures[0].moved for d in first.days)
    assert 0 <= totals[0].received_gini <= 1
    capsys.readouterr()
    assert (
        odlm("compare", "--config", config, "--config", other, "--runs", f"{DAYS[0]}..{DAYS[-1]}")
        == 0
    )
    out = capsys.readouterr().out
    assert "leads moved" in out and "Gini of received" in out and str(DAYS[1]) in out
    target = tmp_path / "compare.json"
    assert (
        odlm(
            "compare", "--config", config, "--config", other, "--format", "json", "--output", target
        )
        == 0
    )
    # Two configurations of the same name: by their files.
    assert json.loads(target.read_text())["configurations"] == ["config.yaml", "proportional.yaml"]
    other.write_text(
        other.read_text().replace(
            'name: "Daily Lead Distribution - Voice (demo)"', 'name: "Proportional trial"'
        )
    )
    assert odlm("compare", "--config", config, "--config", other, "--output", target) == 0
    header = " ".join(target.read_text().splitlines()[0].split())
    assert header == "Daily Lead Distribution - Voice (demo) Proportional trial"
    page = tmp_path / "compare.html"
    assert (
        odlm("compare", "--config", config, "--config", other, "--format", "html", "--output", page)
        == 0
    )
    assert page.read_text().count("<svg") == 4 and str(DAYS[2]) in page.read_text()


def test_masked_snapshots_keep_no_names_mails_or_phones_and_replay_the_same(
    demo_dir: Path,
) -> None:
    config = demo_dir / "config.yaml"
    text = config.read_text()
    config.write_text(text + "\nsecurity:\n  mask_personal_data: true\n")
    assert odlm("dailydist", "--config", config, "--dry-run", "--today", TODAY, "--seed", 5) == 0
    [(run_id, _, _)] = kept(config)
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    recorded = journal.recorded(run_id)
    journal.close()
    assert recorded is not None and recorded.snapshot.masked
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        real = {x.id: x for x in store.read_leads([x.id for x in recorded.snapshot.fetched.leads])}
    for lead in recorded.snapshot.fetched.leads:
        original = real[lead.id]
        assert original.name not in lead.name or not original.name
        assert original.email is None or lead.email != original.email
        assert original.phone is None or original.phone not in (lead.phone or "")
    again = plan_snapshot(plan_settings(loaded), recorded.snapshot, recorded.plan.seed).plan
    assert again.to_json() == recorded.plan.to_json()


def test_retention_drops_old_snapshots(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    for day in (TODAY - timedelta(days=400), TODAY):
        assert odlm("dailydist", "--config", config, "--dry-run", "--today", day, "--seed", 1) == 0
    assert len(kept(config)) == 2
    assert odlm("retention", "--config", config, "--today", TODAY) == 0
    assert [day for _, day, _ in kept(config)] == [TODAY.isoformat()]


def test_unknown_ambiguous_or_damaged_runs_are_refused_with_exit_2(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    assert odlm("replay", "0123abc", "--config", config) == 2
    assert "no kept snapshot for run '0123abc'" in capsys.readouterr().err
    assert odlm("dailydist", "--config", config, "--dry-run", "--today", TODAY) == 0
    [(run_id, _, _)] = kept(config)
    database = demo_dir / ".odlm-state" / "tracking.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE odlm_snapshot SET snapshot = ?", (b"not zlib",))
    capsys.readouterr()
    assert odlm("explain", 1, "--config", config, "--run", run_id) == 2
    assert "not a compressed odlm snapshot" in capsys.readouterr().err
    assert odlm("compare", "--config", config) == 2
    assert "two or more --config" in capsys.readouterr().err
    assert odlm("compare", "--config", config, "--config", config, "--runs", "2024-13-01..x") == 2
    assert "--runs" in capsys.readouterr().err
    nowhere = demo_dir / "missing" / "x.csv"
    assert odlm("dailydist", "--config", config, "--dry-run", "--export-excluded", nowhere) == 2
    assert "--export-excluded" in capsys.readouterr().err and len(kept(config)) == 1
    with pytest.raises(SystemExit) as stopped:
        odlm("explain", 0, "--config", config)
    assert stopped.value.code == 2
    assert odlm("explain", 99999, "--config", config, "--today", TODAY) == 2
    assert "lead 99999: no such lead" in capsys.readouterr().err
