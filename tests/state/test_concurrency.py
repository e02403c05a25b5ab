"""Writers at the same time: processes sharing one tracking database leave exactly the rows expected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.tables import summary, tracking
from tests.conftest import TODAY
from tests.state.helpers import rows, tracked_config

RECORD_DAYS = """
import sys, uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from sqlalchemy import create_engine
from odoo_lead_manager.config.schema.operations import Tracking
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.state.history import History
from odoo_lead_manager.state.records import Outcome, projected_after

plan = Plan.from_json(Path(sys.argv[2]).read_bytes())
history = History(create_engine(sys.argv[1]), Tracking())
for day in range(int(sys.argv[4])):
    one = replace(plan, campaign=sys.argv[3], today=plan.today - timedelta(days=day),
                  run_id=uuid.uuid4().hex)
    history.record(one, Outcome(True, one.handed_out, projected_after(one), 0.5, "dry_run"))
"""


def test_two_writers_recording_many_days_at_once(
    demo_dir: Path, database_url: URL, tmp_path: Path
) -> None:
    loaded = tracked_config(demo_dir, database_url)
    plan = run_distribution(loaded, dry_run=True, options=RunOptions(today=TODAY, seed=3)).plan
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan.to_json())
    url = database_url.render_as_string(hide_password=False)
    days = 25
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", RECORD_DAYS, url, str(plan_file), campaign, str(days)],
            stderr=subprocess.PIPE,
        )
        for campaign in ("Voice", "Apple")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err.decode()
    summaries = rows(database_url, summary)
    # Voice's first day was recorded by the dry run above already: updated, not added.
    assert len(summaries) == 2 * days
    assert {(r["campaign_name"], r["distribution_date"]) for r in summaries} == {
        (campaign, r["distribution_date"]) for r in summaries for campaign in ("Voice", "Apple")
    }
    assert len(rows(database_url, tracking)) == 2 * days * len(plan.salespeople)


def test_dry_runs_started_together_on_a_new_database_leave_one_record(
    todays_demo_dir: Path, database_url: URL
) -> None:
    loaded = tracked_config(todays_demo_dir, database_url)
    command = [sys.executable, "-m", "odoo_lead_manager", "dailydist", "--config", str(loaded.path)]
    runs = [
        subprocess.Popen(
            [*command, "--dry-run", "--seed", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, (out + err).decode()
    (record,) = rows(database_url, summary)
    assert record["dry_run"] and record["total_leads_distributed"] > 0
    people = rows(database_url, tracking)
    assert len(people) == len({r["salesperson_id"] for r in people}) > 0
