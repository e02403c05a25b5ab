"""A synthetic plan for the benchmarks: N leads handed to 50 salespeople, with lead facts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from odoo_lead_manager.domain.model import Assignment, LeadFacts, Salesperson, Workload
from odoo_lead_manager.domain.plan import Plan, WriteGroup

PEOPLE = 50
TODAY = date(2024, 6, 14)
STATUSES = ("New", "Call Back", "Utr", "Full Pitch Follow Up", "Won", "Lost")


def build(leads: int) -> Plan:
    people = tuple(
        Salesperson(f"Seller {i}", i, "Voice", target_leads=500) for i in range(1, PEOPLE + 1)
    )
    assignments = tuple(
        Assignment(i, i % PEOPLE + 1, (i + 1) % PEOPLE + 1, "round_robin: turn 1 of 50")
        for i in range(1, leads + 1)
    )
    return Plan(
        run_id=uuid.uuid4().hex,
        created_at=datetime.now(UTC).replace(microsecond=0),
        today=TODAY,
        campaign="Voice",
        strategy="round_robin",
        seed=1,
        date_start=TODAY - timedelta(days=30),
        date_end=TODAY,
        salespeople=people,
        left_out=(),
        workloads={
            p.user_id: Workload(p.user_id, 300, {s: 50 for s in STATUSES}, 500) for p in people
        },
        examined=leads,
        excluded={},
        distributable=leads,
        assignments=assignments,
        unassigned={},
        writes=(WriteGroup(tuple(range(1, leads + 1)), {"status": "New"}),),
        user_names={p.user_id: p.name for p in people},
        lead_facts={
            i: LeadFacts(STATUSES[i % 6], f"source {i % 20}", "UTR", i % 4)
            for i in range(1, leads + 1)
        },
    )
