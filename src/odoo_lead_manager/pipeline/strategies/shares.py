"""How many leads each salesperson gets: the arithmetic every strategy shares.

A strategy decides only the numbers (`Shares`); which lead goes to whom is
the assignment engine's job. The splits here are exact: the parts always
add up to the total, and ties go to the earlier salesperson in turn order,
so the same inputs always give the same numbers.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction


class StrategyUnavailable(Exception):
    """The strategy cannot run on these salespeople (say, nobody has a target)."""


@dataclass(frozen=True)
class Shares:
    """What a strategy decided, per user id.

    ``quota`` is how many leads each should receive, ``cap`` the most they
    may receive when the own-lead rule forces a lead elsewhere (None: no
    limit), ``basis`` why, for the plan; leads beyond the quotas stay with
    ``unplaced`` as their reason.
    """

    quota: Mapping[int, int]
    cap: Mapping[int, int | None]
    basis: Mapping[int, str]
    unplaced: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(self.quota.values())


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (Hamilton's method), exactly.

    Each part is the floor of its exact share; the units left go to the
    largest fractional remainders, the earlier index first on ties.
    """
    exact = [Fraction(w) for w in weights]
    whole = sum(exact)
    if total <= 0 or whole == 0:
        return [0] * len(exact)
    shares = [total * w / whole for w in exact]
    parts = [int(share) for share in shares]
    left = total - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def water_fill(total: int, caps: Sequence[int | None], start: Sequence[int]) -> list[int]:
    """Units one at a time to whoever stands lowest (``start`` + given), never above ``caps``.

    With equal starts this deals equal parts (differing by at most one, the
    extras to the earliest); with deficits as negative starts it fills the
    largest deficit first. Returns what each receives; it may sum to less
    than ``total`` when the caps run out.
    """
    given = [0] * len(start)
    heap = [(level, i) for i, level in enumerate(start) if caps[i] is None or caps[i] != 0]
    heapq.heapify(heap)
    for _ in range(total):
        if not heap:
            break
        level, i = heapq.heappop(heap)
        given[i] += 1
        cap = caps[i]
        if cap is None or given[i] < cap:
            heapq.heappush(heap, (level + 1, i))
    return given
