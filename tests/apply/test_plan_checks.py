"""The pure checks of a plan file: its writes against its assignments and the rules."""

from __future__ import annotations

import pytest

from odoo_lead_manager.apply.plan_checks import WriteRules, format_problem, write_problems
from odoo_lead_manager.domain.model import Assignment
from odoo_lead_manager.domain.plan import PLAN_FORMAT, Plan, WriteGroup
from tests.state.helpers import tiny_plan

RULES = WriteRules(owner_fields=("user_id", "open_user_id"), status_reset="New")


def values(user: int, **more: object) -> dict[str, object]:
    return {"user_id": user, "open_user_id": user, "status": "New", **more}


def good(**changes: object) -> Plan:
    writes = (WriteGroup((101, 102), values(1)), WriteGroup((103,), values(2, team_id=5)))
    return tiny_plan(**{"writes": writes, "format_version": PLAN_FORMAT, **changes})


def test_a_consistent_plan_has_no_problem() -> None:
    assert write_problems(good(), RULES) == []
    assert format_problem(good()) is None


def test_dropped_back_leads_may_set_the_dropback_fields() -> None:
    dropback = (Assignment(201, 7, 3, "dropback: Voice"),)
    writes = (
        *good().writes,
        WriteGroup((201,), {"user_id": 7, "open_user_id": 7, "status": "Dropped", "priority": "2"}),
    )
    assert write_problems(good(dropback=dropback, writes=writes), RULES) == []
    # Reported only, dropback writes nothing: a write of its lead is then unassigned.
    reported = good(dropback=dropback, writes=writes, dropback_applied=False)
    assert "writes[2]: lead 201 is written but not assigned" in write_problems(reported, RULES)


@pytest.mark.parametrize(
    ("writes", "problem"),
    [
        ((WriteGroup((101, 102, 103), values(1)),),
         "writes[0]: lead 103 is assigned to user 2 but written to user 1"),
        ((WriteGroup((101, 102), {"user_id": 1, "status": "New"}), WriteGroup((103,), values(2))),
         "writes[0] does not set the configured owner field(s) open_user_id"),
        ((WriteGroup((101, 102), values(1, open_user_id=2)), WriteGroup((103,), values(2))),
         "writes[0] names different owners in user_id, open_user_id"),
        ((WriteGroup((101, 102), values(1, priority="3")), WriteGroup((103,), values(2))),
         "writes[0] writes field(s) the configuration does not: priority"),
        ((WriteGroup((101, 102), values(1, status="Won")), WriteGroup((103,), values(2))),
         "writes[0] sets status 'Won', not the configured distribution.status_reset 'New'"),
        ((WriteGroup((101, 102), values(1)), WriteGroup((103, 101), values(2))),
         "writes[1]: lead 101 is written twice"),
        ((WriteGroup((101, 102, 102), values(1)), WriteGroup((103,), values(2))),
         "writes[0] names a lead twice"),
        ((WriteGroup((101, 102), values(1)), WriteGroup((103, 999), values(2))),
         "writes[1]: lead 999 is written but not assigned"),
        ((WriteGroup((101,), values(1)), WriteGroup((103,), values(2))),
         "1 assigned lead(s) are not written (lead 102 first)"),
    ],
)  # fmt: skip
def test_writes_that_disagree_are_named(writes: tuple[WriteGroup, ...], problem: str) -> None:
    assert problem in write_problems(good(writes=writes), RULES)


def test_a_recipient_outside_the_salespeople_is_named() -> None:
    assignments = (*tiny_plan().assignments[:2], Assignment(103, 42, 9, "round_robin: turn 3"))
    writes = (WriteGroup((101, 102), values(1)), WriteGroup((103,), values(42)))
    problems = write_problems(good(assignments=assignments, writes=writes), RULES)
    assert problems == ["lead 103 is assigned to user 42, who is not one of the plan's salespeople"]


def test_a_salesperson_without_a_workload_is_named() -> None:
    workloads = dict(tiny_plan().workloads)
    del workloads[2]
    assert write_problems(good(workloads=workloads), RULES) == [
        "salesperson 2 has no workload in the plan"
    ]


def test_without_status_reset_no_status_is_written() -> None:
    rules = WriteRules(owner_fields=("user_id", "open_user_id"), status_reset=None)
    problems = write_problems(good(), rules)
    assert "writes[0] writes field(s) the configuration does not: status" in problems


def test_an_older_format_is_refused_with_the_version_that_made_it() -> None:
    problem = format_problem(good(format_version=0, odlm_version="0.0.9"))
    assert problem is not None
    assert "format 0 (made by odlm 0.0.9)" in problem and "make the plan again" in problem


@pytest.mark.parametrize("wrong", [0, -3, 2**31, 10**30])
def test_ids_no_crm_can_hold_are_refused_first(wrong: int) -> None:
    assignments = (*tiny_plan().assignments[:2], Assignment(wrong, 2, 9, "round_robin: turn 3"))
    writes = (WriteGroup((101, 102), values(1)), WriteGroup((wrong,), values(2)))
    problems = write_problems(good(assignments=assignments, writes=writes), RULES)
    assert problems == [f"2 id(s) are not CRM record ids (1 to 2,147,483,647): {wrong}"]
