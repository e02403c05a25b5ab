"""Caps over time (``distribution.caps``): how many leads each salesperson may still receive.

The history of what each salesperson received (`Received`, read from the
tracking database by the fetch step and kept in the snapshot) is counted
per calendar period of the run's day: the day, the ISO week (Monday to
Sunday) and the month. A salesperson's room in this run is the smallest of
their caps less what the period already holds; `apply_caps` then lowers
each share to that room and hands what it holds back to the others with
room, the way ``max_daily_distribution`` does (`balancing.limit_shares`).

``consider_weekend_workload`` adds, on a Monday, the leads of the Saturday
and Sunday before to the day's count (`weekend_received`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from odoo_lead_manager.config.schema.distribution import CapLimits, Caps
from odoo_lead_manager.domain.model import Capacity, Salesperson
from odoo_lead_manager.domain.received import Received
from odoo_lead_manager.pipeline.strategies.balancing import limit_shares
from odoo_lead_manager.pipeline.strategies.proportional import capacity_text
from odoo_lead_manager.pipeline.strategies.shares import Shares

AT_CAP = "every salesperson is at a cap (distribution.caps)"
AT_CAPACITY = "every salesperson is at their Odoo capacity (assignment_max leads per 30 days)"


@dataclass(frozen=True)
class Room:
    """The most one salesperson may receive in this run, and the cap that sets it."""

    limit: int
    why: str


def weekend_received(received: Received, today: date) -> dict[int, int]:
    """On a Monday, the leads each user received on the Saturday and Sunday before."""
    if today.weekday() != 0:
        return {}
    weekend = {today - timedelta(days=2), today - timedelta(days=1)}
    counts: dict[int, int] = {}
    for user_id, day, count in received:
        if day in weekend:
            counts[user_id] = counts.get(user_id, 0) + count
    return counts


def limits_for(person: Salesperson, caps: Caps) -> CapLimits:
    """The salesperson's own caps, else their level's, else the default, period by period."""
    by_name = {name.casefold(): limits for name, limits in caps.salespeople.items()}
    by_level = {name.casefold(): limits for name, limits in caps.levels.items()}
    limits = caps.default
    if person.level is not None and person.level.casefold() in by_level:
        limits = by_level[person.level.casefold()].merged(limits)
    if person.name.casefold() in by_name:
        limits = by_name[person.name.casefold()].merged(limits)
    return limits


def rooms(
    people: Sequence[Salesperson],
    caps: Caps,
    received: Received,
    today: date,
    weekend: bool,
) -> dict[int, Room]:
    """Each capped salesperson's room in this run (salespeople without a cap are left out)."""
    week_start = today - timedelta(days=today.weekday())
    on_weekend = weekend_received(received, today) if weekend else {}
    per_user: dict[int, list[tuple[date, int]]] = {}
    for user_id, day, count in received:
        per_user.setdefault(user_id, []).append((day, count))
    result: dict[int, Room] = {}
    for person in people:
        limits = limits_for(person, caps)
        days = per_user.get(person.user_id, [])
        already = {
            "per_day": _between(days, today, today) + on_weekend.get(person.user_id, 0),
            "per_week": _between(days, week_start, today),
            "per_month": _between(days, today.replace(day=1), today),
        }
        when = {
            "per_day": "today, with the weekend" if on_weekend.get(person.user_id) else "today",
            "per_week": "this week",
            "per_month": "this month",
        }
        candidates = (
            [] if limits.per_run is None else [(limits.per_run, f"per_run cap {limits.per_run}")]
        )
        for name in ("per_day", "per_week", "per_month"):
            cap = getattr(limits, name)
            if cap is not None:
                got = already[name]
                candidates.append(
                    (max(0, cap - got), f"{name} cap {cap}: {got} received {when[name]}")
                )
        if candidates:
            limit, why = min(candidates, key=lambda item: item[0])
            result[person.user_id] = Room(limit, why)
    return result


def _between(days: Iterable[tuple[date, int]], start: date, end: date) -> int:
    return sum(count for day, count in days if start <= day <= end)


def apply_caps(
    shares: Shares, turn: list[int], room: Mapping[int, Room]
) -> tuple[Shares, dict[int, str]]:
    """``shares`` within each salesperson's room, and who a cap held back, with the cap."""
    if not room:
        return shares, {}
    limited = limit_shares(
        shares, turn, {uid: r.limit for uid, r in room.items()}, AT_CAP, "distribution.caps"
    )
    capped = {
        uid: room[uid].why for uid in turn if uid in room and limited.quota[uid] < shares.quota[uid]
    }
    return limited, capped


def unknown_names(caps: Caps, people: Iterable[Salesperson]) -> list[str]:
    """The caps' salesperson names and levels that match none of ``people``."""
    people = list(people)
    names = {p.name.casefold() for p in people}
    levels = {p.level.casefold() for p in people if p.level is not None}
    return [
        *(
            f"distribution.caps.salespeople: {name!r} is not a salesperson of this campaign"
            for name in caps.salespeople
            if name.casefold() not in names
        ),
        *(
            f"distribution.caps.levels: no salesperson of this campaign has level {name!r}"
            for name in caps.levels
            if name.casefold() not in levels
        ),
    ]


def within_capacity(
    shares: Shares, turn: list[int], capacity: Mapping[int, Capacity]
) -> tuple[Shares, dict[int, str]]:
    """``shares`` within each Odoo team member's capacity left (``source_type: odoo_team``),
    and who it held back, with the figures."""
    limited = limit_shares(
        shares,
        turn,
        {uid: c.left for uid, c in capacity.items() if uid in shares.quota},
        AT_CAPACITY,
        "Odoo capacity",
    )
    held = {
        uid: capacity_text(capacity[uid])
        for uid in turn
        if uid in capacity and limited.quota[uid] < shares.quota[uid]
    }
    return limited, held
