"""The demo run, byte for byte: its configuration digest, snapshot digest and plan JSON are
the ones kept in ``tests/golden/``. A change of behaviour shows here as a failing test; a
change of layout (moving modules, say) must leave them identical.

A change that means to alter the plan regenerates them, and says why in its commit:
``ODLM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden_demo_run.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from odoo_lead_manager.commands.resolve import plan_settings, read_settings
from odoo_lead_manager.config.fingerprint import config_fingerprint
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from odoo_lead_manager.domain.lookups import Recorder
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.pipeline.planning import plan_snapshot
from odoo_lead_manager.snapshot.fetch import take_snapshot
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY

GOLDEN = Path(__file__).parent / "golden"
DIGESTS = GOLDEN / "demo_run.json"
PLAN = GOLDEN / "demo_plan.json"
# Fixed, so that the snapshot's and the plan's bytes depend on nothing but odlm.
TAKEN_AT = datetime(2024, 6, 14, 6, 0, tzinfo=UTC)
RUN_ID = "0" * 32
SEED = 7


def demo_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Snapshot, Plan]:
    """The demo's configuration digest, snapshot and plan, with a fixed clock, id and seed
    (paths relative, so that no temporary folder's name gets in)."""
    monkeypatch.chdir(tmp_path)
    demo = Path("demo")
    create_demo(demo, today=TODAY)
    write_demo_config(demo)
    loaded = load_config(demo / "config.yaml")
    with LocalStore.open(demo / "crm.sqlite") as store:
        snapshot = take_snapshot(
            plan_settings(loaded),
            read_settings(loaded),
            store,
            RunOptions(today=TODAY, run_id=RUN_ID),
        )
    snapshot = replace(snapshot, taken_at=TAKEN_AT)
    return (
        config_fingerprint(loaded.config),
        snapshot,
        plan_snapshot(plan_settings(loaded), snapshot, SEED).plan,
    )


def test_the_demo_run_is_byte_for_byte_the_golden_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, snapshot, plan = demo_run(tmp_path, monkeypatch)
    text = plan.to_json()
    found = {
        "config_digest": config,
        "snapshot_digest": snapshot.digest(),
        "plan_sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    if os.environ.get("ODLM_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        DIGESTS.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
        PLAN.write_text(text, encoding="utf-8")
    assert PLAN.read_text(encoding="utf-8") == text
    assert json.loads(DIGESTS.read_text(encoding="utf-8")) == found
    assert plan.snapshot_digest == snapshot.digest() and plan.config_digest == config


def test_the_answers_are_kept_in_one_order_whatever_order_they_were_asked_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    create_demo(Path("demo"), today=TODAY)
    names = ["Dave Brown", "Alice Smith", "bob.johnson", "Nobody"]
    kept = []
    with LocalStore.open(Path("demo") / "crm.sqlite") as store:
        for order in (names, list(reversed(names))):
            recorder = Recorder(store)
            for name in order:
                recorder.find_users([name])
            recorder.find_teams(["Voice"] if order is names else ["Apple"])
            recorder.find_teams(["Apple"] if order is names else ["Voice"])
            kept.append(recorder.answers())
    first, second = kept
    assert list(first.users_named.items()) == list(second.users_named.items())
    assert list(first.users.items()) == list(second.users.items())
    assert list(first.teams_named.items()) == list(second.teams_named.items())
