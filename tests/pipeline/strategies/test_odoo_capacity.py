"""Odoo's 30-day capacity (``source_type: odoo_team``) and Odoo 19's preferred domain, in
every strategy, over literal and generated data (hypothesis)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_lead_manager.domain.model import Capacity
from odoo_lead_manager.pipeline.strategies.caps import AT_CAPACITY
from tests.pipeline.leads import lead, person
from tests.pipeline.strategies.helpers import received, run
from tests.pipeline.strategies.helpers import settings as distribution

SINCE = datetime(2024, 5, 15, 9, 0)
STRATEGIES = ("round_robin", "proportional", "capacity_based", "level_based")
LEVELS = {
    "level_based": {"level_based": {"levels": {"senior": {"target_leads": 1000, "priority": 1}}}},
}


def config(name: str) -> Any:
    return distribution(strategy=name, **LEVELS.get(name, {}))


@st.composite
def teams(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=6))
    people = [person(uid, level="senior") for uid in range(1, count + 1)]
    capacity = {
        uid: Capacity(
            draw(st.integers(min_value=0, max_value=30)),
            draw(st.integers(min_value=0, max_value=40)),
            SINCE,
        )
        for uid in range(1, count + 1)
    }
    owners = st.one_of(st.none(), st.integers(min_value=1, max_value=count + 1))
    leads = [lead(i, user_id=draw(owners)) for i in range(1, draw(st.integers(1, 120)) + 1)]
    held = {uid: draw(st.integers(min_value=0, max_value=500)) for uid in capacity}
    return {
        "people": people,
        "leads": leads,
        "capacity": capacity,
        "held": held,
        "strategy": draw(st.sampled_from(STRATEGIES)),
        "seed": draw(st.integers(min_value=0, max_value=2**16)),
    }


@settings(max_examples=300, deadline=None)
@given(teams())
def test_no_strategy_takes_anyone_past_their_odoo_capacity(case: dict[str, Any]) -> None:
    capacity = case["capacity"]
    name = case["strategy"]
    result = run(
        name,
        case["leads"],
        case["people"],
        config=config(name),
        seed=case["seed"],
        held=case["held"],
        capacity=capacity,
    )
    got = received(result)
    for uid, cap in capacity.items():
        assert got[uid] <= cap.left
    # Nobody with room is left without leads while leads are left for want of room.
    left = sum(len(ids) for ids in result.unassigned.values())
    if left and AT_CAPACITY in result.unassigned:
        assert all(got[uid] == cap.left for uid, cap in capacity.items())


def test_capacity_not_leads_held_is_what_capacity_and_level_based_fill() -> None:
    # Holding 938 leads is no reason to receive none: 40 of capacity, 12 used, 28 left.
    people = [person(1, level="senior"), person(2, level="senior")]
    capacity = {1: Capacity(40, 12, SINCE), 2: Capacity(10, 10, SINCE)}
    leads = [lead(i, user_id=3) for i in range(1, 61)]
    for name in ("capacity_based", "level_based"):
        result = run(
            name, leads, people, config=config(name), held={1: 938, 2: 5}, capacity=capacity
        )
        assert received(result) == {1: 28}
        assert "Odoo capacity 40 per 30 days, 12 assigned in the last 30 days: 28 left" in (
            result.assignments[0].reason
        )
        assert "at their Odoo capacity" in next(iter(result.unassigned))


def test_a_member_at_capacity_is_held_back_with_the_figures() -> None:
    people = [person(1), person(2)]
    capacity = {1: Capacity(30, 30, SINCE), 2: Capacity(30, 0, SINCE)}
    leads = [lead(i, user_id=3) for i in range(1, 11)]
    result = run("round_robin", leads, people, capacity=capacity)
    assert received(result) == {2: 10}
    assert result.capped == {
        1: "Odoo capacity 30 per 30 days, 30 assigned in the last 30 days: 0 left"
    }


def test_a_preferred_domain_is_a_preference_not_a_restriction() -> None:
    people = [person(1), person(2)]
    leads = [lead(i) for i in range(1, 9)]
    for seed in range(30):
        # Member 1 prefers leads 1-3 and takes them first; both take any lead otherwise.
        result = run("round_robin", leads, people, seed=seed, prefers={1: frozenset({1, 2, 3})})
        given_to = {a.lead_id: a.user_id for a in result.assignments}
        assert all(given_to[i] == 1 for i in (1, 2, 3))
        assert received(result) == {1: 4, 2: 4}
        assert "matched preferred domain" in next(
            a.reason for a in result.assignments if a.lead_id == 1
        )


def test_a_preferred_domain_never_widens_the_assignment_domain() -> None:
    people = [person(1), person(2)]
    leads = [lead(i) for i in range(1, 7)]
    result = run(
        "round_robin",
        leads,
        people,
        accepts={1: frozenset({1, 2, 3})},
        prefers={1: frozenset({1})},
    )
    given_to = {a.lead_id: a.user_id for a in result.assignments}
    assert given_to[1] == 1
    assert all(given_to.get(i) != 1 for i in (4, 5, 6))
