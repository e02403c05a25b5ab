"""What the campaign's salespeople received outside odlm since its previous real run: the
fairness ledger's other half (`domain.ledger`).

Odoo dates a lead's assignment (``date_open``) whenever its salesperson is
written, by hand, by its own assignment or at creation; so the leads a
salesperson holds (as the workload counts them) with an assignment dated at or
after the previous run's snapshot came to them since. Those the previous run
wrote itself, those an undo gave back and those that run already counted are
left out. Two calls: the ids, then the holder of the few that are left.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from odoo_lead_manager.config.schema.selection import WorkloadCounting
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.ledger import Standing
from odoo_lead_manager.pipeline.workload import holder_of, workload_domain


def outside_receipts(
    store: CrmStore,
    user_ids: Collection[int],
    counting: WorkloadCounting,
    standing: Standing | None,
    now: datetime,
) -> dict[int, tuple[int, ...]]:
    """The leads each of ``user_ids`` received outside odlm from the ledger's last run until
    ``now`` (an assignment dated later is a clock's error, not a receipt)."""
    if standing is None or standing.since is None or not user_ids:
        return {}
    domain = [
        *workload_domain(sorted(user_ids), counting),
        ("date_open", ">=", _odoo_time(standing.since)),
        ("date_open", "<=", _odoo_time(now)),
    ]
    known = set(standing.previous)
    fresh = [lead_id for lead_id in store.lead_ids(domain) if lead_id not in known]
    if not fresh:
        return {}
    holder = holder_of(counting)
    received: dict[int, list[int]] = {}
    for lead_id, values in sorted(store.read_values(fresh, (holder,)).items()):
        user = values.get(holder)
        if isinstance(user, int) and user in user_ids:
            received.setdefault(int(user), []).append(lead_id)
    return {uid: tuple(ids) for uid, ids in sorted(received.items())}


def _odoo_time(moment: datetime) -> str:
    """A UTC time as Odoo's domains compare datetimes: naive, to the second."""
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
