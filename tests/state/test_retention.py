"""`odlm retention`: history older than retention_days moves to the archive tables (or goes)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import APPLYING, COMPLETED
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.history import History
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.records import Outcome, projected_after
from odoo_lead_manager.state.retention import apply_retention
from odoo_lead_manager.state.tables import ARCHIVES, HISTORY_TABLES, batches, runs
from tests.conftest import TODAY
from tests.state.helpers import rows, tracked_config

OLD = TODAY - timedelta(days=400)


def with_old_history(demo_dir: Path, url: URL) -> tuple[LoadedConfig, Plan, list[str]]:
    """Today's real run, and a real run 400 days ago; old runs in the journal, one unfinished."""
    loaded = tracked_config(demo_dir, url)
    today = run_distribution(loaded, dry_run=False, options=RunOptions(today=TODAY, seed=5)).plan
    engine = create_engine(url)
    old = replace(today, today=OLD, run_id=uuid.uuid4().hex)
    History(engine, loaded.config.tracking).record(
        old, Outcome(False, old.handed_out, projected_after(old), 2.0, "completed")
    )
    journal = Journal(engine)
    ids = []
    for status in (COMPLETED, APPLYING):
        plan = replace(today, today=OLD, run_id=uuid.uuid4().hex)
        journal.begin(plan, False, [])
        journal.finish(plan.run_id, status, None, None)
        ids.append(plan.run_id)
    engine.dispose()
    return loaded, today, ids


def counts(url: URL) -> dict[str, int]:
    return {t.name: len(rows(url, t)) for t in (*HISTORY_TABLES, *ARCHIVES.values())}


def test_old_history_is_archived_and_old_finished_runs_dropped(
    demo_dir: Path, database_url: URL
) -> None:
    _, plan, (finished, unfinished) = with_old_history(demo_dir, database_url)
    engine = create_engine(database_url)
    before = counts(database_url)
    old_rows = {t.name: rows(database_url, t, distribution_date=OLD) for t in HISTORY_TABLES}
    assert all(old_rows.values())

    preview = apply_retention(engine, 365, True, TODAY, dry_run=True)
    assert preview.rows == {name: len(found) for name, found in old_rows.items()}
    assert preview.runs == 1 and counts(database_url) == before

    result = apply_retention(engine, 365, True, TODAY)
    assert result.cutoff == TODAY - timedelta(days=365) and result.rows == preview.rows
    for table in HISTORY_TABLES:
        assert rows(database_url, table, distribution_date=OLD) == []
        assert rows(database_url, table, distribution_date=TODAY)  # today's are kept
        archived = rows(database_url, ARCHIVES[table.name])
        assert all(r.pop("archived_at") is not None for r in archived)
        assert archived == old_rows[table.name]  # same ids, same values
    remaining = {r["run_id"] for r in rows_of_runs(database_url)}
    assert finished not in remaining and unfinished in remaining and plan.run_id in remaining

    again = apply_retention(engine, 365, True, TODAY)
    assert set(again.rows.values()) == {0} and again.runs == 0
    engine.dispose()


def rows_of_runs(url: URL) -> list[dict[str, object]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = [dict(r._mapping) for r in connection.execute(runs.select())]
        orphans = connection.execute(
            batches.select().where(batches.c.run_id.not_in([r["run_id"] for r in found]))
        ).all()
    engine.dispose()
    assert orphans == []
    return found


def test_without_archiving_old_history_is_deleted(demo_dir: Path, database_url: URL) -> None:
    with_old_history(demo_dir, database_url)
    engine = create_engine(database_url)
    result = apply_retention(engine, 365, False, TODAY)
    engine.dispose()
    assert all(result.rows.values())
    assert all(not rows(database_url, archive) for archive in ARCHIVES.values())
    assert all(not rows(database_url, t, distribution_date=OLD) for t in HISTORY_TABLES)


def test_the_command(demo_dir: Path, database_url: URL, capsys: pytest.CaptureFixture[str]) -> None:
    loaded, _, _ = with_old_history(demo_dir, database_url)
    config = str(loaded.path)
    assert main(["retention", "--config", config, "--today", str(TODAY), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Would be archived and deleted: rows dated before 2023-06-15" in out
    assert main(["retention", "--config", config, "--today", str(TODAY), "--days", "30"]) == 0
    out = capsys.readouterr().out
    assert "lead_distribution_summary: 1 (into lead_distribution_summary_archive)" in out
    assert "finished runs in the run journal: 1" in out
    with pytest.raises(SystemExit) as caught:
        main(["retention", "--config", config, "--days", "0"])
    assert caught.value.code == 2
    assert "--days: must be at least 1" in capsys.readouterr().err
    path = loaded.path
    path.write_text(path.read_text().replace("retention_days: 365", "retention_days: 0"))
    assert main(["retention", "--config", config]) == 2
    assert "tracking.retention_days" in capsys.readouterr().err
