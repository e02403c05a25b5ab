"""Assignment domains (``source_type: odoo_team``): a salesperson with one only takes the leads
it accepts, over generated leads, people and domains (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_lead_manager.pipeline.strategies.engine import OUTSIDE_DOMAINS
from tests.pipeline.leads import lead, person
from tests.pipeline.strategies.helpers import run

STRATEGIES = ("round_robin", "proportional", "capacity_based")


@st.composite
def restricted(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=2, max_value=6))
    people = [
        person(uid, target_leads=draw(st.integers(min_value=0, max_value=40)))
        for uid in range(1, count + 1)
    ]
    ids = range(1, draw(st.integers(min_value=1, max_value=80)) + 1)
    owners = st.one_of(st.none(), st.integers(min_value=1, max_value=count + 1))
    leads = [lead(i, user_id=draw(owners)) for i in ids]
    chosen = draw(st.sets(st.integers(min_value=1, max_value=count), min_size=1))
    accepts = {uid: frozenset(draw(st.sets(st.sampled_from(list(ids))))) for uid in chosen}
    return {
        "people": people,
        "leads": leads,
        "accepts": accepts,
        "strategy": draw(st.sampled_from(STRATEGIES)),
        "seed": draw(st.integers(min_value=0, max_value=2**16)),
    }


@settings(max_examples=300, deadline=None)
@given(restricted())
def test_nobody_takes_a_lead_outside_their_domain(case: dict[str, Any]) -> None:
    accepts = case["accepts"]
    result = run(
        case["strategy"], case["leads"], case["people"], seed=case["seed"], accepts=accepts
    )
    owners = {x.id: x.user_id for x in case["leads"]}
    placed = {a.lead_id for a in result.assignments}
    for a in result.assignments:
        assert a.user_id not in accepts or a.lead_id in accepts[a.user_id]
        assert a.user_id != owners[a.lead_id]
    left = {i for ids in result.unassigned.values() for i in ids}
    assert placed.isdisjoint(left) and placed | left == set(owners)
    everyone = [p.user_id for p in case["people"]]
    # A lead no one but its owner may take is left, and says so.
    for lead_id in result.unassigned.get(OUTSIDE_DOMAINS, []):
        takers = [u for u in everyone if u != owners[lead_id]]
        assert not any(u not in accepts or lead_id in accepts[u] for u in takers)
    if case["strategy"] == "round_robin":
        # Round robin caps nobody: every lead someone else may take is placed.
        for lead_id in left:
            takers = [u for u in everyone if u != owners[lead_id]]
            assert not any(u not in accepts or lead_id in accepts[u] for u in takers)


def test_the_narrowest_leads_go_first_so_the_domains_are_all_served() -> None:
    # Two leads, two people, shares of one each: lead 1 only Bob may take. Taken in a bad
    # order, Bob would take lead 2 and lead 1 would stay.
    people = [person(1), person(2)]
    leads = [lead(1), lead(2)]
    for seed in range(20):
        result = run("round_robin", leads, people, seed=seed, accepts={2: frozenset({1})})
        assert {(a.lead_id, a.user_id) for a in result.assignments} == {(1, 2), (2, 1)}
        assert "matched assignment domain" in next(
            a.reason for a in result.assignments if a.user_id == 2
        )
