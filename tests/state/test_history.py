"""Every run is on record (spec §9.3): counts before and after, each assignment, the summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from odoo_lead_manager.commands.apply import apply_saved_plan
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.undo import undo
from odoo_lead_manager.config.defaults import workload_counting
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.pipeline.workload import statuses_now
from odoo_lead_manager.reporting.report import build_report
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.history import History
from odoo_lead_manager.state.records import Outcome, projected_after
from odoo_lead_manager.state.tables import assignment_history, summary, tracking
from odoo_lead_manager.state.tracking import local_tracking_path
from tests.conftest import TODAY
from tests.state.helpers import rows, tracked_config

OPTIONS = RunOptions(today=TODAY, seed=7)


def test_a_dry_run_then_a_real_run_are_both_on_record(demo_dir: Path, database_url: URL) -> None:
    loaded = tracked_config(demo_dir, database_url)
    dry = run_distribution(loaded, dry_run=True, options=OPTIONS)
    plan = dry.plan
    people = {p.user_id: p for p in plan.salespeople}

    (dry_summary,) = rows(database_url, summary)
    assert dry_summary["dry_run"] and dry_summary["run_status"] == "dry_run"
    assert len(rows(database_url, tracking, dry_run=True)) == len(people)
    assert rows(database_url, assignment_history) == []  # dry runs hand nothing out

    real = run_distribution(loaded, dry_run=False, options=OPTIONS)
    assert real.applied is not None and real.applied.complete
    assert real.plan.assignments == plan.assignments  # same seed, same data

    # The summary of the real run, beside (not over) the dry run's.
    by_kind = {bool(r["dry_run"]): r for r in rows(database_url, summary)}
    assert set(by_kind) == {True, False}
    row = by_kind[False]
    handed = len(plan.assignments)
    received = Counter(a.user_id for a in plan.assignments)
    assert row["run_id"] == real.plan.run_id and row["run_status"] == "completed"
    assert row["total_leads_found"] == plan.distributable
    assert row["total_leads_distributed"] == handed
    assert row["total_leads_not_distributed"] == plan.distributable - handed
    assert row["total_salespeople_eligible"] == len(people)
    assert row["total_salespeople_received_leads"] == len(received)
    assert row["distribution_efficiency_percentage"] == Decimal(
        str(round(100 * handed / plan.distributable, 2))
    )
    assert row["average_leads_per_salesperson"] == Decimal(str(round(handed / len(received), 2)))
    assert row["max_leads_to_single_salesperson"] == max(received.values())
    assert row["min_leads_to_single_salesperson"] == min(received.get(u, 0) for u in people)
    assert sum(row["leads_by_source"].values()) == handed
    assert sum(row["leads_by_status"].values()) == handed
    assert sum(row["leads_by_campaign"].values()) == handed
    assert row["date_range_start"] == plan.date_start and row["date_range_end"] == plan.date_end
    assert row["distribution_strategy"] == "round_robin"
    assert {u["name"] for u in row["excluded_users"]} == {name for name, _ in plan.left_out}
    assert row["execution_time_seconds"] > 0

    # Each assignment, with previous and new owner, the lead's details and the reason.
    history = {r["lead_id"]: r for r in rows(database_url, assignment_history)}
    assert set(history) == {a.lead_id for a in plan.assignments}
    for assignment in plan.assignments:
        record = history[assignment.lead_id]
        facts = plan.lead_facts[assignment.lead_id]
        assert record["new_user_id"] == assignment.user_id
        assert record["new_user_name"] == people[assignment.user_id].name
        assert record["previous_user_id"] == assignment.previous_user_id
        if assignment.previous_user_id is not None:
            assert record["previous_user_name"] == plan.user_name(assignment.previous_user_id)
        assert record["distribution_reason"] == assignment.reason
        assert (record["lead_status"], record["lead_source"]) == (facts.status, facts.source)
        assert record["lead_priority"] == facts.priority
        assert record["distribution_date"] == TODAY and record["run_id"] == real.plan.run_id

    # Counts before (as planned) and after (counted in the CRM once written).
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        now = statuses_now(store, plan.salespeople, workload_counting(loaded.config))
    taken = Counter(a.previous_user_id for a in plan.assignments if a.previous_user_id)
    for record in rows(database_url, tracking, dry_run=False):
        uid = record["salesperson_id"]
        workload = plan.workloads[uid]
        assert record["salesperson_name"] == people[uid].name
        assert record["leads_before_total"] == workload.total
        assert record["leads_after_total"] == sum(now[uid].values())
        assert record["leads_after_by_status"] == {k or "(none)": v for k, v in now[uid].items()}
        assert record["leads_before_new"] == workload.by_status.get("New", 0)
        assert record["leads_received"] == received.get(uid, 0)
        assert record["leads_distributed_from"] == taken.get(uid, 0)
        assert record["target_leads"] == (people[uid].target_leads or 0)
    # The report's figures are the history's: after = current - taken + received.
    report = build_report(real.plan, real.applied)
    recorded = {r["salesperson_id"]: r for r in rows(database_url, tracking, dry_run=False)}
    for line in report.people:
        assert line.after == recorded[line.user_id]["leads_after_total"]
        assert line.after == line.current - line.taken + line.received
    # The dry run projected exactly what the real run then counted.
    projected = {
        r["salesperson_id"]: r["leads_after_by_status"]
        for r in rows(database_url, tracking, dry_run=True)
    }
    assert projected == {uid: {k or "(none)": v for k, v in now[uid].items()} for uid in people}


def test_runs_on_the_same_day_update_their_rows(demo_dir: Path, database_url: URL) -> None:
    loaded = tracked_config(demo_dir, database_url)
    first = run_distribution(loaded, dry_run=False, options=OPTIONS)
    before = {r["salesperson_id"]: r["leads_before_total"] for r in rows(database_url, tracking)}
    second = run_distribution(loaded, dry_run=False, options=replace(OPTIONS, seed=8), force=True)
    assert second.applied is not None and second.plan.run_id != first.plan.run_id
    for _ in range(2):
        run_distribution(loaded, dry_run=True, options=OPTIONS)

    summaries = rows(database_url, summary)
    assert sorted(bool(r["dry_run"]) for r in summaries) == [False, True]
    (real,) = [r for r in summaries if not r["dry_run"]]
    assert real["run_id"] == second.plan.run_id  # the day's latest run
    people = rows(database_url, tracking, dry_run=False)
    assert len(people) == len(first.plan.salespeople)
    received = Counter(a.user_id for a in (*first.plan.assignments, *second.plan.assignments))
    for record in people:
        # Before the day's first run; received over the whole day.
        assert record["leads_before_total"] == before[record["salesperson_id"]]
        assert record["leads_received"] == received.get(record["salesperson_id"], 0)
    history = rows(database_url, assignment_history)
    assert len(history) == len(first.plan.assignments) + len(second.plan.assignments)


def test_recording_a_run_again_adds_nothing(demo_dir: Path, database_url: URL) -> None:
    loaded = tracked_config(demo_dir, database_url)
    outcome = run_distribution(loaded, dry_run=False, options=OPTIONS)
    counts = [len(rows(database_url, t)) for t in (tracking, summary, assignment_history)]
    history = History(create_engine(database_url), loaded.config.tracking)
    plan = outcome.plan
    again = Outcome(False, plan.handed_out, projected_after(plan), 1.0, "completed")
    history.record(plan, again)
    history.record(plan, again)
    history.engine.dispose()
    assert [len(rows(database_url, t)) for t in (tracking, summary, assignment_history)] == counts
    received = Counter(a.user_id for a in plan.assignments)
    for record in rows(database_url, tracking):
        assert record["leads_received"] == received.get(record["salesperson_id"], 0)


def test_an_undone_run_is_marked_and_taken_off_the_counts(
    demo_dir: Path, database_url: URL
) -> None:
    loaded = tracked_config(demo_dir, database_url)
    outcome = run_distribution(loaded, dry_run=False, options=OPTIONS)
    result = undo(loaded, outcome.plan.run_id)
    assert result.restored == len(outcome.plan.assignments)
    history = rows(database_url, assignment_history)
    assert history and all(r["undone_at"] is not None for r in history)
    (row,) = rows(database_url, summary)
    assert row["run_status"] == "undone"
    for record in rows(database_url, tracking):
        assert record["leads_received"] == 0 and record["leads_distributed_from"] == 0
        assert record["leads_after_total"] == record["leads_before_total"]


def test_what_to_track_is_configurable(demo_dir: Path, database_url: URL) -> None:
    extra = "  track_individual_assignments: false\n  track_distribution_summary: false\n"
    config = demo_dir / "config.yaml"
    config.write_text(
        config.read_text().replace("  retention_days: 365\n", "  retention_days: 365\n" + extra)
    )
    loaded = tracked_config(demo_dir, database_url)
    outcome = run_distribution(loaded, dry_run=False, options=OPTIONS)
    assert rows(database_url, assignment_history) == [] and rows(database_url, summary) == []
    received = Counter(a.user_id for a in outcome.plan.assignments)
    for record in rows(database_url, tracking):
        assert record["leads_received"] == received.get(record["salesperson_id"], 0)


def test_no_history_without_tracking(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    config.write_text(
        config.read_text().replace("tracking:\n  enabled: true", "tracking:\n  enabled: false")
    )
    loaded = load_config(config)
    run_distribution(loaded, dry_run=False, options=OPTIONS)
    url = URL.create("sqlite", database=str(local_tracking_path(tracking_settings(loaded))))
    # The journal is kept (for resume and undo); the history tables stay empty.
    assert rows(url, summary) == [] and rows(url, tracking) == []


def test_a_saved_plan_applied_later_is_recorded_as_that_run(
    demo_dir: Path, database_url: URL, tmp_path: Path
) -> None:
    loaded = tracked_config(demo_dir, database_url)
    plan = run_distribution(loaded, dry_run=True, options=OPTIONS).plan
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan.to_json())
    outcome = apply_saved_plan(loaded, plan_file)
    assert outcome.applied is not None and outcome.applied.complete
    real = [r for r in rows(database_url, summary) if not r["dry_run"]]
    assert [r["run_id"] for r in real] == [plan.run_id]
    assert {r["run_id"] for r in rows(database_url, assignment_history)} == {plan.run_id}
