"""Level-based, proportional and capacity-based shares, and the exact splits under them."""

from __future__ import annotations

import pytest

from odoo_lead_manager.pipeline.strategies.shares import (
    StrategyUnavailable,
    largest_remainder,
    water_fill,
)
from tests.pipeline.leads import lead, person
from tests.pipeline.strategies.helpers import left, received, run, settings

LEVELS = {
    "junior": {"target_leads": 5, "priority": 2, "salespeople": ["Jo", "Kim"]},
    "senior": {"target_leads": 10, "priority": 1, "salespeople": ["Sam"]},
}
SAM, JO, KIM = person(1, "Sam"), person(2, "Jo"), person(3, "Kim")


def level_config(**options: object) -> object:
    return settings(strategy="level_based", level_based={"levels": LEVELS, **options})


def test_largest_remainder_is_exact_and_breaks_ties_by_order() -> None:
    assert largest_remainder(10, [2, 1, 1]) == [5, 3, 2]
    assert largest_remainder(7, [1, 1, 1]) == [3, 2, 2]
    assert largest_remainder(3, [0.1, 0.2, 0.7]) == [0, 1, 2]
    assert largest_remainder(5, [0, 0]) == [0, 0]
    assert sum(largest_remainder(1000, [0.3, 0.3, 0.3, 0.1])) == 1000


def test_water_fill_evens_out_and_respects_caps() -> None:
    assert water_fill(7, [None, None, None], [0, 0, 0]) == [3, 2, 2]
    assert water_fill(6, [7, 3], [-7, -3]) == [5, 1]  # the largest deficit first
    assert water_fill(6, [7, 3], [0, 0]) == [3, 3]
    assert water_fill(9, [2, 0, 3], [0, 0, 0]) == [2, 0, 3]


def test_level_based_fills_deficits_in_level_priority_order() -> None:
    leads = [lead(i) for i in range(1, 31)]
    result = run("level_based", leads, [JO, KIM, SAM], held={1: 3, 2: 1}, config=level_config())
    # Sam (senior, priority 1) misses 7; Jo 4 and Kim 5 (juniors); the other 14 stay.
    assert received(result) == {1: 7, 2: 4, 3: 5}
    assert left(result) and len(left(result)) == 14
    assert list(result.unassigned) == ["every salesperson is at target (allow_overflow is off)"]
    sam = next(a for a in result.assignments if a.user_id == 1)
    assert sam.reason == "level_based: senior (priority 1): deficit 7 of target 10"


def test_level_based_serves_the_higher_level_first_when_leads_are_short() -> None:
    result = run("level_based", [lead(i) for i in range(1, 6)], [JO, SAM], config=level_config())
    assert received(result) == {1: 5}


def test_highest_priority_first_fills_the_largest_deficit_first() -> None:
    levels = {"senior": {"target_leads": 10, "priority": 1}}
    config = settings(strategy="level_based", level_based={"levels": levels})
    people = [person(1, level="senior"), person(2, level="senior")]
    result = run(
        "level_based", [lead(i) for i in range(6)], people, held={1: 3, 2: 7}, config=config
    )
    assert received(result) == {1: 5, 2: 1}


def test_round_robin_within_level_deals_equal_counts() -> None:
    levels = {"senior": {"target_leads": 10, "priority": 1}}
    config = settings(
        strategy="level_based",
        level_based={"levels": levels, "fill_strategy": "round_robin_within_level"},
    )
    people = [person(1, level="senior"), person(2, level="senior")]
    result = run(
        "level_based", [lead(i) for i in range(6)], people, held={1: 3, 2: 7}, config=config
    )
    assert received(result) == {1: 3, 2: 3}


def test_overflow_goes_at_most_overflow_limit_percent_above_target() -> None:
    config = level_config(allow_overflow=True, overflow_limit=20)
    result = run(
        "level_based", [lead(i) for i in range(1, 31)], [SAM, JO], held={1: 10, 2: 5}, config=config
    )
    # Both at target: Sam may reach 12, Jo 6.
    assert received(result) == {1: 2, 2: 1}
    assert list(result.unassigned) == ["every salesperson is 20% over target (overflow_limit)"]


def test_a_salespersons_own_target_wins_over_the_level_target() -> None:
    own = person(1, "Sam", target_leads=4)
    result = run("level_based", [lead(i) for i in range(1, 31)], [own], config=level_config())
    assert received(result) == {1: 4}


def test_level_based_without_any_target_cannot_run() -> None:
    config = settings(
        strategy="level_based", level_based={"levels": {"senior": {"target_leads": 5}}}
    )
    with pytest.raises(StrategyUnavailable, match="no salesperson has one"):
        run("level_based", [lead(1)], [person(1)], config=config)


def test_proportional_shares_follow_weights_by_name_then_level() -> None:
    config = settings(
        strategy="proportional",
        randomize_order=False,
        proportional={"weights": {"Ann": 2, "junior": 1, "senior": 0}, "default_weight": 1},
    )
    people = [
        person(1, "Ann", level="junior"),
        person(2, "Ben", level="junior"),
        person(3, "Cy"),
        person(4, "Di", level="senior"),
    ]
    result = run("proportional", [lead(i) for i in range(1, 11)], people, config=config)
    assert received(result) == {1: 5, 2: 3, 3: 2}
    assert next(a for a in result.assignments if a.user_id == 1).reason == (
        "proportional: weight 2 of 4 (50%)"
    )


def test_proportional_with_no_weight_cannot_run() -> None:
    config = settings(strategy="proportional", proportional={"default_weight": 0})
    with pytest.raises(StrategyUnavailable, match="every salesperson's weight is 0"):
        run("proportional", [lead(1)], [person(1)], config=config)


def test_capacity_based_shares_remaining_capacity_and_never_exceeds_it() -> None:
    people = [person(1, target_leads=10), person(2, target_leads=10), person(3)]
    result = run("capacity_based", [lead(i) for i in range(1, 9)], people, held={1: 4, 2: 8})
    # Capacities 6 and 2: 8 leads split 6 and 2; person 3 has no target.
    assert received(result) == {1: 6, 2: 2}
    assert result.warnings == ("Person 3 has no target; capacity_based gives them no leads",)
    more = run("capacity_based", [lead(i) for i in range(1, 21)], people, held={1: 4, 2: 8})
    assert received(more) == {1: 6, 2: 2}
    assert list(more.unassigned) == ["no capacity left: every salesperson is at target"]


def test_capacity_based_without_targets_cannot_run() -> None:
    with pytest.raises(StrategyUnavailable, match="capacity_based needs targets"):
        run("capacity_based", [lead(1)], [person(1)])
