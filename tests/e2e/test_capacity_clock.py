"""Odoo's 30-day window as the whole process believes the clock (libfaketime): a member's
lead dated an hour inside the window counts, one an hour outside does not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from tests.e2e.test_caps_runs import configure

FAKETIME = shutil.which("faketime")
pytestmark = pytest.mark.skipif(
    FAKETIME is None, reason="faketime is not installed (Debian: faketime)"
)
ODLM = Path(sys.executable).with_name("odlm")
NOW = datetime(2027, 3, 10, 10, 0, 0)
ALICE, BOB, VOICE = 10, 11, 1


def test_the_30_day_window_follows_the_clock_the_process_believes(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    create_demo(demo, today=NOW.date())
    write_demo_config(demo)
    inside, outside = NOW - timedelta(days=30, hours=-1), NOW - timedelta(days=30, hours=1)
    with LocalStore.open(demo / "crm.sqlite") as store:
        store.set_assignment(VOICE, ALICE, assignment_max=5)
        store.set_assignment(VOICE, BOB, assignment_max=5)
        ids = {
            uid: [r[0] for r in store._db.execute(
                "SELECT id FROM crm_lead WHERE user_id = ? AND team_id = ? ORDER BY id LIMIT 2",
                (uid, VOICE),
            )]
            for uid in (ALICE, BOB)
        }  # fmt: skip
        with store._db:
            store._db.execute("UPDATE crm_lead SET date_open = NULL")
            for uid, when in ((ALICE, inside), (BOB, outside)):
                store._db.executemany(
                    "UPDATE crm_lead SET date_open = ? WHERE id = ?",
                    [(when.isoformat(sep=" "), i) for i in ids[uid]],
                )
    config = demo / "config.yaml"
    configure(
        config,
        {},
        salesperson_selection={"source_type": "odoo_team", "source_config": {"team": "Voice"}},
    )
    plan_file = tmp_path / "plan.json"
    env = {**os.environ, "TZ": "UTC"}
    done = subprocess.run(
        [str(FAKETIME), NOW.strftime("%Y-%m-%d %H:%M:%S"), str(ODLM), "dailydist",
         "--config", str(config), "--dry-run", "--plan-out", str(plan_file)],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    plan = json.loads(plan_file.read_text())
    assert plan["today"] == NOW.date().isoformat() == date(2027, 3, 10).isoformat()
    capacity = plan["capacity"]
    # Alice's two leads, dated 29 days 23 hours ago, count; Bob's, an hour older than 30
    # days, do not.
    assert (capacity[str(ALICE)]["used"], capacity[str(BOB)]["used"]) == (2, 0)
    assert capacity[str(ALICE)]["since"].startswith("2027-02-08")
