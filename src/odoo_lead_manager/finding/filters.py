"""The filter object and the rules of the walking skeleton (spec §3.1).

A filter has a name (shown in the filter impact report), a predicate over a
`Lead` that decides, and optionally an Odoo domain fragment that lets the
server pre-select. The predicate is the truth; a domain may only narrow the
fetch to a superset of what the predicate keeps, so a filter whose rule
cannot be expressed exactly sends a looser domain or none.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from odoo_lead_manager.finding.matching import TextMatcher
from odoo_lead_manager.model import Domain, DomainTerm, Lead

Predicate = Callable[[Lead], bool]


@dataclass(frozen=True, slots=True)
class LeadFilter:
    """One rule: leads for which ``keep`` is false are excluded, counted under ``name``."""

    name: str
    keep: Predicate
    domain: Domain | None = None


def any_of(branches: list[Domain]) -> Domain:
    """The domain that holds when any branch holds; each branch is an implicitly and-ed domain."""
    if not branches:
        # An empty disjunction matches nothing; Odoo spells that as an impossible term.
        return [("id", "=", 0)]
    result: Domain = ["|"] * (len(branches) - 1)
    for branch in branches:
        result.extend(conjunction(branch))
    return result


def conjunction(domain: Domain) -> Domain:
    """One explicit prefix expression for an implicitly and-ed domain."""
    units = _split_units(domain)
    if len(units) <= 1:
        return list(domain)
    result: Domain = ["&"] * (len(units) - 1)
    for unit in units:
        result.extend(unit)
    return result


def _split_units(domain: Domain) -> list[Domain]:
    """Split an implicitly and-ed domain into its top-level expressions."""
    units: list[Domain] = []
    index = 0
    while index < len(domain):
        end = _expression_end(domain, index)
        units.append(domain[index:end])
        index = end
    return units


def _expression_end(domain: Domain, index: int) -> int:
    element: DomainTerm = domain[index]
    if element == "!":
        return _expression_end(domain, index + 1)
    if element in ("&", "|"):
        return _expression_end(domain, _expression_end(domain, index + 1))
    return index + 1


@dataclass(frozen=True, slots=True)
class DateWindow:
    """Leads whose date lies in ``[start, end)``: the legacy pipeline's half-open window.

    ``start`` None means no lower bound, ``end`` None no upper bound. Leads
    without a date are excluded, as the R pipeline does (``!is.na(source_date)``).
    """

    start: date | None
    end: date | None

    @classmethod
    def from_days(cls, today: date, older_than_days: int, younger_than_days: int) -> DateWindow:
        """``source_date < today - older`` and ``source_date >= today - younger`` (spec §3.1)."""
        return cls(
            start=today - timedelta(days=younger_than_days),
            end=today - timedelta(days=older_than_days),
        )

    @classmethod
    def from_dates(cls, start: date | None, end: date | None) -> DateWindow:
        """Custom dates are inclusive at both ends, as a person reads "2024-01-01 to 2024-01-31"."""
        return cls(start=start, end=end + timedelta(days=1) if end else None)

    @property
    def last_day(self) -> date | None:
        """The last day inside the window."""
        return self.end - timedelta(days=1) if self.end else None


def date_range_filter(window: DateWindow, field: str = "source_date") -> LeadFilter:
    """Spec §3.1 date window over ``field`` (``source_date`` or ``create_date``)."""
    start, end = window.start, window.end

    def keep(lead: Lead) -> bool:
        value = getattr(lead, field)
        if value is None:
            return False
        day = value.date() if isinstance(value, datetime) else value
        return (start is None or day >= start) and (end is None or day < end)

    domain: Domain = [(field, "!=", False)]
    if start is not None:
        domain.append((field, ">=", start.isoformat()))
    if end is not None:
        domain.append((field, "<", end.isoformat()))
    return LeadFilter("Date range", keep, domain)


def status_domain(matcher: TextMatcher) -> Domain | None:
    """A domain selecting a superset of the statuses ``matcher`` accepts."""
    if matcher.mode == "exact" and matcher.case_sensitive and not matcher.strip_whitespace:
        return [("status", "in", list(matcher.values))]
    if matcher.mode in ("exact", "partial") and not matcher.strip_whitespace:
        # ilike is case-insensitive and its _ and % wildcards only widen the match.
        op = "=ilike" if matcher.mode == "exact" else "ilike"
        return any_of([[("status", op, value)] for value in matcher.values])
    return None


def status_filter(matcher: TextMatcher) -> LeadFilter:
    """Spec §3.4: the lead's status is one of the configured statuses."""
    return LeadFilter(
        "Status not selected", lambda lead: matcher.matches(lead.status), status_domain(matcher)
    )


def owner_status_filter(
    active_owner_ids: Collection[int],
    active_statuses: TextMatcher,
    inactive_owner_ids: Collection[int],
    inactive_statuses: TextMatcher,
) -> LeadFilter:
    """The legacy pipeline's rule (spec §3.1, §17.3).

    A lead qualifies when its owner is an active salesperson of the campaign
    and its status is one of the active statuses, or its owner is an inactive
    salesperson of the campaign and its status is one of the inactive ones.
    """
    active_ids = frozenset(active_owner_ids)
    inactive_ids = frozenset(inactive_owner_ids)

    def keep(lead: Lead) -> bool:
        if lead.user_id in active_ids:
            return active_statuses.matches(lead.status)
        if lead.user_id in inactive_ids:
            return inactive_statuses.matches(lead.status)
        return False

    branches: list[Domain] = []
    for ids, matcher in ((active_ids, active_statuses), (inactive_ids, inactive_statuses)):
        if ids:
            branch: Domain = [("user_id", "in", sorted(ids))]
            branch.extend(status_domain(matcher) or [])
            branches.append(branch)
    return LeadFilter("Owner or status not selected", keep, any_of(branches))


def excluded_owners_filter(user_ids: Iterable[int]) -> LeadFilter:
    """Spec §3.1 ``excluded_users``: leads held by these users are never redistributed."""
    ids = frozenset(user_ids)
    domain: Domain | None = None
    if ids:
        domain = ["|", ("user_id", "=", False), ("user_id", "not in", sorted(ids))]
    return LeadFilter("Held by an excluded user", lambda lead: lead.user_id not in ids, domain)


def activity_deadline_filter(
    today: date, exclude_within_days: int | None, exclude_missing: bool
) -> LeadFilter:
    """Spec §3.1 activity-deadline protection, with the legacy pipeline's boundary.

    The R function keeps ``activity_date_deadline < today - N`` or a missing
    deadline, so a lead is protected when its deadline is on or after
    ``today - N`` (which includes every deadline in the future). Odoo cannot
    order or group by this computed field, but it can search it, so the
    domain is exact.
    """
    limit = today - timedelta(days=exclude_within_days) if exclude_within_days is not None else None

    def keep(lead: Lead) -> bool:
        deadline = lead.activity_date_deadline
        if deadline is None:
            return not exclude_missing
        return limit is None or deadline < limit

    terms: list[Domain] = []
    if not exclude_missing:
        terms.append([("activity_date_deadline", "=", False)])
    if limit is not None:
        terms.append([("activity_date_deadline", "<", limit.isoformat())])
    else:
        terms.append([("activity_date_deadline", "!=", False)])
    return LeadFilter("Activity deadline protection", keep, any_of(terms))
