"""Small plans written by hand, for tests that apply to any store (the contract)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.model import Assignment, write_stamp
from odoo_lead_manager.domain.plan import Plan, WriteGroup


def hand_plan(
    store: CrmStore,
    groups: Sequence[tuple[Sequence[int], Mapping[str, Any]]],
    campaign: str | None = "Voice",
    today: date = date(2024, 6, 14),
) -> Plan:
    """A plan writing ``values`` on ``lead_ids`` for each group, as the store holds them now."""
    ids = [lead_id for lead_ids, _ in groups for lead_id in lead_ids]
    leads = {lead.id: lead for lead in store.read_leads(ids)}
    assignments = tuple(
        Assignment(lead_id, int(values.get("user_id", 0)), leads[lead_id].user_id, "test")
        for lead_ids, values in groups
        for lead_id in lead_ids
    )
    return Plan(
        run_id=uuid.uuid4().hex,
        created_at=datetime.now(UTC).replace(microsecond=0),
        today=today,
        campaign=campaign,
        strategy="round_robin",
        seed=1,
        date_start=None,
        date_end=None,
        salespeople=(),
        left_out=(),
        workloads={},
        examined=len(ids),
        excluded={},
        distributable=len(ids),
        assignments=assignments,
        unassigned={},
        writes=tuple(WriteGroup(tuple(sorted(lead_ids)), dict(v)) for lead_ids, v in groups),
        seen_write_dates={i: write_stamp(lead.write_date) for i, lead in leads.items()},
        seen_owners={i: lead.user_id for i, lead in leads.items()},
    )
