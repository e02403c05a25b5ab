"""``source_type: odoo_team``: a sales team's members with Odoo's own assignment settings.

Users who set up Odoo's built-in lead assignment (CRM, Configuration, Sales
Teams, a member's "Assignment" tab) keep those settings and only point odlm
at the team:

- ``assignment_max`` ("Average Leads Capacity (on 30 days)") is a capacity
  over 30 days, as Odoo means it: the leads Odoo counts as assigned to the
  member in the 30 days before the run (their leads of the team whose
  "Assignment Date", ``date_open``, falls in the window, lost ones included:
  Odoo's own ``lead_month_count``) plus what the run gives them never
  exceed it, under every strategy (`capacities`). Odoo dates a lead each
  time a write gives it another salesperson, so each lead the run hands a
  member counts toward that member's 30 days. Capacity-based and
  level-based strategies measure the room left there, not the leads held.
  Odoo 18 and 19 hand their own assignment's capacity out as a daily quota
  (``round(assignment_max / 30)``); odlm keeps the 30-day bound on every
  version: the field still says "on 30 days", a daily run hands out a day's
  leads at once, and ``distribution.caps.per_day`` paces it where wanted.
- ``assignment_optout`` ("Skip auto assignment" up to 18, "Pause assignment"
  in 19) makes the salesperson unavailable for the run, as an absence does.
- ``assignment_domain`` narrows the leads a member may receive, together with
  the team's own ``assignment_domain``, as Odoo's assignment does. The domain
  is evaluated by the CRM itself (`CrmStore.match_leads`) over the leads the
  run fetched, so what odlm counts is exactly what the server counts; the
  distribution then gives each member only leads their domain accepts.
- ``assignment_domain_preferred`` (Odoo 19's "Lead Priority Filter") is a
  preference: among the members whose domain accepts a lead, one whose
  preferred domain also accepts it is chosen first.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import Absence, Capacity, Domain, Lead, TeamMember
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.pipeline.selection.absences import paused_where

# Odoo's capacity window: assignment_max is "leads per 30 days".
CAPACITY_DAYS = 30

_OPERATORS = {"&", "|", "!"}


def parse_domain(text: str, where: str) -> Domain:
    """A domain as Odoo keeps it (Python literal text), checked for its shape.

    Odoo reads an assignment domain with ``literal_eval``: a list of
    ``(field, operator, value)`` terms and the prefix operators ``&``, ``|``
    and ``!``. Anything else is a `UserInputError` naming ``where``.
    """
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise UserInputError(f"{where}: {text[:80]!r} is not a domain") from None
    if not isinstance(value, list | tuple):
        raise UserInputError(f"{where}: {text[:80]!r} is not a domain (a list of terms)")
    domain: Domain = []
    # Terms still needed to complete the expression, counted as Odoo's normalisation
    # counts them: a complete expression followed by more is ANDed with it.
    needed = 1
    for term in value:
        needed = needed or 1
        if isinstance(term, str) and term in _OPERATORS:
            domain.append(term)
            needed += 0 if term == "!" else 1
            continue
        if (
            not isinstance(term, list | tuple)
            or len(term) != 3
            or not isinstance(term[0], str)
            or not isinstance(term[1], str)
        ):
            raise UserInputError(f"{where}: {term!r} is not a domain term (field, operator, value)")
        field, operator, operand = term
        domain.append((field, operator, list(operand) if isinstance(operand, tuple) else operand))
        needed -= 1
    if domain and needed > 0:
        raise UserInputError(f"{where}: {text[:80]!r} ends before its operators' terms")
    return domain


def member_domain(member: TeamMember, name: str, team: str) -> Domain | None:
    """The leads ``member`` may receive: the team's domain and the member's, both; None
    when neither narrows anything."""
    parts = (
        (member.team_domain, f"sales team {team!r}: assignment_domain"),
        (member.assignment_domain, f"sales team {team!r}, member {name!r}: assignment_domain"),
    )
    domain: Domain = []
    for text, where in parts:
        if text:
            # Odoo ANDs the terms of a list: two whole domains in a row are both required.
            domain.extend(parse_domain(text, where))
    return domain or None


def paused_absences(
    members: Iterable[TeamMember], names: Mapping[int, str], day: date, label: str
) -> tuple[Absence, ...]:
    """Members whose assignment is paused (``label``: the flag's name on the server's
    version), as absences on ``day``."""
    return tuple(
        Absence(names[m.user_id], day, day, "full", f"Odoo {paused_where(label)}")
        for m in members
        if m.assignment_optout and m.user_id in names
    )


def capacity_start(today: date, taken_at: datetime | None) -> datetime:
    """Where the 30-day window of a run on ``today`` starts: 30 days before the run's
    moment (``today`` at the time of day the snapshot was taken, naive UTC), as Odoo
    counts from "now"."""
    at = taken_at.time() if taken_at is not None else datetime.min.time()
    return datetime.combine(today, at) - timedelta(days=CAPACITY_DAYS)


def capacities(
    crm: Lookups, members: Sequence[TeamMember], people: Collection[int], since: datetime
) -> dict[int, Capacity]:
    """Each member's Odoo capacity and the leads Odoo counts as assigned to them since
    ``since``, as its ``lead_month_count`` counts them: their leads (or opportunities,
    lost and archived ones included) of that team whose ``date_open`` is in the window.
    One grouped count, whatever the number of members."""
    wanted = [m for m in members if m.user_id in people]
    if not wanted:
        return {}
    counts = crm.count_leads(
        [
            ("active", "in", [True, False]),
            ("user_id", "in", sorted({m.user_id for m in wanted})),
            ("team_id", "in", sorted({m.team_id for m in wanted})),
            ("date_open", ">=", since.isoformat(sep=" ", timespec="seconds")),
        ],
        ("user_id", "team_id"),
    )
    return {
        m.user_id: Capacity(m.assignment_max, counts.get((m.user_id, m.team_id), 0), since)
        for m in wanted
    }


def accepted_leads(
    crm: Lookups,
    domains: Mapping[int, Domain],
    lead_ids: Collection[int],
) -> dict[int, frozenset[int]]:
    """For each salesperson with a domain, the leads of ``lead_ids`` it accepts, as the CRM
    evaluates it: one question per distinct domain, whatever the number of members."""
    answers: dict[str, frozenset[int]] = {}
    accepted: dict[int, frozenset[int]] = {}
    for user_id, domain in sorted(domains.items()):
        key = repr(domain)
        if key not in answers:
            answers[key] = frozenset(crm.match_leads(domain, lead_ids)) if lead_ids else frozenset()
        accepted[user_id] = answers[key]
    return accepted


def domains_of(
    members: Sequence[TeamMember], names: Mapping[int, str], team: str
) -> dict[int, Domain]:
    """Each named member's domain, for those that have one."""
    found: dict[int, Domain] = {}
    for member in members:
        if member.user_id not in names:
            continue
        domain = member_domain(member, names[member.user_id], team)
        if domain is not None:
            found[member.user_id] = domain
    return found


