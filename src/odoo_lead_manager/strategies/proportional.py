"""``proportional`` (shares by weight) and ``capacity_based`` (shares by room left).

Both split with the largest-remainder method, so the parts add up to the
leads distributed exactly, and ties go to the earlier salesperson in turn
order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from odoo_lead_manager.config.schema.distribution import Proportional
from odoo_lead_manager.model import Salesperson
from odoo_lead_manager.strategies.shares import Shares, StrategyUnavailable, largest_remainder


def proportional_shares(
    people: Sequence[Salesperson], total: int, settings: Proportional
) -> Shares:
    """Quotas in proportion to each salesperson's weight (own name, else level, else default)."""
    weights = {key.casefold(): value for key, value in settings.weights.items()}

    def weight(person: Salesperson) -> float:
        if person.name.casefold() in weights:
            return weights[person.name.casefold()]
        if person.level is not None and person.level.casefold() in weights:
            return weights[person.level.casefold()]
        return settings.default_weight

    each = [weight(p) for p in people]
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
    people: Sequence[Salesperson], current: Mapping[int, int], total: int
) -> Shares:
    """Quotas in proportion to remaining capacity (target - current), never above it."""
    if all(p.target_leads is None for p in people):
        raise StrategyUnavailable(
            "capacity_based needs targets, and no salesperson has one (set target_leads)"
        )
    room = [
        max(0, p.target_leads - current.get(p.user_id, 0)) if p.target_leads is not None else 0
        for p in people
    ]
    parts = largest_remainder(min(total, sum(room)), room)
    return Shares(
        quota={p.user_id: n for p, n in zip(people, parts, strict=True)},
        cap={p.user_id: r for p, r in zip(people, room, strict=True)},
        basis={
            p.user_id: (
                f"capacity {r} (target {p.target_leads}, holds {current.get(p.user_id, 0)})"
                if p.target_leads is not None
                else "no target: no capacity"
            )
            for p, r in zip(people, room, strict=True)
        },
        unplaced="no capacity left: every salesperson is at target",
        warnings=tuple(
            f"{p.name} has no target; capacity_based gives them no leads"
            for p in people
            if p.target_leads is None
        ),
    )
