"""The fairness ledger in a run's shares (``distribution.fairness_window_days``).

Round robin and proportional split a run's leads by the day alone: the extra
leads of an uneven split go to whoever comes first, and leads received outside
odlm are not seen. With the ledger, each salesperson's goal for the run is
their share of it by the strategy's stake plus their balance over the window
(entitled less received, `domain.ledger`), and the run's leads go one at a
time to whoever is furthest from their goal: the extra leads go to those
furthest behind, and someone ahead (given leads by hand, say) receives less
until the others have caught up. Nobody who is not ahead gets less than the
whole part of their share of the day, and nobody more than their cap. The
total stays the strategy's.

Capacity- and level-based are left as they are: their shares come from the
leads each one holds now (room below target), which already counts every lead
received, by odlm or not.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from odoo_lead_manager.pipeline.strategies.shares import Shares

# The strategies whose shares the ledger settles.
SETTLED = frozenset({"round_robin", "proportional"})
# Within one lead of the goal counts as even: rounding, not a debt.
_EVEN = 1.0


def settle(
    shares: Shares,
    turn: Sequence[int],
    stakes: Mapping[int, float],
    balances: Mapping[int, float],
    days: int,
) -> Shares:
    """``shares`` re-dealt so that each salesperson's balance over the window comes back
    toward zero; unchanged when nobody has a balance (a first run splits as the day)."""
    total = shares.total
    whole = sum(stakes.get(uid, 0.0) for uid in turn if stakes.get(uid, 0.0) > 0)
    if total == 0 or whole == 0 or not any(balances.get(uid, 0.0) for uid in turn):
        return shares
    due = {uid: total * max(stakes.get(uid, 0.0), 0.0) / whole for uid in turn}
    balance = {uid: balances.get(uid, 0.0) for uid in turn}
    cap = {uid: limit if (limit := shares.cap.get(uid)) is not None else total for uid in turn}
    quota = {
        uid: min(math.floor(due[uid] + 1e-9), cap[uid]) if balance[uid] > -_EVEN else 0
        for uid in turn
    }
    left = total - sum(quota.values())
    order = {uid: i for i, uid in enumerate(turn)}
    heap = [(quota[uid] - due[uid] - balance[uid], order[uid], uid) for uid in turn]
    heap = [entry for entry in heap if due[entry[2]] > 0 and quota[entry[2]] < cap[entry[2]]]
    heapq.heapify(heap)
    while left > 0 and heap:
        _, at, uid = heapq.heappop(heap)
        quota[uid] += 1
        left -= 1
        if quota[uid] < cap[uid]:
            heapq.heappush(heap, (quota[uid] - due[uid] - balance[uid], at, uid))
    if left > 0:
        # Everyone is at their cap: the rest as the strategy had it.
        return shares
    basis = {
        uid: text + _standing(balance.get(uid, 0.0), days) for uid, text in shares.basis.items()
    }
    return replace(shares, quota=quota, basis=basis)


def _standing(balance: float, days: int) -> str:
    """Where a salesperson stood in the ledger, for the assignment's reason."""
    if abs(balance) < 0.5:
        return ""
    side = "behind" if balance > 0 else "ahead"
    span = f"the last {days} run days" if days != 1 else "the last run day"
    return f"; {abs(balance):.1f} leads {side} over {span} (fairness ledger)"