def preferred_domains_of(
    members: Sequence[TeamMember], names: Mapping[int, str], team: str
) -> dict[int, Domain]:
    """Each named member's preferred leads (Odoo 19): those their domain accepts and their
    preferred domain ("Lead Priority Filter") accepts too, as Odoo ANDs the two."""
    found: dict[int, Domain] = {}
    for member in members:
        if member.user_id not in names or not member.preferred_domain:
            continue
        name = names[member.user_id]
        where = f"sales team {team!r}, member {name!r}: assignment_domain_preferred"
        preferred = parse_domain(member.preferred_domain, where)
        if not preferred:
            continue
        found[member.user_id] = [*(member_domain(member, name, team) or []), *preferred]
    return found


def counted_after(
    capacity: Mapping[int, Capacity],
    teams: Mapping[int, int],
    leads: Mapping[int, Lead],
    writes: Iterable[tuple[Sequence[int], Mapping[str, object]]],
    moment: datetime,
) -> dict[int, int]:
    """What Odoo counts for each member (``capacity``; ``teams``: their team) once the run
    has made ``writes`` (lead ids and the values they receive) on ``leads`` at ``moment``.

    A lead counts for a member while it is theirs (``user_id``), of their team, and dated
    ("Assignment Date") in the window. Odoo dates every lead of a write that changes the
    salesperson of any one of them, and clears the date with the salesperson; a lead
    whose team is not written keeps its team. A write is a group of the plan here: the
    batches a group is written in hold the same leads but for one made only of leads
    their new salesperson holds already, which Odoo would leave undated.
    """
    after = {uid: c.used for uid, c in capacity.items()}
    if not after:
        return after
    for ids, values in writes:
        dated: datetime | None = None
        redate = "user_id" in values
        if redate and values["user_id"] is not None:
            redate = any(leads[i].user_id != values["user_id"] for i in ids)
            dated = moment
        for lead_id in ids:
            lead = leads[lead_id]
            user = values.get("user_id", lead.user_id)
            team = values.get("team_id", lead.team_id)
            date_open = dated if redate else lead.date_open
            for uid, cap in capacity.items():
                before = _counts(lead.user_id, lead.team_id, lead.date_open, uid, teams[uid], cap)
                now = _counts(user, team, date_open, uid, teams[uid], cap)
                after[uid] += int(now) - int(before)
    return after


def _counts(
    user: object, team: object, dated: datetime | None, uid: int, team_id: int, cap: Capacity
) -> bool:
    return user == uid and team == team_id and dated is not None and dated >= cap.since
