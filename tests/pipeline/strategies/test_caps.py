"""Caps over time (``distribution.caps``) and ``consider_weekend_workload``, on literal data."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_lead_manager.config.schema.distribution import Caps
from odoo_lead_manager.domain.model import Lead, Salesperson, Workload
from odoo_lead_manager.domain.received import history_start
from odoo_lead_manager.pipeline.strategies import StrategyInput, distribute
from odoo_lead_manager.pipeline.strategies.balancing import balance
from odoo_lead_manager.pipeline.strategies.caps import (
    AT_CAP,
    Room,
    apply_caps,
    limits_for,
    rooms,
    unknown_names,
    weekend_received,
)
from odoo_lead_manager.pipeline.strategies.people import levels_from, with_levels
from odoo_lead_manager.pipeline.strategies.shares import Shares
from tests.pipeline.strategies.helpers import run
from tests.pipeline.strategies.helpers import settings as distribution

# A Wednesday; its ISO week starts on Monday 2024-06-10.
WEDNESDAY = date(2024, 6, 12)
MONDAY = date(2024, 6, 10)
ALICE = Salesperson("Alice Smith", 1, "Voice", level="senior")
BOB = Salesperson("Bob Johnson", 2, "Voice", level="junior")
CAROL = Salesperson("Carol Williams", 3, "Voice")
PEOPLE = [ALICE, BOB, CAROL]


def caps(**values: object) -> Caps:
    return Caps.model_validate(values)


def leads(count: int) -> list[Lead]:
    return [Lead(id=i, name=f"Lead {i}") for i in range(1, count + 1)]


def test_a_salespersons_own_cap_wins_over_the_level_and_the_default_period_by_period() -> None:
    settings_ = caps(
        default={"per_day": 10, "per_week": 40, "per_month": 100},
        levels={"SENIOR": {"per_day": 20}},
        salespeople={"alice smith": {"per_week": 60}},
    )
    alice = limits_for(ALICE, settings_)
    assert (alice.per_run, alice.per_day, alice.per_week, alice.per_month) == (None, 20, 60, 100)
    bob = limits_for(BOB, settings_)
    assert (bob.per_day, bob.per_week, bob.per_month) == (10, 40, 100)


def test_each_period_counts_its_own_calendar_days() -> None:
    received = (
        (1, date(2024, 5, 31), 50),  # last month: counts for nothing
        (1, date(2024, 6, 9), 7),  # last Sunday: this month, not this week
        (1, MONDAY, 5),  # this week
        (1, WEDNESDAY, 2),  # today, an earlier run
        (1, date(2024, 6, 13), 9),  # after the run's day: never counted
        (2, MONDAY, 30),  # someone else's
    )
    settings_ = caps(default={"per_day": 3, "per_week": 10, "per_month": 15})
    room = rooms([ALICE], settings_, received, WEDNESDAY, weekend=False)[ALICE.user_id]
    # Day: 3 - 2 = 1; week: 10 - 7 = 3; month: 15 - 14 = 1. The day's cap is met first.
    assert room == Room(1, "per_day cap 3: 2 received today")
    settings_ = caps(default={"per_week": 10, "per_month": 15})
    room = rooms([ALICE], settings_, received, WEDNESDAY, weekend=False)[ALICE.user_id]
    assert room == Room(1, "per_month cap 15: 14 received this month")
    settings_ = caps(default={"per_run": 4})
    assert rooms([ALICE], settings_, received, WEDNESDAY, False)[1] == Room(4, "per_run cap 4")


def test_salespeople_without_a_cap_have_no_room_entry() -> None:
    settings_ = caps(salespeople={"Alice Smith": {"per_day": 5}})
    assert set(rooms(PEOPLE, settings_, (), WEDNESDAY, False)) == {ALICE.user_id}


def test_what_a_cap_holds_back_goes_to_those_with_room() -> None:
    result = run(
        "round_robin",
        leads(12),
        PEOPLE,
        config=distribution(strategy="round_robin"),
    )
    assert sorted(result.quotas.values()) == [4, 4, 4]
    shares = Shares(
        quota={1: 4, 2: 4, 3: 4}, cap={1: None, 2: None, 3: None}, basis={}, unplaced="none"
    )
    limited, capped = apply_caps(shares, [1, 2, 3], {1: Room(1, "per_day cap 3: 2 received today")})
    assert limited.quota == {1: 1, 2: 6, 3: 5}
    assert limited.cap[1] == 1
    assert capped == {1: "per_day cap 3: 2 received today"}


def test_when_everyone_is_at_a_cap_the_rest_stays_with_its_reason() -> None:
    shares = Shares(quota={1: 4, 2: 4}, cap={1: None, 2: None}, basis={1: "", 2: ""}, unplaced="-")
    room = {1: Room(0, "per_week cap 10: 10 received this week"), 2: Room(2, "per_run cap 2")}
    limited, capped = apply_caps(shares, [1, 2], room)
    assert limited.quota == {1: 0, 2: 2}
    assert limited.unplaced == AT_CAP
    assert set(capped) == {1, 2}
    assert limited.basis[1] == " (share 4 lowered to 0 by distribution.caps)"


def test_a_strategy_run_never_hands_anyone_more_than_their_room() -> None:
    config = distribution(strategy="round_robin")
    levels = levels_from(config, ("senior", "junior"))
    data = StrategyInput(
        leads=leads(30),
        salespeople=with_levels(PEOPLE, levels),
        workloads={p.user_id: Workload(p.user_id, 0) for p in PEOPLE},
        settings=config,
        levels=levels,
        cycle="2024-06-12",
        rooms={1: Room(3, "per_day cap 3: 0 received today"), 2: Room(5, "per_run cap 5")},
    )
    result = distribute("round_robin", data, random.Random(1))
    given_ = {uid: 0 for uid in (1, 2, 3)}
    for assignment in result.assignments:
        given_[assignment.user_id] += 1
    assert given_ == {1: 3, 2: 5, 3: 22}
    assert result.capped == {1: "per_day cap 3: 0 received today", 2: "per_run cap 5"}
    assert all("lowered" in a.reason for a in result.assignments if a.user_id in (1, 2))


def test_the_weekend_counts_toward_monday_only() -> None:
    received = ((1, date(2024, 6, 8), 3), (1, date(2024, 6, 9), 4), (2, date(2024, 6, 7), 9))
    assert weekend_received(received, MONDAY) == {1: 7}
    assert weekend_received(received, WEDNESDAY) == {}
    assert history_start(MONDAY, weekend=True) == date(2024, 6, 1)
    # A Monday at the start of a month reaches back to the Saturday before.
    assert history_start(date(2024, 7, 1), weekend=True) == date(2024, 6, 29)
    assert history_start(date(2024, 7, 1), weekend=False) == date(2024, 7, 1)
    settings_ = caps(default={"per_day": 10})
    with_weekend = rooms([ALICE], settings_, received, MONDAY, weekend=True)
    assert with_weekend[1] == Room(3, "per_day cap 10: 7 received today, with the weekend")
    assert rooms([ALICE], settings_, received, MONDAY, weekend=False)[1].limit == 10


def test_monday_bounds_of_workload_balancing_count_the_weekend() -> None:
    rules = distribution(
        strategy="round_robin",
        advanced_rules={
            "workload_balancing": {
                "enabled": True,
                "max_daily_distribution": 6,
                "min_daily_distribution": 2,
                "consider_weekend_workload": True,
            }
        },
    ).advanced_rules
    assert rules is not None
    shares = Shares(
        quota={1: 5, 2: 5, 3: 0}, cap={1: None, 2: None, 3: None}, basis={}, unplaced="-"
    )
    # Alice had 4 over the weekend: room 2; the 3 over it go to the smallest share.
    balanced = balance(shares, [1, 2, 3], rules.workload_balancing, {1: 4, 3: 2})
    assert balanced.quota == {1: 2, 2: 5, 3: 3}
    # Carol had 2 over the weekend: Monday's minimum of 2 is met without a lead today.
    shares = Shares(quota={1: 4, 2: 0, 3: 0}, cap=dict.fromkeys((1, 2, 3)), basis={}, unplaced="-")
    balanced = balance(shares, [1, 2, 3], rules.workload_balancing, {3: 2})
    assert balanced.quota == {1: 2, 2: 2, 3: 0}


def test_names_and_levels_matching_nobody_are_named() -> None:
    settings_ = caps(salespeople={"Zed Nobody": {"per_day": 1}}, levels={"intern": {}})
    assert unknown_names(settings_, PEOPLE) == [
        "distribution.caps.salespeople: 'Zed Nobody' is not a salesperson of this campaign",
        "distribution.caps.levels: no salesperson of this campaign has level 'intern'",
    ]


@settings(max_examples=200, deadline=None)
@given(
    quotas=st.lists(st.integers(0, 40), min_size=1, max_size=6),
    limits=st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=6, max_size=6),
)
def test_no_one_exceeds_their_room_and_nothing_is_lost_while_someone_has_room(
    quotas: list[int], limits: list[int | None]
) -> None:
    turn = list(range(1, len(quotas) + 1))
    shares = Shares(
        quota=dict(zip(turn, quotas, strict=True)),
        cap=dict.fromkeys(turn),
        basis=dict.fromkeys(turn, ""),
        unplaced="-",
    )
    room = {
        uid: Room(limit, "cap")
        for uid, limit in zip(turn, limits[: len(turn)], strict=True)
        if limit is not None
    }
    limited, capped = apply_caps(shares, turn, room)
    for uid in turn:
        if uid in room:
            assert limited.quota[uid] <= room[uid].limit
    total, kept = sum(quotas), sum(limited.quota.values())
    if any(uid not in room for uid in turn):
        assert kept == total  # someone without a cap takes the rest
    else:
        assert kept == min(total, sum(r.limit for r in room.values()) if room else total)
    assert set(capped) == {uid for uid in room if limited.quota[uid] < shares.quota[uid]}


def test_history_start_covers_the_week_and_the_month() -> None:
    for offset in range(60):
        day = date(2024, 1, 1) + timedelta(days=offset)
        start = history_start(day, weekend=False)
        assert start <= day.replace(day=1)
        assert start <= day - timedelta(days=day.weekday())
