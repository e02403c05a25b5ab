"""Who is away on a day, and how much of it: absences read against the salespeople."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from odoo_lead_manager.domain.model import Absence, Salesperson


@dataclass(frozen=True)
class Away:
    """How much of the day a salesperson is there (0: away all day) and why, for the plan."""

    share: float
    why: str


def availability_on(
    people: Sequence[Salesperson],
    absences: Iterable[Absence],
    day: date,
    half_day_share: float,
) -> dict[int, Away]:
    """The salespeople away on ``day``, all day or half of it (names match without regard
    to case); those who are there all day are left out."""
    parts: dict[str, list[Absence]] = {}
    for absence in absences:
        if absence.covers(day):
            parts.setdefault(absence.name.casefold(), []).append(absence)
    result: dict[int, Away] = {}
    for person in people:
        found = parts.get(person.name.casefold())
        if not found:
            continue
        kinds = {a.part for a in found}
        where = "; ".join(a.where for a in found if a.where)
        source = f" ({where})" if where else ""
        if "full" in kinds or kinds >= HALVES:
            result[person.user_id] = Away(0.0, f"away all day{source}")
        else:
            (half,) = kinds
            result[person.user_id] = Away(
                half_day_share,
                f"away in the {half}{source}: at most {half_day_share:g} of the share",
            )
    return result


HALVES = {"morning", "afternoon"}
