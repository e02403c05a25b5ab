"""Versioned migrations create and upgrade the tracking tables on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL

from odoo_lead_manager.state.schema import (
    alembic_config,
    current_version,
    head_version,
    upgrade,
)
from odoo_lead_manager.state.tables import VERSION_TABLE, metadata, plans, runs
from odoo_lead_manager.state.tracking import Journal
from tests.state.helpers import tiny_plan

# The journal as versions 1 and 2 have it; version 3 moved the plans to a table of their
# own, version 4 added the round-robin rotations, 5 the snapshots, 6 the digests' delivery,
# 7 the fairness ledger.
FIRST_JOURNAL_TABLES = {"odlm_run", "odlm_run_batch"}
JOURNAL_TABLES = {
    *FIRST_JOURNAL_TABLES,
    "odlm_run_plan",
    "odlm_rotation",
    "odlm_snapshot",
    "odlm_digest",
    "odlm_fairness_ledger",
}
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


def add_old_run(engine: Engine, run_id: str, plan_json: str = "{}") -> None:
    """A run as versions 1 and 2 record it: the plan in odlm_run's own plan_json column."""
    old_runs = Table("odlm_run", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(insert(old_runs).values(**a_run(run_id), plan_json=plan_json))


def test_a_journal_from_before_migrations_is_adopted_with_its_runs(database_url: URL) -> None:
    engine = engine_of(database_url)
    # What odlm created before versioned migrations: version 1's two journal
    # tables, as they stand, without a version.
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {VERSION_TABLE}"))
    add_old_run(engine, "a" * 32)
    upgrade(engine)
    with engine.connect() as connection:
        assert current_version(connection) == head_version()
        assert connection.execute(select(runs.c.run_id)).scalars().all() == ["a" * 32]
    assert set(inspect(engine).get_table_names()) >= HISTORY_TABLES
    engine.dispose()


def test_a_version_1_database_is_upgraded_keeping_its_data(database_url: URL) -> None:
    engine = engine_of(database_url)
    upgrade(engine, "0001")
    assert set(inspect(engine).get_table_names()) == {*FIRST_JOURNAL_TABLES, VERSION_TABLE}
    add_old_run(engine, "b" * 32)
    upgrade(engine, "0002")
    with engine.connect() as connection:
        assert current_version(connection) == "0002"
        assert connection.execute(select(func.count()).select_from(runs)).scalar() == 1
    assert set(inspect(engine).get_table_names()) >= ARCHIVE_TABLES
    engine.dispose()


def test_a_version_2_database_gets_its_plans_moved_to_their_own_table(
    database_url: URL,
) -> None:
    engine = engine_of(database_url)
    upgrade(engine, "0002")
    plan = tiny_plan(run_id="c" * 32, writes=())
    add_old_run(engine, plan.run_id, plan.to_json(pretty=False))
    add_old_run(engine, "d" * 32)
    upgrade(engine)
    with engine.connect() as connection:
        assert current_version(connection) == head_version()
        moved = connection.execute(select(plans.c.run_id, plans.c.plan_json)).all()
        assert sorted(run_id for run_id, _ in moved) == ["c" * 32, "d" * 32]
    assert "plan_json" not in {c["name"] for c in inspect(engine).get_columns("odlm_run")}
    journal = Journal(engine)
    assert journal.plan(plan.run_id) == plan
    assert journal.run(plan.run_id) is not None
    engine.dispose()


def test_version_3_goes_back_to_version_2_with_the_plans_in_their_runs(
    database_url: URL,
) -> None:
    engine = engine_of(database_url)
    upgrade(engine, "0002")
    add_old_run(engine, "e" * 32, '{"run_id": "e"}')
    upgrade(engine)
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        connection.commit()
    assert "odlm_run_plan" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert current_version(connection) == "0002"
        back = connection.execute(text("SELECT run_id, plan_json FROM odlm_run")).all()
    assert [tuple(row) for row in back] == [("e" * 32, '{"run_id": "e"}')]
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
from odoo_lead_manager.state.schema import upgrade
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


@pytest.mark.parametrize("target", ["0001", "0002", "0003", "0004", "0005", "0006", "0007"])
def test_each_version_can_be_reached_from_nothing(database_url: URL, target: str) -> None:
    engine = engine_of(database_url)
    upgrade(engine, target)
    with engine.connect() as connection:
        assert current_version(connection) == target
    engine.dispose()


def test_a_version_3_database_gains_the_rotations_and_keeps_its_runs(database_url: URL) -> None:
    engine = engine_of(database_url)
    upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(insert(runs).values(a_run("f" * 32)))
    assert "odlm_rotation" not in inspect(engine).get_table_names()
    upgrade(engine)
    journal = Journal(engine)
    assert journal.run("f" * 32) is not None
    # A campaign without a row: the caller reads an older version's state file instead.
    assert journal.rotation("Voice", "2024-06-14") == (False, None)
    engine.dispose()


def test_the_fast_head_check_knows_the_newest_migration(database_url: URL) -> None:
    from odoo_lead_manager.state.schema import HEAD

    assert head_version() == HEAD
    engine = engine_of(database_url)
    upgrade(engine, "0004")
    upgrade(engine)  # not at HEAD: the plain query says so, and Alembic migrates
    with engine.connect() as connection:
        assert current_version(connection) == HEAD
    engine.dispose()
