"""`--plan-out` then `odlm apply`, `odlm undo`, `odlm runs`: through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_lead_manager.apply.undo import undo_run
from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.state.tracking import open_journal
from tests.apply.faults import Fault, FaultyStore, Killed

ALL = [("active", "in", [True, False])]
FIELDS = ("user_id", "open_user_id", "closer_id", "status", "team_id")


def crm(directory: Path) -> dict[int, Lead]:
    with LocalStore.open(directory / "crm.sqlite") as store:
        return {lead.id: lead for lead in store.search_leads(ALL)}


def owners(leads: dict[int, Lead]) -> dict[int, tuple[object, ...]]:
    return {i: tuple(getattr(lead, f) for f in FIELDS) for i, lead in leads.items()}


def test_a_saved_plan_is_applied_exactly_once(
    todays_demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, plan_file = str(todays_demo_dir / "config.yaml"), tmp_path / "plan.json"
    before = crm(todays_demo_dir)
    assert main(["dailydist", "--config", config, "--dry-run", "--plan-out", str(plan_file)]) == 0
    assert crm(todays_demo_dir) == before
    plan = json.loads(plan_file.read_text())
    assert main(["apply", str(plan_file), "--config", config]) == 0
    after = crm(todays_demo_dir)
    for group in plan["writes"]:
        for lead_id in group["lead_ids"]:
            assert all(getattr(after[lead_id], f) == v for f, v in group["values"].items())
    now, then = owners(after), owners(before)
    changed = {i for i in after if now[i] != then[i]}
    assert changed == {lead_id for g in plan["writes"] for lead_id in g["lead_ids"]}
    out = capsys.readouterr().out
    assert f"Run {plan['run_id']}: {len(changed)} leads planned" in out

    assert main(["apply", str(plan_file), "--config", config]) == 0
    assert "was applied already" in capsys.readouterr().out
    assert crm(todays_demo_dir) == after  # nothing written the second time

    assert main(["runs", "--config", config]) == 0
    listing = capsys.readouterr().out
    assert plan["run_id"] in listing and "completed" in listing


def test_another_plan_the_same_day_needs_force(
    todays_demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, plan_file = str(todays_demo_dir / "config.yaml"), tmp_path / "plan.json"
    assert main(["dailydist", "--config", config, "--dry-run", "--plan-out", str(plan_file)]) == 0
    # Today's real run, with another seed than the saved plan's: it decides otherwise.
    assert main(["dailydist", "--config", config, "--seed", "99"]) == 0
    capsys.readouterr()
    applied = crm(todays_demo_dir)
    assert main(["apply", str(plan_file), "--config", config]) == 2
    err = capsys.readouterr().err
    assert "was distributed on" in err and "use --run-again to apply this plan as well" in err
    assert crm(todays_demo_dir) == applied
    # Forced, the stale plan's leads that changed since (all of them) are left alone.
    assert main(["apply", str(plan_file), "--config", config, "--run-again"]) == 0
    out = capsys.readouterr().out
    assert "Left alone, changed since planning" in out
    assert owners(crm(todays_demo_dir)) == owners(applied)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "plan file not found"),
        ("{not json", "not an odlm plan"),
        ('{"run_id": "x"}', "not an odlm plan"),
    ],
)
def test_bad_plan_files_exit_2(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    content: str | None, message: str,
) -> None:  # fmt: skip
    plan_file = tmp_path / "plan.json"
    if content is not None:
        plan_file.write_text(content)
    before = crm(demo_dir)
    assert main(["apply", str(plan_file), "--config", str(demo_dir / "config.yaml")]) == 2
    err = capsys.readouterr().err
    assert message in err and str(plan_file) in err
    assert crm(demo_dir) == before


def test_a_plan_for_another_campaign_is_refused(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, plan_file = demo_dir / "config.yaml", tmp_path / "plan.json"
    assert (
        main(["dailydist", "--config", str(config), "--dry-run", "--plan-out", str(plan_file)]) == 0
    )
    data = json.loads(plan_file.read_text())
    data["campaign"] = "Apple"
    plan_file.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["apply", str(plan_file), "--config", str(config)]) == 2
    assert "is a plan for campaign Apple" in capsys.readouterr().err


def test_undo_gives_every_untouched_lead_back(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    before = crm(todays_demo_dir)
    assert main(["dailydist", "--config", config]) == 0
    run_id = capsys.readouterr().out.split("odlm undo ")[1].split()[0]
    distributed = crm(todays_demo_dir)
    then, now = owners(before), owners(distributed)
    moved = sorted(i for i in before if then[i] != now[i])
    worked = moved[0]  # a salesperson takes up one lead before the undo
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        store.write_leads([worked], {"status": "Call Back"})

    assert main(["undo", run_id, "--config", config]) == 0
    out = capsys.readouterr().out
    assert f"Leads given back their previous values: {len(moved) - 1:,}" in out
    assert f"lead {worked}: left alone: status is now 'Call Back'" in out
    restored = crm(todays_demo_dir)
    back = owners(restored)
    for lead_id in moved[1:]:
        assert back[lead_id] == then[lead_id]
    assert restored[worked].status == "Call Back"

    assert main(["undo", run_id, "--config", config]) == 0  # a second undo changes nothing
    assert "undone before; nothing changed" in capsys.readouterr().out
    assert crm(todays_demo_dir) == restored
    # An undone run does not count as today's distribution, and cannot be applied again.
    assert main(["dailydist", "--config", config]) == 0
    assert "Leads distributed:" in capsys.readouterr().out
    assert main(["undo", "no-such-run", "--config", config]) == 2
    assert "no run no-such-run in the run journal" in capsys.readouterr().err


def test_an_undo_killed_halfway_finishes_on_the_next_try(demo_dir: Path) -> None:
    from odoo_lead_manager.apply.writer import ApplySettings
    from odoo_lead_manager.commands.dailydist import run_distribution
    from odoo_lead_manager.snapshot.options import RunOptions
    from tests.conftest import TODAY

    loaded = load_config(demo_dir / "config.yaml")
    before = owners(crm(demo_dir))
    outcome = run_distribution(loaded, False, RunOptions(today=TODAY, seed=4))
    assert outcome.applied is not None
    settings = ApplySettings(batch_size=30)
    journal, _ = open_journal(tracking_settings(loaded))
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        dying = FaultyStore(store, [Fault("write_leads", 2, "after", Killed())])
        with pytest.raises(Killed):
            undo_run(outcome.plan.run_id, dying, journal, settings)
        assert journal.run(outcome.plan.run_id).status == "undoing"  # type: ignore[union-attr]
        again = FaultyStore(store)
        result = undo_run(outcome.plan.run_id, again, journal, settings)
    journal.close()
    assert result.restored == outcome.applied.written and not result.left_alone
    assert sorted(dying.written + again.written) == sorted(
        a.lead_id for a in outcome.plan.assignments
    )
    assert owners(crm(demo_dir)) == before
