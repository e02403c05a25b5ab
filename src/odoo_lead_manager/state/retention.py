"""`odlm retention`: keep ``tracking.retention_days`` of history, archive or delete the rest.

Rows of the three history tables dated before the cut-off are copied into
their ``*_archive`` twin (with ``archive_old_data``, the default) and then
deleted, table by table in one transaction each, so a killed command
leaves every row in exactly one of the two places. Journal entries of
finished runs (completed or undone) started before the cut-off are
deleted (with whether their digests were delivered): their plans are large, and
their leads are in the history;
unfinished runs are kept whatever their age, since they must be resumed.
Kept snapshots (`odlm replay`) of runs before the cut-off are deleted.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, literal, select

from odoo_lead_manager.domain.runs import COMPLETED, UNDONE, RetentionResult
from odoo_lead_manager.state.database import prepare, run_in_transaction, utc_now
from odoo_lead_manager.state.tables import (
    ARCHIVES,
    HISTORY_TABLES,
    batches,
    digests,
    plans,
    runs,
    snapshots,
)


def apply_retention(
    engine: Engine, days: int, archive: bool, today: date, dry_run: bool = False
) -> RetentionResult:
    """Archive (or delete) history older than ``days`` days before ``today``."""
    prepare(engine)
    cutoff = today - timedelta(days=days)
    rows = {
        table.name: _move_old_rows(engine, table, cutoff, archive, dry_run)
        for table in HISTORY_TABLES
    }
    old_runs = and_(runs.c.status.in_((COMPLETED, UNDONE)), runs.c.run_date < cutoff)
    counted: list[int] = []

    def drop_runs(connection: Connection) -> None:
        ids = [row[0] for row in connection.execute(select(runs.c.run_id).where(old_runs))]
        counted.append(len(ids))
        if dry_run:
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            connection.execute(delete(batches).where(batches.c.run_id.in_(chunk)))
            connection.execute(delete(digests).where(digests.c.run_id.in_(chunk)))
            connection.execute(delete(plans).where(plans.c.run_id.in_(chunk)))
            connection.execute(delete(runs).where(runs.c.run_id.in_(chunk)))

    run_in_transaction(engine, drop_runs)
    dropped = _drop_old_snapshots(engine, cutoff, dry_run)
    return RetentionResult(cutoff, archive, dry_run, rows, counted[0], dropped)


def _drop_old_snapshots(engine: Engine, cutoff: date, dry_run: bool) -> int:
    """Snapshots of runs dated before ``cutoff``: counted, then deleted (never archived:
    they are large, and what they decided is in the history)."""
    old = snapshots.c.run_date < cutoff
    counted: list[int] = []

    def work(connection: Connection) -> None:
        query = select(func.count()).select_from(snapshots).where(old)
        counted.append(int(connection.execute(query).scalar_one()))
        if not dry_run and counted[0]:
            connection.execute(delete(snapshots).where(old))

    run_in_transaction(engine, work)
    return counted[0]


def _move_old_rows(engine: Engine, table: Table, cutoff: date, archive: bool, dry_run: bool) -> int:
    """Rows of ``table`` dated before ``cutoff``: counted, then archived and deleted."""
    old = table.c.distribution_date < cutoff
    counted: list[int] = []

    def work(connection: Connection) -> None:
        count = int(
            connection.execute(select(func.count()).select_from(table).where(old)).scalar_one()
        )
        counted.append(count)
        if dry_run or not count:
            return
        if archive:
            names = [c.name for c in table.columns]
            source = select(*table.columns, literal(utc_now()).label("archived_at")).where(old)
            connection.execute(
                insert(ARCHIVES[table.name]).from_select([*names, "archived_at"], source)
            )
        connection.execute(delete(table).where(old))

    run_in_transaction(engine, work)
    return counted[-1]
