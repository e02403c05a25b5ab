"""Who is there on the run's day and how much room each has: absences and what earlier ones
are owed (``availability``), the caps over time (``distribution.caps``), and Odoo's own
capacity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.selection import (
    Availability,
)
from odoo_lead_manager.domain.availability import Away, availability_on
from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.model import (
    Salesperson,
)
from odoo_lead_manager.domain.odoo_assignment import (
    CAPACITY,
)
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.pipeline.preparing import (
    Prepared,
)
from odoo_lead_manager.pipeline.selection.absences import unknown_absentees
from odoo_lead_manager.pipeline.strategies.caps import Room, rooms, unknown_names, weekend_received
from odoo_lead_manager.pipeline.strategies.catch_up import owed


def cap_rooms(
    settings: Distribution, snapshot: Snapshot, members: Sequence[Salesperson]
) -> tuple[dict[int, Room], dict[int, int], list[str]]:
    """Each salesperson's room under ``distribution.caps``, the weekend's deliveries that
    count toward a Monday (``consider_weekend_workload``), and what the run should say."""
    weekend_on = settings.counts_weekend
    if settings.caps is None and not weekend_on:
        return {}, {}, []
    notes = [] if settings.caps is None else unknown_names(settings.caps, members)
    received = snapshot.received
    if received is None:
        # A snapshot taken before these settings existed: nothing earlier is known.
        notes.append(
            "the snapshot holds no history of what each salesperson received: "
            "distribution.caps and consider_weekend_workload count this run only"
        )
        received = ()
    today = snapshot.today
    weekend = weekend_received(received, today) if weekend_on else {}
    if settings.caps is None:
        return {}, weekend, notes
    return rooms(members, settings.caps, received, today, weekend_on), weekend, notes


@dataclass(frozen=True)
class Attendance:
    """Who is away on the run's day (``availability``), who is there to receive leads, what
    those there are owed for earlier absences (``catch_up``; only debts), and notes."""

    away: dict[int, Away]
    present: tuple[Salesperson, ...]
    debts: dict[int, int]
    notes: tuple[str, ...]


def attendance_on(
    settings: Availability, snapshot: Snapshot, candidates: Candidates, prepared: Prepared
) -> Attendance:
    eligible = prepared.selection.eligible
    # The absences of the file and the campaign table (known for any day), then the CRM's
    # (known for the run's day only).
    listed = (*snapshot.absences, *(r.absence for r in candidates.rows if r.absence))
    away = availability_on(
        eligible, (*listed, *prepared.absences), snapshot.today, settings.half_day_share
    )
    present = tuple(p for p in eligible if p.user_id not in away or away[p.user_id].share > 0)
    debts: dict[int, int] = {}
    if settings.catch_up != "none" and present:
        credit = (
            Fraction(1)
            if settings.catch_up == "full"
            else Fraction(str(settings.catch_up_fraction))
        )
        owing = owed(
            eligible,
            listed,
            snapshot.received or (),
            snapshot.today,
            settings.catch_up_days,
            credit,
            settings.half_day_share,
        )
        there = {p.user_id for p in present}
        debts = {uid: debt for uid, debt in owing.items() if debt and uid in there}
    notes = unknown_absentees(
        snapshot.absences,
        (r.salesperson_name for r in candidates.rows),
        snapshot.answers.users.values(),
    )
    return Attendance(away, present, debts, tuple(notes))


def no_capacity(
    prepared: Prepared, members: Sequence[Salesperson], candidates: Candidates
) -> list[str]:
    """Members an ``odoo_team`` run gives nothing because Odoo gives them no capacity."""
    teams = {m.user_id: m.team_id for m in candidates.members}
    return [
        f"{p.name} (user {p.user_id}) has {CAPACITY} 0 in sales team "
        f"{prepared.team_names.get(teams[p.user_id], '?')} (id {teams[p.user_id]}): "
        "receives no leads (set assignment_max on the member in Odoo)"
        for p in members
        if p.user_id in prepared.capacity and prepared.capacity[p.user_id].maximum == 0
    ]
