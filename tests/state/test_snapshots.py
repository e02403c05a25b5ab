"""Snapshots kept in each tracking database: large ones fit, and a replay reads them back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import plan_settings, tracking_settings
from odoo_lead_manager.pipeline.planning import plan_snapshot
from odoo_lead_manager.state.tracking import open_journal
from tests.conftest import TODAY
from tests.state.helpers import tracked_config


def test_a_snapshot_over_64_kb_is_kept_and_replays_identically(
    demo_dir: Path, database_url: URL
) -> None:
    # Every lead of the window fetched (nothing left to the server): the largest snapshot.
    loaded = tracked_config(demo_dir, database_url)
    ledger = demo_dir / "ledger.csv"
    code = main(["dailydist", "--config", str(loaded.path), "--dry-run", "--today", str(TODAY),
                 "--seed", "3", "--export-excluded", str(ledger)])  # fmt: skip
    assert code == 0
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        [run] = journal.recorded_runs("Voice")
        recorded = journal.recorded(run.run_id)
    finally:
        journal.close()
    assert recorded is not None and not recorded.snapshot.fetched.removed
    assert len(recorded.snapshot.to_bytes()) > 64 * 1024 > 0
    again = plan_snapshot(
        plan_settings(loaded), recorded.snapshot, recorded.plan.seed, ledger=True
    ).plan
    assert again.to_json() == recorded.plan.to_json()
