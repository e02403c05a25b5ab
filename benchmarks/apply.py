"""The cost of applying a plan safely to the local store (issue 7), and of undoing it.

Run by hand (never in CI):

    .venv/bin/python benchmarks/apply.py [--leads 10000 100000] [--batch-size 50 1000]
                                         [--repeat 3]

For each size it builds a local store of that many leads held by 50
salespeople and a plan moving every lead to another salesperson: one write
group per salesperson, so each batch's leads are spread over the whole
table, as a distribution's are. It applies the plan through the journal (a
SQLite file): per batch a re-check read, a journal record, the write, a
read-back and a journal record; then undoes it. Each figure is the median of
``--repeat`` runs, each on a new store; it prints the wall time of applying
and how it splits between the CRM store's calls (reads and writes), the
journal and the rest (odlm's own checks), then the undo's time, and the CRM
calls of each.

``--floor`` also times the same CRM work done by bare SQL on an identical
store, with none of odlm's code and no journal: per batch the narrow
re-check SELECT, the UPDATE and its commit, the read-back SELECT ("floor"),
and the UPDATE and commit alone ("writes only"). That is what any apply to
this store must at least spend. "Safe floor" adds, by hand and with nothing
to spare, what the safety rules ask on top of it (issue 27): each lead
re-checked against the state it was planned in (write_date and owner) and
its values, the previous values of the leads about to be written recorded
in a journal (a SQLite file with the journal's own settings) and committed
before the write, each read-back compared with the values, and the batch
recorded done in the journal after it: about the least a safe apply can spend.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from runs import Counting  # type: ignore[import-not-found]
from sqlalchemy import create_engine

# The tests' hand-made plans, from the repository's root as pytest sees it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.apply.plans import hand_plan

from odoo_lead_manager.apply.undo import undo_run
from odoo_lead_manager.apply.writer import ApplySettings, apply_plan
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Lead, Team, User
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.ops.pacing import bulk_objects
from odoo_lead_manager.state.tracking import Journal

PEOPLE = 50


def build(directory: Path, leads: int) -> tuple[LocalStore, Plan]:
    store = LocalStore.create(directory / "crm.sqlite")
    store.add_teams([Team(1, "Voice")])
    store.add_users([User(i, f"Seller {i}", f"seller{i}", team_id=1) for i in range(1, PEOPLE + 1)])
    store.add_leads(
        Lead(i, f"Lead {i}", status="Utr", user_id=i % PEOPLE + 1, team_id=1)
        for i in range(1, leads + 1)
    )
    groups: dict[int, list[int]] = {}
    for lead_id in range(1, leads + 1):
        groups.setdefault((lead_id % PEOPLE + 1) % PEOPLE + 1, []).append(lead_id)
    plan = hand_plan(
        store,
        [
            (ids, {"user_id": user, "open_user_id": user, "status": "New"})
            for user, ids in groups.items()
        ],
    )
    return store, plan


def once(leads: int, batch_size: int) -> dict[str, float]:
    """One apply and one undo on a new store: seconds, and where applying spent them."""
    with tempfile.TemporaryDirectory() as tmp:
        store, plan = build(Path(tmp), leads)
        journal = Journal(create_engine(f"sqlite:///{Path(tmp) / 'journal.sqlite'}"))
        settings = ApplySettings(batch_size=batch_size)
        counting, timed_journal = Counting(store), Counting(journal)
        started = time.perf_counter()
        with bulk_objects():  # as `odlm dailydist` and `odlm apply` run it
            result = apply_plan(plan, counting, timed_journal, settings)
        applied = time.perf_counter() - started
        assert result.written == leads, result
        undo_counting = Counting(store)
        started = time.perf_counter()
        with bulk_objects():
            undone = undo_run(plan.run_id, undo_counting, journal, settings)
        undo_seconds = time.perf_counter() - started
        assert undone.restored == leads, undone
        journal.close()
        store.close()
    in_store = counting.seconds.total()
    in_journal = timed_journal.seconds.total()
    return {
        "apply": applied,
        "store": in_store,
        "journal": in_journal,
        "odlm": applied - in_store - in_journal,
        "calls": counting.calls.total(),
        "undo": undo_seconds,
        "undo_calls": undo_counting.calls.total(),
    }


# The bare SQL's statements, completed with ``WHERE id IN (...)``.
_SELECT = "SELECT id, write_date, user_id, open_user_id, status, team_id FROM crm_lead"
_UPDATE = "UPDATE crm_lead SET user_id = ?, open_user_id = ?, status = ?, write_date = ?"
_STAMP = "2026-01-01 00:00:00"


def bare_store(directory: Path, leads: int) -> tuple[sqlite3.Connection, Plan]:
    """A new store and its plan, opened with the store's own connection settings but
    none of its code."""
    store, plan = build(directory, leads)
    store.close()
    db = LocalStore.open(directory / "crm.sqlite")._db
    db.execute("PRAGMA foreign_keys = OFF")
    return db, plan


def floor(leads: int, batch_size: int) -> dict[str, float]:
    """The plan's reads and writes by bare SQL on a new store: with the reads, and writes only."""
    result = {}
    for label, reads in (("floor", True), ("writes only", False)):
        with tempfile.TemporaryDirectory() as tmp:
            db, plan = bare_store(Path(tmp), leads)
            started = time.perf_counter()
            for group in plan.writes:
                for start in range(0, len(group.lead_ids), batch_size):
                    ids = group.lead_ids[start : start + batch_size]
                    marks = ", ".join("?" * len(ids))
                    if reads:
                        db.execute(f"{_SELECT} WHERE id IN ({marks})", ids).fetchall()
                    with db:
                        db.execute(
                            f"{_UPDATE} WHERE id IN ({marks})",
                            (*group.values.values(), _STAMP, *ids),
                        )
                    if reads:
                        db.execute(f"{_SELECT} WHERE id IN ({marks})", ids).fetchall()
            result[label] = time.perf_counter() - started
            db.close()
    with tempfile.TemporaryDirectory() as tmp:
        result["safe floor"] = safe_floor(Path(tmp), leads, batch_size)
    return result


