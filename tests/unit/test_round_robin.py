import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_lead_manager.strategies.round_robin import OVER_LIMIT, OWN_LEADS_ONLY, round_robin

from .leads import lead, person


def test_one_each_in_turn_and_never_to_the_owner() -> None:
    people = [person(1), person(2), person(3)]
    leads = [lead(i, user_id=(i % 4) or None) for i in range(1, 31)]
    assignments, unassigned = round_robin(leads, people, random.Random(7))
    assert unassigned == {}
    assert sorted(a.lead_id for a in assignments) == list(range(1, 31))
    assert all(a.user_id != a.previous_user_id for a in assignments)
    assert sorted(Counter(a.user_id for a in assignments).values()) == [10, 10, 10]
    # The first three assignments go to three different people: one each in turn.
    assert len({a.user_id for a in assignments[:3]}) == 3


def test_a_lead_only_its_owner_could_take_stays() -> None:
    assignments, unassigned = round_robin(
        [lead(1, user_id=1), lead(2, user_id=2)], [person(1)], random.Random(1)
    )
    assert [(a.lead_id, a.user_id) for a in assignments] == [(2, 1)]
    assert unassigned == {OWN_LEADS_ONLY: [1]}


def test_max_leads_caps_the_run() -> None:
    leads = [lead(i) for i in range(1, 11)]
    assignments, unassigned = round_robin(
        leads, [person(1), person(2)], random.Random(3), max_leads=4
    )
    assert len(assignments) == 4
    assert len(unassigned[OVER_LIMIT]) == 6


def test_no_salespeople_leaves_everything() -> None:
    assignments, unassigned = round_robin([lead(1)], [], random.Random(0))
    assert assignments == []
    assert unassigned == {"no eligible salespeople": [1]}


def test_alphabetical_order_is_deterministic_without_randomness_in_the_order() -> None:
    people = [person(2, "Bob"), person(1, "alice"), person(3, "Carol")]
    assignments, _ = round_robin(
        [lead(i) for i in range(1, 4)], people, random.Random(5), order="alphabetical"
    )
    assert [a.user_id for a in assignments] == [1, 2, 3]


owners = st.one_of(st.none(), st.integers(min_value=1, max_value=6))


@settings(max_examples=200, deadline=None)
@given(
    lead_owners=st.lists(owners, max_size=60),
    people_count=st.integers(min_value=1, max_value=5),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_round_robin_invariants(
    lead_owners: list[int | None], people_count: int, seed: int
) -> None:
    leads = [lead(i + 1, user_id=owner) for i, owner in enumerate(lead_owners)]
    people = [person(i) for i in range(1, people_count + 1)]
    assignments, unassigned = round_robin(leads, people, random.Random(seed))

    assigned_ids = [a.lead_id for a in assignments]
    assert len(assigned_ids) == len(set(assigned_ids))  # each lead at most once
    left = [i for ids in unassigned.values() for i in ids]
    assert sorted(assigned_ids + left) == [x.id for x in leads]  # nothing lost
    assert all(a.user_id != a.previous_user_id for a in assignments)
    # A lead stays only when every salesperson but its owner... is its owner: one person.
    by_id = {x.id: x for x in leads}
    for lead_id in left:
        assert people_count == 1 and by_id[lead_id].user_id == 1
    # Counts differ by at most one when no lead is owned by a salesperson.
    if all(x.user_id is None or x.user_id > people_count for x in leads):
        counts = Counter(a.user_id for a in assignments)
        per_person = [counts.get(p.user_id, 0) for p in people]
        assert max(per_person) - min(per_person) <= 1
    # Same inputs and seed, same assignments.
    again, _ = round_robin(leads, people, random.Random(seed))
    assert again == assignments
