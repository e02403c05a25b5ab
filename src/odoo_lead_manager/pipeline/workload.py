"""Each salesperson's current workload (spec §2.5), from grouped counts.

Four grouped counts measure every salesperson at once — by owner and
status, by owner and source, by owner over the last N days and by owner
since the first of the month — whatever the number of salespeople. Which
leads count is configured (`WorkloadCounting`); turning the counts into
`Workload` values is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from odoo_lead_manager.config.schema.selection import WorkloadCounting
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import Domain, Lead, Salesperson, Workload

Counts = Mapping[tuple[Any, ...], int]


# Which leads count when a caller gives no settings: the leads a user owns (``user_id``).
BY_OWNER = WorkloadCounting(owner_field="user_id")


def holder_of(counting: WorkloadCounting) -> str:
    """The lead field the workload counts by; resolve it first (`config.defaults`)."""
    if counting.owner_field is None:
        raise ValueError("workload owner_field is not resolved (config.defaults.workload_counting)")
    return counting.owner_field


def workload_domain(user_ids: Iterable[int], counting: WorkloadCounting | None = None) -> Domain:
    """Which leads count toward workload (default: active leads of type lead they hold)."""
    counting = counting or BY_OWNER
    domain: Domain = [
        ("type", "in", list(counting.lead_types)),
        ("active", "in", [True, False]) if counting.include_archived else ("active", "=", True),
        (holder_of(counting), "in", sorted(set(user_ids))),
    ]
    if counting.statuses:
        domain.append(("status", "in", list(counting.statuses)))
    if counting.exclude_statuses:
        domain.append(("status", "not in", list(counting.exclude_statuses)))
    return domain


@dataclass(frozen=True)
class WorkloadCounts:
    """The grouped counts a workload is made of, keyed as `CrmStore.count_leads` keys them."""

    by_status: Counts
    by_source: Counts
    recent: Counts
    this_month: Counts


def count_workloads(
    crm: Lookups,
    salespeople: Iterable[Salesperson | int],
    today: date,
    counting: WorkloadCounting | None = None,
) -> WorkloadCounts:
    """The four grouped counts for these salespeople (or user ids), four CRM questions in all."""
    counting = counting or BY_OWNER
    owner, when = holder_of(counting), counting.date_field
    ids = (p if isinstance(p, int) else p.user_id for p in salespeople)
    domain = workload_domain(ids, counting)
    since = today - timedelta(days=counting.recent_days)
    month = today.replace(day=1)
    return WorkloadCounts(
        by_status=crm.count_leads(domain, (owner, "status")),
        by_source=crm.count_leads(domain, (owner, "source_id")),
        recent=crm.count_leads([*domain, (when, ">=", since.isoformat())], (owner,)),
        this_month=crm.count_leads([*domain, (when, ">=", month.isoformat())], (owner,)),
    )


def statuses_now(
    crm: Lookups, salespeople: Iterable[Salesperson], counting: WorkloadCounting | None = None
) -> dict[int, dict[str, int]]:
    """Each salesperson's counted leads by status, now (one CRM question): the "after" counts."""
    counting = counting or BY_OWNER
    domain = workload_domain((p.user_id for p in salespeople), counting)
    return _by_owner(crm.count_leads(domain, (holder_of(counting), "status")))


def compute_workloads(
    salespeople: Iterable[Salesperson], counts: WorkloadCounts
) -> dict[int, Workload]:
    """Workloads keyed by user id."""
    by_status = _by_owner(counts.by_status)
    by_source = _by_owner(counts.by_source)
    recent = {key[0]: count for key, count in counts.recent.items()}
    month = {key[0]: count for key, count in counts.this_month.items()}
    result: dict[int, Workload] = {}
    for person in salespeople:
        statuses = by_status.get(person.user_id, {})
        result[person.user_id] = Workload(
            user_id=person.user_id,
            total=sum(statuses.values()),
            by_status=dict(sorted(statuses.items())),
            target=person.target_leads,
            by_source=dict(sorted(by_source.get(person.user_id, {}).items())),
            recent=recent.get(person.user_id, 0),
            this_month=month.get(person.user_id, 0),
        )
    return result


def _by_owner(counts: Counts) -> dict[int, dict[str, int]]:
    """``{(owner, value): n}`` as ``{owner: {value: n}}``, with ``""`` for no value."""
    result: dict[int, dict[str, int]] = {}
    for (owner, value), count in counts.items():
        values = result.setdefault(owner, {})
        key = value if value is not None else ""
        values[key] = values.get(key, 0) + count
    return result


def _status_counted(status: str | None, counting: WorkloadCounting) -> bool:
    """Whether the workload's status rules count a lead of this status (as its domain does)."""
    if counting.statuses and status not in counting.statuses:
        return False
    return status is None or status not in counting.exclude_statuses


def lead_move(
    lead: Lead, values: Mapping[str, Any], counting: WorkloadCounting
) -> tuple[int | None, int | None, str | None]:
    """How writing ``values`` on ``lead`` changes the workload counts.

    Returns whose count the lead leaves, whose count it joins (None for
    nobody; both None when the counts do not change) and its status after.
    A lead joins nobody's count when the workload does not count its new
    status, and leaves nobody's when it was not counted before.
    """
    owner = holder_of(counting)
    before = getattr(lead, owner)
    after = values.get(owner, before)
    status_after = values.get("status", lead.status)
    typed = lead.type in counting.lead_types and (lead.active or counting.include_archived)
    was = typed and before is not None and _status_counted(lead.status, counting)
    will = typed and after is not None and _status_counted(status_after, counting)
    if was and will and before == after and lead.status == status_after:
        return None, None, status_after
    return (before if was else None), (after if will else None), status_after
