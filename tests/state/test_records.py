"""The rows of the history, built from a plan: mappings, projections and the summary's figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from odoo_lead_manager.domain.model import Assignment
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.state.records import (
    Outcome,
    assignment_rows,
    count_columns,
    projected_after,
    salesperson_rows,
    status_column,
    summary_row,
)
from tests.state.helpers import NOW
from tests.state.helpers import tiny_plan as plan


@pytest.mark.parametrize(
    ("status", "column"),
    [
        ("New", "new"),
        ("Call Back", "call_back"),
        ("Call back", "call_back"),
        ("callback", "call_back"),
        ("In-Progress", "in_progress"),
        ("Full Pitch ", "full_pitch"),
        ("UTR", "utr"),
        ("Won", "won"),
        ("Lost", "lost"),
        ("Sold", None),
        ("", None),
    ],
)
def test_statuses_map_onto_the_spec_columns(status: str, column: str | None) -> None:
    assert status_column(status) == column


def test_counts_keep_the_whole_breakdown_beside_the_fixed_columns() -> None:
    row = count_columns("after", {"New": 3, "new": 1, "Sold": 2, "": 4})
    assert row["leads_after_new"] == 4 and row["leads_after_total"] == 10
    assert row["leads_after_lost"] == 0
    assert row["leads_after_by_status"] == {"New": 3, "new": 1, "Sold": 2, "(none)": 4}


def test_a_dry_runs_after_counts_move_leads_with_the_status_written() -> None:
    after = projected_after(plan())
    # Alice gains two leads, reset to New; Bob loses 101 (Call Back) and gains 103 as New.
    assert after == {1: {"Call Back": 2, "New": 3}, 2: {"Lost": 1, "New": 1}, 3: {}}
    # Only the leads a real run placed move.
    assert projected_after(plan(), {101})[2] == {"Lost": 1}


def test_the_summary_figures() -> None:
    p = plan()
    row = summary_row(p, Outcome(True, p.handed_out, {}, 1.234, "dry_run"), NOW)
    assert row["total_leads_found"] == 4 and row["total_leads_distributed"] == 3
    assert row["total_leads_not_distributed"] == 1
    assert row["distribution_efficiency_percentage"] == Decimal("75.0")
    assert row["total_salespeople_received_leads"] == 2
    assert row["average_leads_per_salesperson"] == Decimal("1.5")  # per receiving salesperson
    assert (row["max_leads_to_single_salesperson"], row["min_leads_to_single_salesperson"]) == (
        2,
        0,
    )
    assert row["leads_by_source"] == {"(none)": 1, "Facebook": 1, "Google" * 30: 1}
    assert row["leads_by_status"] == {"(none)": 1, "Call Back": 1, "Lost": 1}
    assert row["excluded_users"] == [{"name": "Drew", "reason": "excluded by name"}]
    assert row["execution_time_seconds"] == Decimal("1.23")
    empty = plan(distributable=0, assignments=(), salespeople=())
    row = summary_row(empty, Outcome(True, (), {}, 0.0, "dry_run"), NOW)
    assert row["distribution_efficiency_percentage"] == Decimal("0.00")
    assert row["max_leads_to_single_salesperson"] == row["min_leads_to_single_salesperson"] == 0


def test_dropped_back_leads_are_history_but_not_distributed() -> None:
    p = plan(dropback=(Assignment(105, 7, 1, "dropback: UTR"),), user_names={7: "Manager"})
    row = summary_row(p, Outcome(False, p.handed_out, {}, 1.0, "completed"), NOW)
    assert row["total_leads_distributed"] == 3 and row["total_leads_dropped_back"] == 1
    history = assignment_rows(p, p.handed_out, NOW)
    assert [r["distribution_reason"] for r in history][-1] == "dropback: UTR"
    reported_only = plan(dropback=p.dropback, dropback_applied=False)
    assert len(reported_only.handed_out) == 3


def test_long_values_are_cut_to_their_columns() -> None:
    p = plan()
    third = assignment_rows(p, p.assignments, NOW)[2]
    assert len(third["distribution_reason"]) == 255 and len(third["lead_source"]) == 100
    assert third["previous_user_name"] == "Zed"
    assert assignment_rows(p, p.assignments, NOW)[1]["previous_user_name"] is None


def test_utilisation_and_activity() -> None:
    p = plan()
    after = {1: {"New": 5}, 2: {"New": 1}, 3: {}}
    alice, bob, cleo = salesperson_rows(
        p, Outcome(False, (), after, 0, "completed"), {1: 2}, {}, NOW
    )
    assert alice["utilization_percentage"] == Decimal("50.0") and alice["leads_received"] == 2
    assert bob["utilization_percentage"] == Decimal("0.00") and bob["target_leads"] == 0
    assert cleo["active_status"] is False and alice["active_status"] is True


def test_the_facts_travel_with_a_saved_plan() -> None:
    p = plan(
        seen_write_dates={101: None, 102: None, 103: "2024-06-01 10:00:00"},
        seen_owners={101: 2, 102: None, 103: 9},
    )
    again = Plan.from_json(p.to_json())
    assert again.lead_facts == p.lead_facts and again == p