def safe_floor(directory: Path, leads: int, batch_size: int) -> float:
    """The bare SQL plus the least the safety rules add, by hand (see the module's text)."""
    db, plan = bare_store(directory, leads)
    journal = sqlite3.connect(directory / "journal.sqlite", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "wal_autocheckpoint=10000"):
        journal.execute(f"PRAGMA {pragma}")
    journal.execute("CREATE TABLE batch (no INTEGER PRIMARY KEY, state TEXT, previous TEXT)")
    stamps, owners = plan.seen_write_dates, plan.seen_owners
    started = time.perf_counter()
    number = 0
    for group in plan.writes:
        user, open_user, status = group.values.values()
        for start in range(0, len(group.lead_ids), batch_size):
            ids = group.lead_ids[start : start + batch_size]
            marks = ", ".join("?" * len(ids))
            rows = db.execute(f"{_SELECT} WHERE id IN ({marks})", ids)
            previous = [
                (i, u, o, s, t)
                for i, w, u, o, s, t in rows
                if w == stamps[i] and u == owners[i] and (u, o, s) != (user, open_user, status)
            ]
            write = [row[0] for row in previous]
            assert len(write) == len(ids)  # every lead as planned: nothing skipped cheaply
            with journal:
                journal.execute(
                    "INSERT INTO batch VALUES (?, 'writing', ?)", (number, json.dumps(previous))
                )
            marks = ", ".join("?" * len(write))
            with db:
                db.execute(
                    f"{_UPDATE} WHERE id IN ({marks})", (user, open_user, status, _STAMP, *write)
                )
            rows = db.execute(f"{_SELECT} WHERE id IN ({marks})", write)
            confirmed = sum((u, o, s) == (user, open_user, status) for _, _, u, o, s, _ in rows)
            assert confirmed == len(write)
            with journal:
                journal.execute("UPDATE batch SET state = 'done' WHERE no = ?", (number,))
            number += 1
    seconds = time.perf_counter() - started
    journal.close()
    db.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[50, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", action="store_true", help="also time the bare SQL")
    args = parser.parse_args()
    print(
        f"{'leads':>8} {'batch':>6} {'apply s':>8} {'store s':>8} {'journal s':>9} "
        f"{'odlm s':>7} {'calls':>7} {'undo s':>7} {'calls':>7}"
    )
    for leads in args.leads:
        for batch_size in args.batch_size:
            runs = [once(leads, batch_size) for _ in range(args.repeat)]
            m = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            print(
                f"{leads:>8,} {batch_size:>6} {m['apply']:>8.2f} {m['store']:>8.2f} "
                f"{m['journal']:>9.2f} {m['odlm']:>7.2f} {int(m['calls']):>7,} "
                f"{m['undo']:>7.2f} {int(m['undo_calls']):>7,}"
            )
            if args.floor:
                floors = [floor(leads, batch_size) for _ in range(args.repeat)]
                print(
                    "         bare SQL on the same store: "
                    + ", ".join(
                        f"{label} {statistics.median(f[label] for f in floors):.2f} s"
                        for label in floors[0]
                    )
                )


if __name__ == "__main__":
    main()
