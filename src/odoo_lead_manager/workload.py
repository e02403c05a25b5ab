"""Each salesperson's current workload (spec §2.5), from grouped counts.

The store is asked once for counts grouped by owner and status; turning
those counts into `Workload` values is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from odoo_lead_manager.model import Domain, Salesperson, Workload

GROUP_BY = ("user_id", "status")


def workload_domain(user_ids: Iterable[int]) -> Domain:
    """Which leads count toward workload: active leads of type lead owned by the salesperson."""
    return [("type", "=", "lead"), ("active", "=", True), ("user_id", "in", sorted(set(user_ids)))]


def compute_workloads(
    salespeople: Iterable[Salesperson], counts: Mapping[tuple[Any, ...], int]
) -> dict[int, Workload]:
    """Workloads keyed by user id, from counts keyed by ``(user_id, status)``."""
    by_user: dict[int, dict[str, int]] = {}
    for (user_id, status), count in counts.items():
        statuses = by_user.setdefault(user_id, {})
        key = status if status is not None else ""
        statuses[key] = statuses.get(key, 0) + count
    result: dict[int, Workload] = {}
    for person in salespeople:
        statuses = by_user.get(person.user_id, {})
        result[person.user_id] = Workload(
            user_id=person.user_id,
            total=sum(statuses.values()),
            by_status=dict(sorted(statuses.items())),
            target=person.target_leads,
        )
    return result
