"""Workload balancing (spec §4.3): per-run bounds on what one salesperson receives.

``max_daily_distribution`` caps each share; what a cap removes goes to the
salespeople with the smallest shares who still have room (within their own
caps), and stays undistributed when nobody has. ``min_daily_distribution``
then raises small shares by taking from the largest ones (one lead at a
time, never below the minimum) — within each salesperson's cap, so a
target-based strategy still never puts anyone above target. Totals are
unchanged except for leads no one may take.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from odoo_lead_manager.config.schema.distribution import WorkloadBalancing
from odoo_lead_manager.pipeline.strategies.shares import Shares, water_fill

OVER_MAXIMUM = "every salesperson has max_daily_distribution leads"


def limit_shares(
    shares: Shares, turn: list[int], limits: Mapping[int, int], full: str, key: str
) -> Shares:
    """``shares`` with nobody above their limit (users without one are unbounded).

    What a limit removes goes to the salespeople with the smallest shares who
    still have room (within their own caps); what nobody can take stays
    undistributed, with ``full`` as its reason. ``key`` names the setting in
    the share's basis.
    """
    quota = dict(shares.quota)
    cap = dict(shares.cap)
    excess = 0
    for uid in turn:
        if uid not in limits:
            continue
        own = cap[uid]
        cap[uid] = limits[uid] if own is None else min(limits[uid], own)
        if quota[uid] > (cap[uid] or 0):
            excess += quota[uid] - (cap[uid] or 0)
            quota[uid] = cap[uid] or 0
    unplaced = shares.unplaced
    if excess:
        room = [None if cap[uid] is None else (cap[uid] or 0) - quota[uid] for uid in turn]
        given = water_fill(excess, room, [quota[u] for u in turn])
        for uid, extra in zip(turn, given, strict=True):
            quota[uid] += extra
        if sum(given) < excess:
            unplaced = full
    basis = {
        uid: text + _bounds_note(shares.quota[uid], quota[uid], key)
        for uid, text in shares.basis.items()
    }
    return replace(shares, quota=quota, cap=cap, basis=basis, unplaced=unplaced)


def balance(
    shares: Shares,
    turn: list[int],
    settings: WorkloadBalancing,
    already: Mapping[int, int] | None = None,
) -> Shares:
    """``shares`` within the bounds; ``turn`` lists user ids in turn order.

    ``already`` counts, per user, leads that count toward this run's bounds
    although earlier runs delivered them (the weekend's, on a Monday, with
    ``consider_weekend_workload``).
    """
    already = already or {}
    high = settings.max_daily_distribution
    if high is not None:
        limits = {uid: max(0, high - already.get(uid, 0)) for uid in turn}
        shares = limit_shares(shares, turn, limits, OVER_MAXIMUM, "max_daily_distribution")
    low = settings.min_daily_distribution
    if not low:
        return shares
    quota = dict(shares.quota)
    cap = shares.cap
    order = {uid: i for i, uid in enumerate(turn)}

    def held(uid: int) -> int:
        return quota[uid] + already.get(uid, 0)

    while True:
        needy = [
            uid
            for uid in turn
            if held(uid) < low and (cap[uid] is None or quota[uid] < (cap[uid] or 0))
        ]
        donors = [uid for uid in turn if held(uid) > low and quota[uid] > 0]
        if not needy or not donors:
            break
        taker = min(needy, key=lambda uid: (held(uid), order[uid]))
        donor = max(donors, key=lambda uid: (held(uid), -order[uid]))
        quota[donor] -= 1
        quota[taker] += 1
    basis = {
        uid: text + _bounds_note(shares.quota[uid], quota[uid], "min_daily_distribution")
        for uid, text in shares.basis.items()
    }
    return replace(shares, quota=quota, basis=basis)


def _bounds_note(planned: int, balanced: int, key: str) -> str:
    if balanced < planned:
        return f" (share {planned} lowered to {balanced} by {key})"
    if balanced > planned:
        return f" (share {planned} raised to {balanced} by {key})"
    return ""
