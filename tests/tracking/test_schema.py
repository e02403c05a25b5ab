"""Versioned migrations create and upgrade the tracking tables on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, event, func, insert, inspect, select, text
from sqlalchemy.engine import URL

from odoo_lead_manager.tracking.schema import current_version, head_version, upgrade
from odoo_lead_manager.tracking.tables import VERSION_TABLE, batches, metadata, runs

JOURNAL_TABLES = {"odlm_run", "odlm_run_batch"}
HISTORY_TABLES = {
    "lead_distribution_tracking",
    "lead_distribution_summary",
    "lead_assignment_history",
}
ARCHIVE_TABLES = {f"{name}_archive" for name in HISTORY_TABLES}


def engine_of(url: URL) -> Engine:
    return create_engine(url)


def a_run(run_id: str) -> dict[str, object]:
    now = datetime(2024, 6, 14, 8, 0)
    return {
        "run_id": run_id,
        "campaign": "Voice",
        "run_date": date(2024, 6, 14),
        "status": "completed",
        "forced": False,
        "started_at": now,
        "updated_at": now,
        "planned": 3,
        "written": 3,
        "already": 0,
        "skipped": 0,
        "failed": 0,
        "plan_json": "{}",
    }


def test_a_new_database_gets_every_table_matching_their_definitions(database_url: URL) -> None:
    engine = engine_of(database_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert tables == {*JOURNAL_TABLES, *HISTORY_TABLES, *ARCHIVE_TABLES, VERSION_TABLE}
    with engine.connect() as connection:
        assert current_version(connection) == head_version()
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
        )
        # Server defaults are rendered differently by each server; types, columns,
        # nullability, indexes and unique keys must match tables.py exactly.
        assert compare_metadata(context, metadata) == []
    unique = {
        u["name"]: u["column_names"]
        for u in inspect(engine).get_unique_constraints("lead_distribution_summary")
    }
    assert unique["unique_date_campaign"] == ["distribution_date", "campaign_name", "dry_run"]
    engine.dispose()


def test_a_journal_from_before_migrations_is_adopted_with_its_runs(database_url: URL) -> None:
    engine = engine_of(database_url)
    # What odlm created before versioned migrations: the two journal tables, no version.
    old = MetaData()
    runs.to_metadata(old)
    batches.to_metadata(old)
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(runs).values(**a_run("a" * 32)))
    upgrade(engine)
    with engine.connect() as connection:
        assert current_version(connection) == head_version()
        assert connection.execute(select(runs.c.run_id)).scalars().all() == ["a" * 32]
    assert set(inspect(engine).get_table_names()) >= HISTORY_TABLES
    engine.dispose()


def test_a_version_1_database_is_upgraded_keeping_its_data(database_url: URL) -> None:
    engine = engine_of(database_url)
    upgrade(engine, "0001")
    assert set(inspect(engine).get_table_names()) == {*JOURNAL_TABLES, VERSION_TABLE}
    with engine.begin() as connection:
        connection.execute(insert(runs).values(**a_run("b" * 32)))
    upgrade(engine)
    with engine.connect() as connection:
        assert current_version(connection) == "0002"
        assert connection.execute(select(func.count()).select_from(runs)).scalar() == 1
    assert set(inspect(engine).get_table_names()) >= ARCHIVE_TABLES
    engine.dispose()


def test_a_database_at_the_current_version_is_only_looked_at(database_url: URL) -> None:
    engine = engine_of(database_url)
    upgrade(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    upgrade(engine)
    # Does the version table exist, and what does it say: nothing more.
    assert len(statements) <= 2
    assert not [
        s
        for s in statements
        if s.split()[0].upper() not in ("SELECT", "PRAGMA", "SHOW", "DESCRIBE")
    ]
    engine.dispose()


SCRIPT = """
import sys
from sqlalchemy import create_engine
from odoo_lead_manager.tracking.schema import upgrade
upgrade(create_engine(sys.argv[1]))
"""


def test_processes_starting_together_on_a_new_database_migrate_it_once(database_url: URL) -> None:
    url = database_url.render_as_string(hide_password=False)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    engine = engine_of(database_url)
    with engine.connect() as connection:
        versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
        assert versions.scalars().all() == [head_version()]
    engine.dispose()


@pytest.mark.parametrize("target", ["0001", "0002"])
def test_each_version_can_be_reached_from_nothing(database_url: URL, target: str) -> None:
    engine = engine_of(database_url)
    upgrade(engine, target)
    with engine.connect() as connection:
        assert current_version(connection) == target
    engine.dispose()
