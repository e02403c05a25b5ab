"""Round robin with the legacy pipeline's semantics (spec §4.2, §17.3).

The R function ``dist_round_robin`` shuffles the salespeople once, then lets
each in turn take one randomly sampled lead that it does not already own,
until the leads run out. Sampling a random lead not owned by the taker is the
same as taking the first such lead in one random permutation of the pool,
which is how this does it in O(leads + rounds x salespeople): leads skipped
because the taker owns them wait in a buffer; every lead in that buffer has
that same owner, so the next taker either is that owner (and skips the
buffer) or takes its head.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence

from odoo_lead_manager.model import Assignment, Lead, Salesperson

REASON = "round_robin"
OWN_LEADS_ONLY = "only its current owner could take it"
OVER_LIMIT = "over the per-run limit (max_leads_per_run)"


def order_salespeople(
    salespeople: Sequence[Salesperson], order: str, rng: random.Random
) -> list[Salesperson]:
    """The turn order: random (legacy), alphabetical, or by seniority then name."""
    people = sorted(salespeople, key=lambda p: (p.name.casefold(), p.user_id))
    if order == "alphabetical":
        return people
    if order == "seniority":
        rank = {"senior": 0, "mid_level": 1, "junior": 2}
        return sorted(people, key=lambda p: rank.get(p.level or "", len(rank)))
    rng.shuffle(people)
    return people


def round_robin(
    leads: Sequence[Lead],
    salespeople: Sequence[Salesperson],
    rng: random.Random,
    order: str = "random",
    max_leads: int | None = None,
) -> tuple[list[Assignment], dict[str, list[int]]]:
    """One lead to each salesperson in turn; never a lead to its current owner.

    Returns the assignments in the order they were made and the leads that
    could not be placed, by reason: a lead whose only possible taker is its
    own owner stays where it is, and leads beyond ``max_leads`` are left for
    another run.
    """
    pool = sorted(leads, key=lambda lead: lead.id)
    rng.shuffle(pool)
    takers = order_salespeople(salespeople, order, rng)
    limit = len(pool) if max_leads is None else min(max_leads, len(pool))
    assignments: list[Assignment] = []
    if not takers:
        return assignments, {"no eligible salespeople": [lead.id for lead in pool]} if pool else {}

    stream = deque(pool)
    waiting: deque[Lead] = deque()  # all owned by `waiting_owner`, earlier in the permutation
    waiting_owner: int | None = None

    def take(user_id: int) -> Lead | None:
        nonlocal waiting_owner
        if waiting and waiting_owner != user_id:
            return waiting.popleft()
        while stream:
            lead = stream.popleft()
            if lead.user_id != user_id:
                return lead
            waiting.append(lead)
            waiting_owner = user_id
        return None

    while len(assignments) < limit:
        progressed = False
        for person in takers:
            if len(assignments) >= limit:
                break
            lead = take(person.user_id)
            if lead is None:
                continue
            progressed = True
            assignments.append(Assignment(lead.id, person.user_id, lead.user_id, REASON))
        if not progressed:
            break

    unassigned: dict[str, list[int]] = {}
    leftover = [lead.id for lead in waiting] + [lead.id for lead in stream]
    if leftover:
        reason = (
            OVER_LIMIT if len(assignments) >= limit and max_leads is not None else OWN_LEADS_ONLY
        )
        unassigned[reason] = sorted(leftover)
    return assignments, unassigned
