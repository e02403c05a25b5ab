"""The filter object and the rules of the walking skeleton (spec §3.1).

A filter has a name (shown in the filter impact report), a predicate over a
`Lead` that decides, and optionally an Odoo domain fragment that selects
exactly the leads the predicate keeps, so that the server can do the work
and count what the filter removed. A rule Odoo cannot express exactly
(case folding, patterns, weekdays) has no domain and runs on the client.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from odoo_lead_manager.domain.model import Domain, DomainTerm, Lead, user_label
from odoo_lead_manager.pipeline.finding.matching import TextMatcher

Predicate = Callable[[Lead], bool]


@dataclass(frozen=True, slots=True)
class LeadFilter:
    """One rule: leads for which ``keep`` is false are excluded, counted under ``name``.

    ``detail``, when given, says more about why an excluded lead was excluded
    (the sales filter: which opportunity stages matched); the report counts
    exclusions by it too. ``why`` says in a sentence what the rule saw on a
    lead, for `odlm explain` and the exclusion ledger (`finding.reasons`).
    ``reads`` names the fields of `crm.store.SKIPPABLE` that ``keep`` looks at:
    a run whose rules read none of them leaves them out of the lead fetch.
    """

    name: str
    keep: Predicate
    domain: Domain | None = None
    detail: Callable[[Lead], str] | None = None
    why: Callable[[Lead], str] | None = None
    reads: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.domain == []:
            raise ValueError(f"filter {self.name!r}: an empty domain would match every lead")


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


def in_domain(field: str, matcher: TextMatcher) -> Domain | None:
    """The exact domain "``field`` is one of the values", when the matcher is plain exact.

    Other modes (case folding, partial, patterns) have no exact Odoo
    operator: ``=ilike`` treats ``_`` and ``%`` as wildcards.
    """
    return [(field, "in", list(matcher.values))] if matcher.is_plain_exact else None


def status_filter(matcher: TextMatcher) -> LeadFilter:
    """Spec §3.4: the lead's status is one of the configured statuses."""
    return LeadFilter(
        "Status not selected",
        lambda lead: matcher.matches(lead.status),
        in_domain("status", matcher),
        why=lambda lead: f"{shown('status', lead.status)} {matcher.describe()}",
    )


def owner_status_filter(
    active_owner_ids: Collection[int],
    active_statuses: TextMatcher,
    inactive_owner_ids: Collection[int],
    inactive_statuses: TextMatcher,
    owner_field: str = "user_id",
    since: tuple[date | None, date | None] = (None, None),
    date_field: str = "source_date",
    names: Mapping[int, str] | None = None,
) -> LeadFilter:
    """The legacy pipeline's rule (spec §3.1, §17.3).

    A lead qualifies when its owner is an active salesperson of the campaign
    and its status is one of the active statuses, or its owner is an inactive
    salesperson of the campaign and its status is one of the inactive ones.
    ``since`` bounds each group's leads by date (``status_filters.*.date_range_days``:
    dated on or after that day, in ``date_field``), within the run's window.
    """
    active_ids = frozenset(active_owner_ids)
    inactive_ids = frozenset(inactive_owner_ids)
    active_since, inactive_since = since

    def recent(lead: Lead, first: date | None) -> bool:
        if first is None:
            return True
        value = getattr(lead, date_field)
        day = value.date() if isinstance(value, datetime) else value
        return isinstance(day, date) and day >= first

    def keep(lead: Lead) -> bool:
        owner = getattr(lead, owner_field)
        if owner in active_ids:
            return active_statuses.matches(lead.status) and recent(lead, active_since)
        if owner in inactive_ids:
            return inactive_statuses.matches(lead.status) and recent(lead, inactive_since)
        return False

    def why(lead: Lead) -> str:
        owner = getattr(lead, owner_field)
        for ids, matcher, first, group in (
            (active_ids, active_statuses, active_since, "active"),
            (inactive_ids, inactive_statuses, inactive_since, "inactive"),
        ):
            if owner in ids:
                if not matcher.matches(lead.status):
                    status = shown("status", lead.status)
                    return f"{status} {matcher.describe()} (its holder is {group})"
                return f"{date_field} is before {first}, the {group} salespeople's first day"
        return f"{owner_field} {who(owner, names)} is not a salesperson of the campaign"

    branches: list[Domain] = []
    groups = (
        (active_ids, active_statuses, active_since),
        (inactive_ids, inactive_statuses, inactive_since),
    )
    for ids, matcher, first in groups:
        if ids:
            branch: Domain = [(owner_field, "in", sorted(ids))]
            statuses = in_domain("status", matcher)
            if statuses is None:
                return LeadFilter("Owner or status not selected", keep, why=why)
            branch.extend(statuses)
            if first is not None:
                branch.append((date_field, ">=", first.isoformat()))
            branches.append(branch)
    return LeadFilter("Owner or status not selected", keep, any_of(branches), why=why)


def shown(field: str, value: str | None) -> str:
    """A lead's text field as a rule's sentence names it: "status 'New'", "status (empty)"."""
    return f"{field} (empty)" if value is None else f"{field} {value!r}"


def who(user_id: int | None, names: Mapping[int, str] | None = None) -> str:
    """A lead's holder as a rule's sentence names it (`user_label`)."""
    return user_label(user_id, names or {})


def not_held_by(
    name: str,
    user_ids: Iterable[int],
    owner_field: str,
    names: Mapping[int, str] | None = None,
) -> LeadFilter:
    """Leads whose ``owner_field`` is none of ``user_ids`` (unassigned ones included)."""
    ids = frozenset(user_ids)
    domain: Domain | None = None
    if ids:
        domain = ["|", (owner_field, "=", False), (owner_field, "not in", sorted(ids))]
    return LeadFilter(
        name,
        lambda lead: getattr(lead, owner_field) not in ids,
        domain,
        why=lambda lead: f"{owner_field} is {who(getattr(lead, owner_field), names)}",
    )


MOVED_ELSEWHERE = "Moved today by another campaign"


def moved_elsewhere_filter(lead_ids: Iterable[int]) -> LeadFilter:
    """Leads another campaign's real run moved today: a lead moves at most once a day."""
    ids = frozenset(lead_ids)
    return LeadFilter(
        MOVED_ELSEWHERE,
        lambda lead: lead.id not in ids,
        [("id", "not in", sorted(ids))],
        why=lambda lead: "another campaign's run moved this lead today",
    )


def excluded_owners_filter(
    user_ids: Iterable[int], owner_field: str = "user_id", names: Mapping[int, str] | None = None
) -> LeadFilter:
    """Spec §3.1 ``excluded_users``: leads held by these users are never redistributed."""
    return not_held_by("Held by an excluded user", user_ids, owner_field, names)


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

    def why(lead: Lead) -> str:
        deadline = lead.activity_date_deadline
        if deadline is None:
            return "the lead has no activity deadline (exclude_missing_deadline)"
        return f"its activity deadline {deadline} is on or after {limit}"

    return LeadFilter(
        "Activity deadline protection",
        keep,
        any_of(terms),
        why=why,
        reads=frozenset({"activity_date_deadline"}),
    )


def sentence(rule: LeadFilter, lead: Lead) -> str:
    """What the rule saw on the lead, in a sentence."""
    if rule.why is not None:
        return rule.why(lead)
    if rule.detail is not None:
        return f"{rule.name.lower()}: {rule.detail(lead)}"
    return rule.name.lower()
