"""The report value: §8.1 content, date buckets, recommendations, masking."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.reporting.files import render_html
from odoo_lead_manager.reporting.report import build_report, date_buckets, recommendations
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.state.helpers import NOW, tiny_plan


def test_the_demo_report_has_the_spec_sections_and_adds_up(demo_dir: Path) -> None:
    plan = run_distribution(
        load_config(demo_dir / "config.yaml"), True, RunOptions(today=TODAY, seed=3)
    ).plan
    data = build_report(plan, None, 1.5, generated_at=NOW).to_dict()
    assert {"distribution_summary", "salesperson_summary", "lead_characteristics"} <= set(data)
    summary = data["distribution_summary"]
    assert summary["total_leads_found"] == plan.distributable
    assert summary["total_leads_distributed"] == len(plan.assignments)
    assert summary["leads_filtered_out"] == {k: v for k, v in plan.excluded.items()}
    people = {p["id"]: p for p in data["salesperson_summary"]}
    assert set(people) == {p.user_id for p in plan.salespeople}
    # Every lead handed out leaves its holder's count (the demo counts every status).
    taken = Counter(a.previous_user_id for a in plan.handed_out)
    assert sum(taken[p.user_id] for p in plan.salespeople) > 0
    for person in plan.salespeople:
        line = people[person.user_id]
        received = plan.received[person.user_id]
        assert line["current_leads"] == plan.workloads[person.user_id].total
        assert line["leads_received"] == received
        assert line["leads_taken"] == taken[person.user_id]
        assert line["new_total"] == line["current_leads"] - taken[person.user_id] + received
        assert line["utilization"] == round(100 * line["new_total"] / person.target_leads, 2)
    for counts in data["lead_characteristics"].values():
        assert sum(counts.values()) == len(plan.assignments)
    assert data["run"]["dry_run"] is True and data["run"]["execution_time_seconds"] == 1.5
    assert data["recommendations"]
    assert len(data["assignments"]) == len(plan.handed_out)


def test_date_buckets_by_age() -> None:
    today = date(2024, 6, 14)
    days = [date(2024, 6, 14), date(2024, 6, 7), date(2024, 6, 6), date(2024, 4, 15), None,
            date(2023, 1, 1), date(2024, 5, 15), date(2024, 5, 14)]  # fmt: skip
    assert date_buckets(today, days) == {
        "0-7 days": 2,
        "8-30 days": 2,
        "31-60 days": 2,
        "over 180 days": 1,
        "no date": 1,
    }


def test_recommendations_name_what_to_look_at() -> None:
    report = build_report(tiny_plan(), generated_at=NOW)
    advice = " ".join(report.recommendations)
    assert "1 lead not distributed (capacity)" in advice
    assert "Eligible but receiving no leads: Cleo" in advice
    empty = build_report(
        tiny_plan(distributable=0, assignments=(), unassigned={}, examined=10,
                  excluded={"Date range": 9}),
        generated_at=NOW,
    )  # fmt: skip
    advice = " ".join(recommendations(empty))
    assert "No distributable leads" in advice and '"Date range" removed 90%' in advice


def test_lead_names_are_masked_when_asked() -> None:
    plain = build_report(tiny_plan(), generated_at=NOW)
    masked = build_report(tiny_plan(), mask=True, generated_at=NOW)
    assert plain.assignments[0].lead == "John Smith"
    assert masked.assignments[0].lead == "J*** S***"
    assert "John" not in str(masked.to_dict())


def test_analytics_can_be_left_out() -> None:
    with_figures = build_report(tiny_plan(), generated_at=NOW).to_dict()
    assert with_figures["analytics"]["distribution_efficiency"] == 75.0
    assert with_figures["analytics"]["received_min"] == 0
    without = build_report(tiny_plan(), generated_at=NOW, analytics=False)
    assert "analytics" not in without.to_dict()
    assert "Distribution efficiency" not in render_html(without)


def test_the_time_a_report_was_made_carries_its_zone() -> None:
    stamp = build_report(tiny_plan()).to_dict()["run"]["generated_at"]
    assert datetime.fromisoformat(stamp).utcoffset() is not None
