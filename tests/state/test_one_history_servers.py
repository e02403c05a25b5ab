"""A dry run's plan applied is one run, and a real run compares itself with the day's dry
run, on SQLite, PostgreSQL and MariaDB alike (the queries that promote and find it)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy import create_engine, select
from sqlalchemy.engine import URL

from odoo_lead_manager.commands.apply import apply_saved_plan
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.running import write_plan
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.tables import summary
from odoo_lead_manager.state.tracking import open_journal
from tests.conftest import TODAY
from tests.state.helpers import tracked_config


def test_an_applied_dry_run_is_one_run_in_the_history(
    demo_dir: Path, database_url: URL, tmp_path: Path
) -> None:
    loaded = tracked_config(demo_dir, database_url)
    dry = run_distribution(loaded, True, RunOptions(today=TODAY)).plan
    plan_file = tmp_path / "plan.json"
    write_plan(plan_file, dry, Console(quiet=True))
    journal, _ = open_journal(tracking_settings(loaded))
    found = journal.dry_run_plan("Voice", TODAY)
    assert found is not None and found[0].run_id == dry.run_id
    assert found[1].fates() == dry.fates()
    journal.close()
    apply_saved_plan(loaded, plan_file, run_again=True, accept_stale=True)
    journal, _ = open_journal(tracking_settings(loaded))
    (kept,) = journal.recorded_runs()
    assert kept.run_id == dry.run_id and not kept.dry_run
    assert journal.dry_run_plan("Voice", TODAY) is None
    journal.close()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(summary.c.dry_run).where(summary.c.run_id == dry.run_id)
        ).all()
    engine.dispose()
    assert [bool(r.dry_run) for r in rows] == [False]


def test_the_real_run_of_the_day_decides_as_its_dry_run(demo_dir: Path, database_url: URL) -> None:
    loaded = tracked_config(demo_dir, database_url)
    dry = run_distribution(loaded, True, RunOptions(today=TODAY)).plan
    real = run_distribution(loaded, False, RunOptions(today=TODAY), force=True)
    assert real.plan.seed == dry.seed and real.plan.fates() == dry.fates()
    assert any(f"every lead decided as the dry run {dry.run_id}" in n for n in real.notes)
