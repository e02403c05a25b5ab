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
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.model import Domain, Salesperson, Workload

Counts = Mapping[tuple[Any, ...], int]


def workload_domain(user_ids: Iterable[int], counting: WorkloadCounting | None = None) -> Domain:
    """Which leads count toward workload (default: active leads of type lead they own)."""
    counting = counting or WorkloadCounting()
    domain: Domain = [
        ("type", "in", list(counting.lead_types)),
        ("active", "in", [True, False]) if counting.include_archived else ("active", "=", True),
        (counting.owner_field, "in", sorted(set(user_ids))),
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
    store: CrmStore,
    salespeople: Iterable[Salesperson],
    today: date,
    counting: WorkloadCounting | None = None,
) -> WorkloadCounts:
    """The four grouped counts for these salespeople (four store calls in all)."""
    counting = counting or WorkloadCounting()
    owner, when = counting.owner_field, counting.date_field
    domain = workload_domain((p.user_id for p in salespeople), counting)
    since = today - timedelta(days=counting.recent_days)
    month = today.replace(day=1)
    return WorkloadCounts(
        by_status=store.count_leads(domain, (owner, "status")),
        by_source=store.count_leads(domain, (owner, "source_id")),
        recent=store.count_leads([*domain, (when, ">=", since.isoformat())], (owner,)),
        this_month=store.count_leads([*domain, (when, ">=", month.isoformat())], (owner,)),
    )


def statuses_now(
    store: CrmStore, salespeople: Iterable[Salesperson], counting: WorkloadCounting | None = None
) -> dict[int, dict[str, int]]:
    """Each salesperson's counted leads by status, now (one store call): the "after" counts."""
    counting = counting or WorkloadCounting()
    domain = workload_domain((p.user_id for p in salespeople), counting)
    return _by_owner(store.count_leads(domain, (counting.owner_field, "status")))


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
