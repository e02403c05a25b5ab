"""Files the previous version of odlm wrote still work: its saved plan applies, and its run
journal lists, replays and undoes its run.

`tests/golden/previous/` holds what odlm wrote at commit 9172eba, before the package
was laid out as a folder tree, on the demo of 2026-12-01 (seed 7):
``plan.json.gz`` from ``dailydist --dry-run --plan-out``, and, from a real run of the
same day, the CRM it left (``crm-after-run.sqlite.gz``) and its tracking database
(``tracking.sqlite.gz``, the journal, the kept snapshot and the history).
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from odoo_lead_manager.domain.plan import Plan

PREVIOUS = Path(__file__).resolve().parents[1] / "golden" / "previous"
DAY = date(2026, 12, 1)
RUN_ID = "a0e6aab6c9d243129fa5f0df08f29abf"


def unpacked(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.decompress((PREVIOUS / name).read_bytes()))
    return target


def demo(directory: Path) -> Path:
    """The demo of the day the previous version planned (the demo is deterministic)."""
    create_demo(directory, today=DAY)
    return write_demo_config(directory)


def owners(crm: Path, ids: list[int]) -> dict[int, tuple[object, ...]]:
    """Each lead's salesperson, open user and status: what the demo's runs write."""
    store = LocalStore.open(crm)
    try:
        return {
            lead.id: (lead.user_id, lead.open_user_id, lead.status)
            for lead in store.read_leads(ids)
        }
    finally:
        store.close()


def test_a_plan_the_previous_version_saved_applies(tmp_path: Path) -> None:
    config = demo(tmp_path / "demo")
    plan_file = unpacked("plan.json.gz", tmp_path / "plan.json")
    plan = Plan.from_json(plan_file.read_text(encoding="utf-8"))
    assert len(plan.handed_out) == 204

    # Without --accept-stale-plan: the configuration's digest is the one the previous version computed.
    assert main(["apply", str(plan_file), "--config", str(config)]) == 0

    now = owners(tmp_path / "demo" / "crm.sqlite", [a.lead_id for a in plan.handed_out])
    assert {i: held[:2] for i, held in now.items()} == {
        a.lead_id: (a.user_id, a.user_id) for a in plan.handed_out
    }


def test_a_run_the_previous_version_wrote_is_listed_replayed_and_undone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = tmp_path / "fresh"
    demo(fresh)
    config = demo(tmp_path / "demo")
    unpacked("crm-after-run.sqlite.gz", tmp_path / "demo" / "crm.sqlite")
    unpacked("tracking.sqlite.gz", tmp_path / "demo" / ".odlm-state" / "tracking.sqlite")

    assert main(["runs", "--config", str(config)]) == 0
    assert f"{RUN_ID}  Voice  2026-12-01  completed" in capsys.readouterr().out

    # Its kept snapshot plans again, under this version, to the same decisions.
    assert main(["replay", RUN_ID[:8], "--config", str(config)]) == 0
    assert "Identical: every lead is decided as the recorded plan decided it." in (
        capsys.readouterr().out
    )

    leads = list(range(1, 5000))
    before = owners(fresh / "crm.sqlite", leads)
    after_run = owners(tmp_path / "demo" / "crm.sqlite", leads)
    assert sum(after_run[i] != before[i] for i in before) == 204

    assert main(["undo", RUN_ID[:8], "--config", str(config)]) == 0
    assert "Leads given back their previous values: 204" in capsys.readouterr().out
    # Every lead the previous version's run wrote holds what it held before that run.
    assert owners(tmp_path / "demo" / "crm.sqlite", leads) == before
