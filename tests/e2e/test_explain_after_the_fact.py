"""`odlm explain` after the fact: for a recorded run, every lead of the CRM gets the rule
that kept it out, the same one the exclusion ledger gives, whether the finder or the CRM
applied it; a lead that did not exist at the run is said to be so; without --run the
latest run that saw the lead is explained, against how the CRM holds it today."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.explain import explain_lead
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.tracking import open_journal
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the stand-in Odoo fixture)

ALL = [("active", "in", [True, False])]


def ledger(config: Path, tmp_path: Path) -> dict[int, str]:
    """The reason code of every examined lead, from a dry run's exclusion ledger."""
    out = tmp_path / "ledger.csv"
    run_distribution(
        load_config(config), True, RunOptions(today=TODAY, seed=3, export_excluded=out)
    )
    with out.open(encoding="utf-8") as handle:
        return {int(row["lead_id"]): row["reason_code"] for row in csv.DictReader(handle)}


def real_run(config: Path) -> str:
    outcome = run_distribution(load_config(config), False, RunOptions(today=TODAY, seed=3))
    return outcome.plan.run_id


def test_every_examined_lead_gets_the_ledgers_rule_after_a_real_run(
    demo_dir: Path, tmp_path: Path
) -> None:
    config = demo_dir / "config.yaml"
    expected = ledger(config, tmp_path)
    run_id = real_run(config)
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    snapshot = journal.recorded(run_id).snapshot  # type: ignore[union-attr]
    journal.close()
    on_server = {i for _, ids in snapshot.fetched.removed_ids for i in ids}
    assert len(on_server) > 100  # the CRM applied rules: those leads were never downloaded
    for lead_id, code in expected.items():
        found = explain_lead(loaded, lead_id, run_id)
        assert found.code == code, (lead_id, found.outcome)
        assert found.fetched == (lead_id not in on_server)


def test_a_lead_outside_the_window_archived_missing_or_newer_is_named(
    demo_dir: Path, tmp_path: Path
) -> None:
    config = demo_dir / "config.yaml"
    examined = ledger(config, tmp_path)
    run_id = real_run(config)
    loaded = load_config(config)
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        leads = list(store.search_leads(ALL))
        outside = next(x for x in leads if x.active and x.id not in examined)
        archived = next(x for x in leads if not x.active)
        newest = max(x.id for x in leads)
        store.add_leads(
            [replace(leads[-1], id=newest + 1, create_date=datetime.now(UTC) + timedelta(1))]
        )
    found = explain_lead(loaded, outside.id, run_id)
    assert found.code == "outside_window" and "before the window" in found.outcome
    found = explain_lead(loaded, archived.id, run_id)
    assert found.code == "not_fetched" and "archived" in found.outcome
    found = explain_lead(loaded, newest + 1, run_id)
    assert found.code == "created_after_run" and "after the run took its snapshot" in found.outcome
    found = explain_lead(loaded, 9_999_999, run_id)
    assert found.code == "no_such_lead" and "no lead 9999999 in the CRM" in found.outcome


def test_without_run_the_latest_run_that_saw_the_lead_is_explained_against_today(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    run_id = real_run(config)
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    plan = journal.plan(run_id)
    journal.close()
    moved = plan.assignments[0].lead_id
    found = explain_lead(loaded, moved)
    assert found.run_id == run_id and found.code == "distributed"
    assert "today the CRM holds the lead as the run left it" in found.notes
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        store.write_leads([moved], {"status": "Sale Made"})
    assert main(["explain", str(moved), "--config", str(config), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run_id"] == run_id and shown["code"] == "distributed"
    assert any("status 'New' -> 'Sale Made'" in note for note in shown["notes"])


def test_the_crm_removed_leads_are_explained_on_the_stand_in_odoo(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
    tmp_path: Path,
) -> None:
    config, fake = odoo_demo
    expected = ledger(config, tmp_path)
    run_id = real_run(config)
    assert fake.calls[("crm.lead", "search")] >= 3
    loaded = load_config(config)
    journal, _ = open_journal(tracking_settings(loaded))
    snapshot = journal.recorded(run_id).snapshot  # type: ignore[union-attr]
    journal.close()
    removed = [(name, ids[0]) for name, ids in snapshot.fetched.removed_ids if ids]
    assert len(removed) == 3
    for name, lead_id in removed:
        found = explain_lead(loaded, lead_id, run_id)
        assert found.code == expected[lead_id] and found.outcome.startswith(name)
        assert not found.fetched and "; today: " in found.outcome
