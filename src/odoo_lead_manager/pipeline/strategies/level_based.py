"""``level_based`` (spec §4.1): fill each salesperson's deficit, highest-priority level first.

The deficit is target minus the leads held now. Levels are served in
priority order (1 first); within a level, ``highest_priority_first`` gives
each lead to whoever misses the most (so deficits even out) and
``round_robin_within_level`` deals one lead each in turn (so counts even
out), never above a deficit. When every deficit is filled and
``allow_overflow`` is set, the leads left go out the same way up to
``overflow_limit`` percent above each target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby

from odoo_lead_manager.config.schema.distribution import LevelBased
from odoo_lead_manager.domain.model import Capacity, Salesperson
from odoo_lead_manager.pipeline.strategies.people import Levels
from odoo_lead_manager.pipeline.strategies.proportional import capacity_text, full_words
from odoo_lead_manager.pipeline.strategies.shares import Shares, StrategyUnavailable, water_fill


def level_based_shares(
    people: Sequence[Salesperson],
    current: Mapping[int, int],
    total: int,
    settings: LevelBased,
    levels: Levels,
    capacity: Mapping[int, Capacity] | None = None,
) -> Shares:
    """The §4.1 quotas for ``total`` leads; ``people`` in turn order.

    A member of an Odoo sales team (``capacity``) has Odoo's remaining 30-day
    capacity as their deficit (the smaller one when they also have a target),
    and overflow never takes them past it.
    """
    capacity = capacity or {}
    targeted = [p for p in people if p.target_leads is not None or p.user_id in capacity]
    target = {p.user_id: p.target_leads for p in people if p.target_leads is not None}
    if not targeted:
        raise StrategyUnavailable(
            "level_based needs targets, and no salesperson has one (set target_leads in "
            "the campaign table or list them under distribution.level_based.levels)"
        )
    quota = {p.user_id: 0 for p in people}
    cap: dict[int, int | None] = {p.user_id: 0 for p in people}
    basis = {p.user_id: "no target: level_based gives no leads" for p in people}
    warnings = tuple(
        f"{p.name} has no level target; level_based gives them no leads"
        for p in people
        if p.target_leads is None and p.user_id not in capacity
    )
    deficit: dict[int, int] = {}
    ceiling: dict[int, int] = {}
    for p in targeted:
        uid = p.user_id
        held = current.get(uid, 0)
        own = target.get(uid)
        below = [] if own is None else [max(0, own - held)]
        above = [] if own is None else [max(0, own * (100 + settings.overflow_limit) // 100 - held)]
        if uid in capacity:
            below.append(capacity[uid].left)
            above.append(capacity[uid].left)
        deficit[uid], ceiling[uid] = min(below), min(above)
    by_priority = [
        list(group)
        for _, group in groupby(
            sorted(targeted, key=lambda p: levels.priority(p.level)),
            key=lambda p: levels.priority(p.level),
        )
    ]
    left = total
    rooms = [deficit] + ([ceiling] if settings.allow_overflow else [])
    for room in rooms:
        for group in by_priority:
            if left == 0:
                break
            ids = [p.user_id for p in group]
            space = [room[i] - quota[i] for i in ids]
            start = (
                [-s for s in space]
                if settings.fill_strategy == "highest_priority_first"
                else [quota[i] for i in ids]
            )
            for user_id, extra in zip(ids, water_fill(left, space, start), strict=True):
                quota[user_id] += extra
                left -= extra
    for p in targeted:
        uid = p.user_id
        cap[uid] = ceiling[uid] if settings.allow_overflow else deficit[uid]
        parts = [] if uid not in capacity else [capacity_text(capacity[uid])]
        if uid in target:
            missing = max(0, target[uid] - current.get(uid, 0))
            parts.append(f"deficit {missing} of target {target[uid]}")
        level = f"{p.level or 'no level'} (priority {levels.priority(p.level)})"
        basis[uid] = f"{level}: {'; '.join(parts)}"
    unplaced = (
        f"every salesperson is {settings.overflow_limit}% over target (overflow_limit)"
        if settings.allow_overflow
        else "every salesperson is at target (allow_overflow is off)"
    )
    if capacity:
        unplaced = f"every salesperson is {full_words(people, capacity)}"
    return Shares(quota, cap, basis, unplaced, warnings)
