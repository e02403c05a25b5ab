"""The cost of applying a plan safely to the local store (issue 7), and of undoing it.

Run by hand (never in CI):

    .venv/bin/python benchmarks/apply.py [--leads 10000 100000] [--batch-size 50 1000]

For each size it builds a local store of that many leads held by 50
salespeople, a plan moving every lead to another salesperson (one write
group per salesperson, as a distribution makes), and applies it through the
journal (a SQLite file): re-check read, journal record, write, read-back,
journal record per batch. It prints the time to apply, the time to undo, and
the CRM calls (reads + writes) each made. One run per size: the store
changes as it is applied.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine

from odoo_lead_manager.applying import ApplySettings, apply_plan
from odoo_lead_manager.crm.local_store import LocalStore
from odoo_lead_manager.model import Assignment, Lead, Team, User, write_stamp
from odoo_lead_manager.plan import Plan, WriteGroup
from odoo_lead_manager.tracking import Journal
from odoo_lead_manager.undoing import undo_run

PEOPLE = 50


class Counting:
    """Counts the CRM calls an apply makes, passing them to the store."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store
        self.reads = self.writes = 0

    def read_leads(self, ids):  # type: ignore[no-untyped-def]
        self.reads += 1
        return self.store.read_leads(ids)

    def write_leads(self, ids, values):  # type: ignore[no-untyped-def]
        self.writes += 1
        self.store.write_leads(ids, values)


def build(directory: Path, leads: int) -> tuple[LocalStore, Plan]:
    store = LocalStore.create(directory / "crm.sqlite")
    store.add_teams([Team(1, "Voice")])
    store.add_users([User(i, f"Seller {i}", f"seller{i}", team_id=1) for i in range(1, PEOPLE + 1)])
    store.add_leads(
        Lead(i, f"Lead {i}", status="Utr", user_id=i % PEOPLE + 1, team_id=1)
        for i in range(1, leads + 1)
    )
    current = store.read_leads(range(1, leads + 1))
    groups: dict[int, list[int]] = {}
    for lead in current:
        groups.setdefault((lead.user_id or 0) % PEOPLE + 1, []).append(lead.id)
    plan = Plan(
        run_id=uuid.uuid4().hex,
        created_at=datetime.now(UTC),
        today=date.today(),
        campaign="Voice",
        strategy="round_robin",
        seed=1,
        date_start=None,
        date_end=None,
        salespeople=(),
        left_out=(),
        workloads={},
        examined=leads,
        excluded={},
        distributable=leads,
        assignments=tuple(
            Assignment(lead.id, (lead.user_id or 0) % PEOPLE + 1, lead.user_id, "bench")
            for lead in current
        ),
        unassigned={},
        writes=tuple(
            WriteGroup(tuple(ids), {"user_id": user, "open_user_id": user, "status": "New"})
            for user, ids in groups.items()
        ),
        seen_write_dates={lead.id: write_stamp(lead.write_date) for lead in current},
        seen_owners={lead.id: lead.user_id for lead in current},
    )
    return store, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[50, 1000])
    args = parser.parse_args()
    print(f"{'leads':>8} {'batch':>6} {'apply s':>8} {'calls':>7} {'undo s':>7} {'calls':>7}")
    for leads in args.leads:
        for batch_size in args.batch_size:
            with tempfile.TemporaryDirectory() as tmp:
                store, plan = build(Path(tmp), leads)
                journal = Journal(create_engine(f"sqlite:///{Path(tmp) / 'journal.sqlite'}"))
                settings = ApplySettings(batch_size=batch_size)
                counting = Counting(store)
                started = time.perf_counter()
                result = apply_plan(plan, counting, journal, settings)  # type: ignore[arg-type]
                applied = time.perf_counter() - started
                assert result.written == leads, result
                undo_counting = Counting(store)
                started = time.perf_counter()
                undone = undo_run(plan.run_id, undo_counting, journal, settings)  # type: ignore[arg-type]
                undo_seconds = time.perf_counter() - started
                assert undone.restored == leads, undone
                journal.close()
                store.close()
            print(
                f"{leads:>8,} {batch_size:>6} {applied:>8.2f} {counting.reads + counting.writes:>7,} "
                f"{undo_seconds:>7.2f} {undo_counting.reads + undo_counting.writes:>7,}"
            )


if __name__ == "__main__":
    main()
