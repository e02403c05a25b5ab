"""The invariants of every strategy, over generated inputs (hypothesis)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_lead_manager.domain.model import Lead, Salesperson
from odoo_lead_manager.pipeline.strategies import StrategyResult, StrategyUnavailable
from odoo_lead_manager.pipeline.strategies.people import levels_from, with_levels
from odoo_lead_manager.pipeline.strategies.shares import largest_remainder
from tests.pipeline.leads import lead, person
from tests.pipeline.strategies.helpers import received, run
from tests.pipeline.strategies.helpers import settings as distribution

LEVELS = ("senior", "mid_level", "junior")


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=6))
    people = [
        person(
            uid,
            level=draw(st.sampled_from([*LEVELS, None])),
            target_leads=draw(st.one_of(st.none(), st.integers(min_value=0, max_value=30))),
        )
        for uid in range(1, count + 1)
    ]
    held = {uid: draw(st.integers(min_value=0, max_value=30)) for uid in range(1, count + 1)}
    owners = st.one_of(st.none(), st.integers(min_value=1, max_value=count + 2))
    leads = [
        lead(i, user_id=draw(owners), priority=draw(st.integers(min_value=0, max_value=3)))
        for i in range(1, draw(st.integers(min_value=0, max_value=60)) + 1)
    ]
    strategy = draw(
        st.sampled_from(["round_robin", "proportional", "capacity_based", "level_based"])
    )
    config: dict[str, Any] = {"strategy": strategy}
    if strategy == "level_based":
        config["level_based"] = {
            "levels": {
                name: {
                    "target_leads": draw(st.integers(0, 30)),
                    "priority": draw(st.integers(1, 3)),
                }
                for name in LEVELS
            },
            "fill_strategy": draw(
                st.sampled_from(["highest_priority_first", "round_robin_within_level"])
            ),
            "allow_overflow": draw(st.booleans()),
            "overflow_limit": draw(st.integers(0, 50)),
        }
    if strategy == "proportional":
        config["proportional"] = {
            "weights": {name: draw(st.integers(0, 5)) for name in LEVELS},
            "default_weight": draw(st.integers(0, 3)),
        }
    if draw(st.booleans()):
        config["advanced_rules"] = {
            "priority_handling": {
                "high_priority_leads": draw(
                    st.sampled_from(["senior_only", "all_levels", "junior_first"])
                ),
                "low_priority_leads": draw(
                    st.sampled_from(["senior_only", "all_levels", "junior_first"])
                ),
            }
        }
    return {
        "strategy": strategy,
        "people": people,
        "held": held,
        "leads": leads,
        "config": distribution(**config),
        "seed": draw(st.integers(min_value=0, max_value=2**32 - 1)),
        "max_leads": draw(st.one_of(st.none(), st.integers(min_value=1, max_value=60))),
    }


def _ceiling(p: Salesperson, config: Any) -> int:
    if p.target_leads is None:
        return 0
    if config.level_based.allow_overflow:
        return int(p.target_leads * (100 + config.level_based.overflow_limit) // 100)
    return p.target_leads


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_strategy_invariants(case: dict[str, Any]) -> None:
    leads: list[Lead] = case["leads"]

    def distribute() -> StrategyResult:
        return run(
            case["strategy"],
            leads,
            case["people"],
            held=case["held"],
            config=case["config"],
            seed=case["seed"],
            max_leads=case["max_leads"],
        )

    try:
        result = distribute()
    except StrategyUnavailable:
        return
    ids = [a.lead_id for a in result.assignments]
    # Each lead at most once, and none lost.
    assert len(ids) == len(set(ids))
    unassigned = [i for group in result.unassigned.values() for i in group]
    assert sorted(ids + unassigned) == [x.id for x in leads]
    # Never to its current owner; never more than the run's limit or the shares.
    assert all(a.user_id != a.previous_user_id for a in result.assignments)
    limit = len(leads) if case["max_leads"] is None else min(case["max_leads"], len(leads))
    assert sum(result.quotas.values()) <= limit
    assert len(ids) <= sum(result.quotas.values())
    counts = received(result)
    resolved = {
        p.user_id: p for p in with_levels(case["people"], levels_from(case["config"], LEVELS))
    }
    for uid, got in counts.items():
        holds = case["held"][uid]
        if case["strategy"] == "level_based":
            # Nobody pushed over target (or over the overflow limit).
            assert holds + got <= _ceiling(resolved[uid], case["config"])
        if case["strategy"] == "capacity_based":
            assert got <= max(0, (resolved[uid].target_leads or 0) - holds)
    # Same inputs and seed, same plan.
    again = distribute()
    assert again.assignments == result.assignments and again.unassigned == result.unassigned


@settings(max_examples=200, deadline=None)
@given(
    lead_owners=st.lists(st.one_of(st.none(), st.integers(min_value=7, max_value=9)), max_size=80),
    people_count=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    max_leads=st.one_of(st.none(), st.integers(min_value=1, max_value=80)),
)
def test_round_robin_counts_differ_by_at_most_one(
    lead_owners: list[int | None], people_count: int, seed: int, max_leads: int | None
) -> None:
    leads = [lead(i + 1, user_id=owner) for i, owner in enumerate(lead_owners)]
    people = [person(i) for i in range(1, people_count + 1)]
    result = run("round_robin", leads, people, seed=seed, max_leads=max_leads)
    counts = [received(result).get(p.user_id, 0) for p in people]
    assert max(counts) - min(counts) <= 1
    assert sum(counts) == (len(leads) if max_leads is None else min(max_leads, len(leads)))


@settings(max_examples=200, deadline=None)
@given(
    owned=st.lists(st.integers(min_value=1, max_value=3), max_size=6),
    free=st.integers(min_value=6, max_value=40),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_round_robin_stays_even_when_a_few_leads_belong_to_salespeople(
    owned: list[int], free: int, seed: int
) -> None:
    # Enough leads nobody owns that exchanges can always keep the shares even.
    leads = [lead(i + 1, user_id=owner) for i, owner in enumerate(owned)]
    leads += [lead(100 + i) for i in range(free)]
    people = [person(1), person(2), person(3)]
    result = run("round_robin", leads, people, seed=seed)
    counts = Counter(a.user_id for a in result.assignments)
    assert max(counts.values()) - min(counts[p.user_id] for p in people) <= 1
    assert result.unassigned == {}


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=500),
    weights=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=8),
)
def test_largest_remainder_is_exact_and_within_one_of_the_exact_share(
    total: int, weights: list[int]
) -> None:
    parts = largest_remainder(total, weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / sum(weights)) < 1


@settings(max_examples=150, deadline=None)
@given(
    leads=st.integers(min_value=0, max_value=80),
    targets=st.lists(st.integers(min_value=0, max_value=20), min_size=2, max_size=5),
    held=st.lists(st.integers(min_value=0, max_value=20), min_size=5, max_size=5),
    priorities=st.lists(st.integers(min_value=1, max_value=3), min_size=5, max_size=5),
    fill=st.sampled_from(["highest_priority_first", "round_robin_within_level"]),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_level_priority_is_respected(
    leads: int, targets: list[int], held: list[int], priorities: list[int], fill: str, seed: int
) -> None:
    names = [f"L{i}" for i in range(len(targets))]
    levels = {
        name: {"target_leads": t, "priority": priorities[i], "salespeople": [f"P{i}"]}
        for i, (name, t) in enumerate(zip(names, targets, strict=True))
    }
    config = distribution(
        strategy="level_based", level_based={"levels": levels, "fill_strategy": fill}
    )
    people = [person(i + 1, f"P{i}") for i in range(len(targets))]
    holds = {i + 1: held[i] for i in range(len(targets))}
    result = run(
        "level_based",
        [lead(i) for i in range(1, leads + 1)],
        people,
        held=holds,
        config=config,
        seed=seed,
    )
    got = received(result)
    deficit = {i + 1: max(0, targets[i] - held[i]) for i in range(len(targets))}
    for i in range(len(targets)):
        for j in range(len(targets)):
            if priorities[j] < priorities[i] and got.get(i + 1, 0) > 0:
                # A lower-priority level receives only once every higher one is full.
                assert got.get(j + 1, 0) == deficit[j + 1]
    assert sum(got.values()) == min(leads, sum(deficit.values()))


OWNER_FIELDS = ("user_id", "open_user_id", "closer_id")


@st.composite
def held_apart(draw: st.DrawFn) -> dict[str, Any]:
    """Leads whose three owner fields disagree, and salespeople who hold some of them."""
    case = draw(scenarios())
    count = len(case["people"])
    owners = st.one_of(st.none(), st.integers(min_value=1, max_value=count + 2))
    leads = [replace(x, open_user_id=draw(owners), closer_id=draw(owners)) for x in case["leads"]]
    field = draw(st.sampled_from(OWNER_FIELDS))
    # Each salesperson holds the pool leads they hold and maybe more (their workload).
    releasing = Counter(getattr(x, field) for x in leads if getattr(x, field) is not None)
    held = {
        p.user_id: releasing.get(p.user_id, 0) + draw(st.integers(min_value=0, max_value=20))
        for p in case["people"]
    }
    return {**case, "leads": leads, "field": field, "held": held, "releasing": dict(releasing)}


@settings(max_examples=300, deadline=None)
@given(held_apart())
def test_no_strategy_hands_a_lead_back_to_its_holder_whatever_the_owner_field(
    case: dict[str, Any],
) -> None:
    field = case["field"]
    try:
        result = run(
            case["strategy"],
            case["leads"],
            case["people"],
            held=case["held"],
            config=case["config"],
            seed=case["seed"],
            max_leads=case["max_leads"],
            owner_field=field,
            releasing=case["releasing"],
        )
    except StrategyUnavailable:
        return
    holder = {x.id: getattr(x, field) for x in case["leads"]}
    for assignment in result.assignments:
        assert assignment.user_id != holder[assignment.lead_id]
        assert assignment.previous_user_id == holder[assignment.lead_id]
    # Target strategies fill deficits from what each keeps, never past the cap.
    resolved = {
        p.user_id: p for p in with_levels(case["people"], levels_from(case["config"], LEVELS))
    }
    for uid, got in received(result).items():
        keeps = case["held"][uid] - case["releasing"].get(uid, 0)
        if case["strategy"] == "level_based":
            assert keeps + got <= _ceiling(resolved[uid], case["config"])
        if case["strategy"] == "capacity_based":
            assert got <= max(0, (resolved[uid].target_leads or 0) - keeps)
