"""``source_type: odoo_team``: a sales team's members with Odoo's own assignment settings.

Users who set up Odoo's built-in lead assignment (CRM, Configuration, Sales
Teams, a member's "Assignment" tab) keep those settings and only point odlm
at the team:

- ``assignment_max`` becomes the salesperson's target. Odoo means "leads per
  30 days" (its own assignment compares it with the leads received in the
  last 30 days); odlm's target-based strategies compare it with the leads the
  salesperson holds now (``salesperson_selection.workload``).
- ``assignment_optout`` ("Skip auto assignment" in 17, "Pause assignment" in
  19) makes the salesperson unavailable for the run, as an absence does.
- ``assignment_domain`` narrows the leads a member may receive, together with
  the team's own ``assignment_domain``, as Odoo's assignment does. The domain
  is evaluated by the CRM itself (`CrmStore.match_leads`) over the leads the
  run fetched, so what odlm counts is exactly what the server counts; the
  distribution then gives each member only leads their domain accepts.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date

from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.lookups import Lookups
from odoo_lead_manager.model import Absence, Domain, TeamMember
from odoo_lead_manager.selection.absences import PAUSED

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
    members: Iterable[TeamMember], names: Mapping[int, str], day: date
) -> tuple[Absence, ...]:
    """Members whose assignment is paused, as absences on ``day``."""
    return tuple(
        Absence(names[m.user_id], day, day, "full", PAUSED)
        for m in members
        if m.assignment_optout and m.user_id in names
    )


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
