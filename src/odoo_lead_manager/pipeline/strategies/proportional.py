"""``proportional`` (shares by weight) and ``capacity_based`` (shares by room left).

Both split with the largest-remainder method, so the parts add up to the
leads distributed exactly, and ties go to the earlier salesperson in turn
order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from odoo_lead_manager.config.schema.distribution import Proportional
from odoo_lead_manager.domain.model import Capacity, Salesperson
from odoo_lead_manager.pipeline.strategies.shares import (
    Shares,
    StrategyUnavailable,
    largest_remainder,
)


def proportional_weight(person: Salesperson, settings: Proportional) -> float:
    """A salesperson's weight: their own name's, else their level's, else the default."""
    weights = {key.casefold(): value for key, value in settings.weights.items()}
    if person.name.casefold() in weights:
        return weights[person.name.casefold()]
    if person.level is not None and person.level.casefold() in weights:
        return weights[person.level.casefold()]
    return settings.default_weight


def proportional_shares(
    people: Sequence[Salesperson], total: int, settings: Proportional
) -> Shares:
    """Quotas in proportion to each salesperson's weight (own name, else level, else default)."""
    each = [proportional_weight(p, settings) for p in people]
    whole = sum(each)
    if whole <= 0:
        raise StrategyUnavailable("proportional: every salesperson's weight is 0")
    parts = largest_remainder(total, each)
    return Shares(
        quota={p.user_id: n for p, n in zip(people, parts, strict=True)},
        cap={p.user_id: (None if w > 0 else 0) for p, w in zip(people, each, strict=True)},
        basis={
            p.user_id: f"weight {w:g} of {whole:g} ({100 * w / whole:.0f}%)"
            for p, w in zip(people, each, strict=True)
        },
        unplaced="",
    )


def capacity_shares(
    people: Sequence[Salesperson],
    current: Mapping[int, int],
    total: int,
    capacity: Mapping[int, Capacity] | None = None,
) -> Shares:
    """Quotas in proportion to remaining capacity (target - current), never above it.

    A member of an Odoo sales team (``capacity``) has the room Odoo gives them:
    ``assignment_max`` less the leads assigned to them in the last 30 days (the
    smaller of the two rooms when they also have a target).
    """
    capacity = capacity or {}
    if all(p.target_leads is None and p.user_id not in capacity for p in people):
        raise StrategyUnavailable(
            "capacity_based needs targets, and no salesperson has one (set target_leads)"
        )
    room = [_room(p, current, capacity) for p in people]
    parts = largest_remainder(min(total, sum(room)), room)
    return Shares(
        quota={p.user_id: n for p, n in zip(people, parts, strict=True)},
        cap={p.user_id: r for p, r in zip(people, room, strict=True)},
        basis={
            p.user_id: f"capacity {r} ({_room_basis(p, current, capacity)})"
            for p, r in zip(people, room, strict=True)
        },
        unplaced=f"no capacity left: every salesperson is {full_words(people, capacity)}",
        warnings=tuple(
            f"{p.name} has no target; capacity_based gives them no leads"
            for p in people
            if p.target_leads is None and p.user_id not in capacity
        ),
    )


def _room(person: Salesperson, current: Mapping[int, int], capacity: Mapping[int, Capacity]) -> int:
    rooms = []
    if person.target_leads is not None:
        rooms.append(max(0, person.target_leads - current.get(person.user_id, 0)))
    if person.user_id in capacity:
        rooms.append(capacity[person.user_id].left)
    return min(rooms, default=0)


def _room_basis(
    person: Salesperson, current: Mapping[int, int], capacity: Mapping[int, Capacity]
) -> str:
    parts = []
    if person.user_id in capacity:
        parts.append(capacity_text(capacity[person.user_id]))
    if person.target_leads is not None:
        parts.append(f"target {person.target_leads}, holds {current.get(person.user_id, 0)}")
    return "; ".join(parts) or "no target: no capacity"


def full_words(people: Sequence[Salesperson], capacity: Mapping[int, Capacity]) -> str:
    """How the salespeople are full: at their target, at Odoo's capacity, or either."""
    odoo = any(p.user_id in capacity for p in people)
    targets = any(p.target_leads is not None for p in people)
    if odoo and not targets:
        return "at their Odoo capacity (assignment_max leads per 30 days)"
    return "at target or at their Odoo capacity" if odoo else "at target"


def capacity_text(capacity: Capacity) -> str:
    """A member's Odoo capacity in Odoo's words, with the figures it is made of."""
    return (
        f"Odoo capacity {capacity.maximum} per 30 days, {capacity.used} assigned in the "
        f"last 30 days: {capacity.left} left"
    )
