"""Who is away (``salesperson_selection.availability``): absences read from a CSV file or
the campaign table's ``away_*`` columns, and what they mean for one day.

Reading names the file and line of any bad row (`DataFileError`, exit 2);
`availability_on` is pure: the same absences and day give the same answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import Absence, User
from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.ops.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
)

PARTS = ("full", "morning", "afternoon")
COLUMNS = ("salesperson_name", "from", "to")


def parse_absence(name: str, start: str, end: str, part: str, where: str) -> Absence:
    """One absence from its texts; a bad date or part is a `DataFileError` naming ``where``."""
    first = _day(start, f"{where}, from")
    last = _day(end, f"{where}, to") if end.strip() else first
    if last < first:
        raise DataFileError(f"{where}: 'to' {last} is before 'from' {first}")
    kind = part.strip().lower() or "full"
    if kind not in PARTS:
        raise DataFileError(f"{where}, part: {part!r} is not one of {', '.join(PARTS)}")
    return Absence(name.strip(), first, last, kind, where)


def _day(text: str, where: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DataFileError(f"{where}: {text.strip()[:40]!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DataFileError(f"{where}: {day} is outside {EARLIEST_DATE}..{LATEST_DATE}")
    return day


def unknown_absentees(
    absences: Iterable[Absence], names: Iterable[str], users: Iterable[User] = ()
) -> list[str]:
    """Absences naming nobody among ``names`` nor ``users`` (by name or login): a typo would
    otherwise go unnoticed. Each as a sentence, with the nearest name known."""
    known = {
        name.casefold(): name
        for name in (*names, *(n for user in users for n in (user.name, user.login)))
    }
    found = []
    for absence in absences:
        if absence.name.casefold() in known:
            continue
        close = difflib.get_close_matches(absence.name.casefold(), list(known), n=1, cutoff=0.75)
        hint = f" (did you mean {known[close[0]]!r}?)" if close else ""
        found.append(
            f"{absence.where or 'absence'}: {absence.name!r} is neither a salesperson of the "
            f"salesperson source nor a CRM user{hint}"
        )
    return found


def strangers(absences: Iterable[Absence], names: Iterable[str]) -> list[str]:
    """The names absences give that ``names`` (the salesperson source's) do not hold: the
    CRM is asked about these."""
    known = {name.casefold() for name in names}
    return sorted({a.name for a in absences if a.name.casefold() not in known})


# The models Odoo keeps absences in; hr.leave only where Time Off (hr_holidays) is installed.
OPTOUT, TIME_OFF, CALENDAR, RESOURCE = (
    "crm.team.member",
    "hr.leave",
    "resource.calendar.leaves",
    "resource.resource",
)
_HALF = {"am": "morning", "pm": "afternoon"}


def paused_where(label: str) -> str:
    """Where a paused sales-team membership is said to come from (``label``: the flag's name
    on the server's version, "Skip auto assignment" or "Pause assignment")."""
    return f"{OPTOUT} assignment_optout ({label})"


def crm_absences(
    crm: Lookups, people: Mapping[int, str], day: date, pause: str = "Skip auto assignment"
) -> tuple[Absence, ...]:
    """Who Odoo itself says is away on ``day``, as absences (grouped counts, a handful of
    calls whatever the number of salespeople; asked through ``crm`` so a snapshot keeps them):

    - a sales-team membership with "Skip auto assignment" (``assignment_optout``;
      ``pause`` is its label on the server's version);
    - validated time off (``hr.leave``, where installed), a half day as a morning or an
      afternoon;
    - other leaves on the user's working calendar resource (``resource.calendar.leaves``:
      public holidays given to a resource, leaves entered there), as the whole day.

    ``people`` maps user ids to names. Day boundaries are UTC, as Odoo stores datetimes.
    """
    if not people:
        return ()
    ids = sorted(people)
    installed = {
        key[0]
        for key in crm.count_model(
            "ir.model", [("model", "in", [OPTOUT, TIME_OFF, CALENDAR])], ["model"]
        )
    }
    start, end = f"{day} 00:00:00", f"{day} 23:59:59"
    found: list[Absence] = []

    def away(user_id: Any, part: str, where: str) -> None:
        if user_id in people:
            found.append(Absence(people[user_id], day, day, part, f"Odoo {where}"))

    if OPTOUT in installed:
        optouts = crm.count_model(
            OPTOUT, [("user_id", "in", ids), ("assignment_optout", "=", True)], ["user_id"]
        )
        for (user_id,) in optouts:
            away(user_id, "full", paused_where(pause))
    overlapping = [("date_from", "<=", end), ("date_to", ">=", start)]
    if TIME_OFF in installed:
        leaves = crm.count_model(
            TIME_OFF,
            [("user_id", "in", ids), ("state", "=", "validate"), *overlapping],
            ["user_id", "request_unit_half", "request_date_from_period"],
        )
        for user_id, half, period in leaves:
            part = _HALF.get(str(period), "full") if half else "full"
            away(user_id, part, f"{TIME_OFF} (validated time off)")
    if CALENDAR in installed:
        # Time off puts its own leaves on the calendar; they are counted above, with halves.
        own = [("holiday_id", "=", False)] if TIME_OFF in installed else []
        resources = crm.count_model(
            CALENDAR, [("resource_id", "!=", False), *overlapping, *own], ["resource_id"]
        )
        if resources:
            users = crm.count_model(
                RESOURCE,
                [("id", "in", sorted(key[0] for key in resources)), ("user_id", "in", ids)],
                ["user_id"],
            )
            for (user_id,) in users:
                away(user_id, "full", f"{CALENDAR} (a leave on the user's calendar)")
    return tuple(found)
