"""Catch-up after an absence (``salesperson_selection.availability.catch_up``).

Over the last ``catch_up_days`` days before the run, each day's *fair share*
is what the campaign's eligible salespeople received that day (the tracking
history) divided by how many they are: what each would have had with
everyone there. A salesperson away on some of those days (half a day away
misses ``1 - half_day_share`` of it) is owed:

- ``none``: nothing — back to the normal share (no burst after a holiday);
- ``partial``: ``catch_up_fraction`` of the fair shares they missed;
- ``full``: all of them;

less what they received beyond their fair share since (so the debt shrinks
as it is paid and never grows with the cap). A run gives at most
``catch_up_per_run`` extra leads to each, taken one at a time from the largest
shares of the others (`shift_shares`), before caps and workload balancing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

from odoo_lead_manager.domain.availability import availability_on
from odoo_lead_manager.domain.model import Absence, Salesperson
from odoo_lead_manager.domain.received import Received
from odoo_lead_manager.pipeline.strategies.shares import Shares


def owed(
    people: Sequence[Salesperson],
    absences: Iterable[Absence],
    received: Received,
    today: date,
    days: int,
    credit: Fraction,
    half_day_share: float,
) -> dict[int, int]:
    """What each of ``people`` (the campaign's eligible salespeople) who was away in the
    window before ``today`` is owed; the others are left out.

    ``credit`` is the part of the missed fair shares that is owed (1 for
    ``full``); days without any lead received count for nothing.
    """
    absences = list(absences)
    members = {p.user_id for p in people}
    per_day: dict[date, dict[int, int]] = {}
    for user_id, day, count in received:
        if user_id in members and today - timedelta(days=days) <= day < today:
            per_day.setdefault(day, {})[user_id] = count
    target: dict[int, Fraction] = {p.user_id: Fraction(0) for p in people}
    got: dict[int, int] = {p.user_id: 0 for p in people}
    was_away: set[int] = set()
    for day, counts in per_day.items():
        away = availability_on(people, absences, day, half_day_share)
        presence = {
            uid: Fraction(str(away[uid].share)) if uid in away else Fraction(1) for uid in target
        }
        fair = Fraction(sum(counts.values()), len(target))
        for uid in target:
            missed = 1 - presence[uid]
            target[uid] += fair * (presence[uid] + credit * missed)
            got[uid] += counts.get(uid, 0)
            if missed:
                was_away.add(uid)
    return {
        uid: max(0, math.floor(target[uid] - got[uid] + Fraction(1, 2))) for uid in sorted(was_away)
    }


def shift_shares(
    shares: Shares, turn: list[int], extras: Mapping[int, int]
) -> tuple[Shares, dict[int, int]]:
    """``shares`` with each ``extras`` user given up to that many more leads, one at a time
    from the largest share among the others (earlier in ``turn`` on ties); what was given."""
    quota = dict(shares.quota)
    order = {uid: i for i, uid in enumerate(turn)}
    given: dict[int, int] = {}
    for uid in turn:
        want = extras.get(uid, 0)
        cap = shares.cap.get(uid)
        while want > 0 and (cap is None or quota[uid] < cap):
            donors = [d for d in turn if d not in extras and quota[d] > 0]
            if not donors:
                break
            donor = max(donors, key=lambda d: (quota[d], -order[d]))
            quota[donor] -= 1
            quota[uid] += 1
            given[uid] = given.get(uid, 0) + 1
            want -= 1
    basis = {
        uid: text + (f" (+{given[uid]} catching up after an absence)" if given.get(uid) else "")
        for uid, text in shares.basis.items()
    }
    return replace(shares, quota=quota, basis=basis), given
