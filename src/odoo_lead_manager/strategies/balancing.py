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

from dataclasses import replace

from odoo_lead_manager.config.schema.distribution import WorkloadBalancing
from odoo_lead_manager.strategies.shares import Shares, water_fill

OVER_MAXIMUM = "every salesperson has max_daily_distribution leads"


def balance(shares: Shares, turn: list[int], settings: WorkloadBalancing) -> Shares:
    """``shares`` within the bounds; ``turn`` lists user ids in turn order."""
    quota = dict(shares.quota)
    cap = dict(shares.cap)
    high = settings.max_daily_distribution
    unplaced = shares.unplaced
    if high is not None:
        excess = 0
        for uid in turn:
            own = cap[uid]
            limit = high if own is None else min(high, own)
            cap[uid] = limit
            if quota[uid] > limit:
                excess += quota[uid] - limit
                quota[uid] = limit
        if excess:
            room = [(cap[uid] or 0) - quota[uid] for uid in turn]
            for uid, extra in zip(
                turn, water_fill(excess, room, [quota[u] for u in turn]), strict=True
            ):
                quota[uid] += extra
                excess -= extra
            if excess:
                unplaced = OVER_MAXIMUM
    low = settings.min_daily_distribution
    if low:
        order = {uid: i for i, uid in enumerate(turn)}
        while True:
            needy = [
                uid
                for uid in turn
                if quota[uid] < low and (cap[uid] is None or quota[uid] < (cap[uid] or 0))
            ]
            donors = [uid for uid in turn if quota[uid] > low]
            if not needy or not donors:
                break
            taker = min(needy, key=lambda uid: (quota[uid], order[uid]))
            donor = max(donors, key=lambda uid: (quota[uid], -order[uid]))
            quota[donor] -= 1
            quota[taker] += 1
    basis = {
        uid: text + _bounds_note(shares.quota[uid], quota[uid])
        for uid, text in shares.basis.items()
    }
    return replace(shares, quota=quota, cap=cap, basis=basis, unplaced=unplaced)


def _bounds_note(planned: int, balanced: int) -> str:
    if balanced < planned:
        return f" (share {planned} lowered to {balanced} by max_daily_distribution)"
    if balanced > planned:
        return f" (share {planned} raised to {balanced} by min_daily_distribution)"
    return ""
