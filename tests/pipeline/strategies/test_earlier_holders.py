"""A lead never goes back to its earlier holders (``distribution.never_back_to_last``), in
every strategy, and the chains of holders the history gives are read as meant."""

from __future__ import annotations

import pytest

from odoo_lead_manager.domain.holders import LONGEST_CHAIN, earlier_holders, holder_chains
from odoo_lead_manager.pipeline.strategies.engine import EARLIER_HOLDERS_ONLY
from tests.pipeline.leads import lead, person
from tests.pipeline.strategies.helpers import received, run, settings


def test_chains_are_read_oldest_first_with_repeats_said_once() -> None:
    rows = [(7, 1, 2), (7, 2, 3), (8, None, 4), (7, 1, 2), (9, 5, 5)]
    assert holder_chains(rows) == {7: (1, 2, 3, 1, 2), 8: (4,), 9: (5,)}
    long = [(1, uid, uid + 1) for uid in range(40)]
    assert len(holder_chains(long)[1]) == LONGEST_CHAIN


@pytest.mark.parametrize(
    ("chain", "current", "count", "barred"),
    [
        ((1, 2), 2, 2, {1}),  # moved 1 -> 2: not back to 1
        ((1, 2), 2, 1, set()),  # only the holder, as the R job
        ((1, 2, 3), 3, 3, {1, 2}),
        ((1, 2), 4, 2, {2}),  # reassigned by hand to 4 since: 2 held it before
        ((1, 2), None, 2, {2, 1}),  # nobody holds it now: its last two holders
        ((), 5, 2, set()),
    ],
)
def test_the_earlier_holders_of_a_lead(
    chain: tuple[int, ...], current: int | None, count: int, barred: set[int]
) -> None:
    assert earlier_holders(chain, current, count) == barred


@pytest.mark.parametrize("strategy", ["round_robin", "proportional", "capacity_based"])
def test_no_strategy_hands_a_lead_back_to_an_earlier_holder(strategy: str) -> None:
    people = [person(uid, target_leads=100) for uid in (1, 2, 3, 4)]
    leads = [lead(i, user_id=(i % 4) + 1) for i in range(1, 41)]
    # Each lead was held by the salesperson after its holder before.
    earlier = {lead.id: frozenset({(lead.id + 1) % 4 + 1}) for lead in leads}
    for seed in range(5):
        result = run(strategy, leads, people, seed=seed, earlier=earlier)
        assert result.unassigned == {}
        for a in result.assignments:
            assert a.user_id != a.previous_user_id and a.user_id not in earlier[a.lead_id]
        # Barring two of four per lead may bend an equal split by a lead: one nobody
        # else could take goes beyond someone's share.
        if strategy == "round_robin":
            counts = received(result).values()
            assert sum(counts) == 40 and max(counts) - min(counts) <= 2


def test_a_lead_only_its_earlier_holders_could_take_stays_with_the_reason() -> None:
    people = [person(1), person(2), person(3)]
    result = run("round_robin", [lead(1, user_id=1)], people, earlier={1: frozenset({2, 3})})
    assert result.assignments == []
    assert result.unassigned == {EARLIER_HOLDERS_ONLY: [1]}


def test_without_earlier_holders_the_split_is_as_before() -> None:
    people = [person(1), person(2), person(3)]
    leads = [lead(i, user_id=(i % 3) + 1) for i in range(1, 31)]
    config = settings(strategy="round_robin")
    assert run("round_robin", leads, people, config=config, seed=3) == run(
        "round_robin", leads, people, config=config, seed=3, earlier={}
    )
