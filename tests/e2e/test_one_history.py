"""One history for every path a run can take, and the preview is the run.

Each path (a dry run's plan applied with `odlm apply`, a forced second run,
a run killed halfway and finished by the next one, an undo) is walked
through the command line; afterwards the CRM is checked against what was
written, and every history view is opened: `runs`, `status`, `report daily`
(table, JSON, HTML), `report site`, `explain --run` and `replay`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.tracking import open_journal
from tests.apply.faults import Fault, FaultyStore, Killed
from tests.e2e.test_apply_undo import crm, owners


def run_ids(out: str) -> list[str]:
    return re.findall(r"^Run ([0-9a-f]{32})", out, re.M)


def views(
    config: str,
    run_id: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    lead: int | None = None,
    status_exit: int = 0,
) -> dict[str, str]:
    """Open every history view after a path; each must succeed. Their outputs, by view.
    ``lead`` is explained (by default one the run wrote)."""
    lead = lead or _a_written_lead(config, run_id)
    site = tmp_path / f"site-{run_id[:8]}"
    commands = {
        "runs": ["runs"],
        "status": ["status"],
        "daily": ["report", "daily"],
        "daily json": ["report", "daily", "--format", "json"],
        "daily html": ["report", "daily", "--format", "html"],
        "site": ["report", "site", str(site)],
        "explain": ["explain", str(lead), "--run", run_id[:10]],
        "replay": ["replay", run_id[:10]],
    }
    shown = {}
    for view, words in commands.items():
        status = main([*words, "--config", config])
        captured = capsys.readouterr()
        assert status == (status_exit if view == "status" else 0), (view, captured.err)
        assert not captured.err.strip().startswith("error"), (view, captured.err)
        shown[view] = captured.out
    assert (site / "index.html").is_file()
    assert run_id[:8] in "".join(p.name for p in (site / "runs").iterdir())
    shown["lead"] = str(lead)
    return shown


def _a_written_lead(config: str, run_id: str) -> int:
    journal, _ = open_journal(tracking_settings(load_config(Path(config))))
    try:
        return min(journal.placed(run_id))
    finally:
        journal.close()


def test_a_dry_runs_plan_applied_is_one_run_in_every_view(
    todays_demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, plan_file = str(todays_demo_dir / "config.yaml"), tmp_path / "plan.json"
    before = owners(crm(todays_demo_dir))
    assert main(["dailydist", "--config", config, "--dry-run", "--plan-out", str(plan_file)]) == 0
    capsys.readouterr()
    assert main(["apply", str(plan_file), "--config", config]) == 0
    capsys.readouterr()
    plan = json.loads(plan_file.read_text())
    run_id, written = plan["run_id"], {a["lead_id"] for a in plan["assignments"]}
    now = owners(crm(todays_demo_dir))
    assert {i for i in now if now[i] != before[i]} == written

    shown = views(config, run_id, capsys, tmp_path)
    runs = shown["runs"]
    assert re.search(rf"{run_id}\s+Voice\s+\S+\s+completed\s+planned {len(written)}", runs)
    kept = runs[runs.index("Kept snapshots") :]
    assert re.search(rf"{run_id}\s+Voice\s+\S+\s+run\s", kept)
    assert "dry run" not in kept
    assert "a dry run writes nothing" not in shown["explain"]
    assert ": written" in shown["explain"]
    daily = json.loads(shown["daily json"])
    assert daily["run_id"] == run_id and daily["run_status"] == "completed"
    assert daily["total_leads_distributed"] == len(written)
    assert f"Replay of run {run_id}" in shown["replay"]
    assert f"run {run_id}, {len(written)} leads written" in shown["status"]


def test_a_forced_second_run_and_its_first_are_both_in_the_history(
    todays_demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    assert main(["dailydist", "--config", config]) == 0
    (first,) = run_ids(capsys.readouterr().out)
    lead = _a_written_lead(config, first)
    assert main(["dailydist", "--config", config, "--run-again"]) == 0
    (second,) = run_ids(capsys.readouterr().out)
    shown = views(config, first, capsys, tmp_path, lead)
    assert ": written" in shown["explain"]
    assert re.search(rf"{first}\s+Voice\s+\S+\s+completed", shown["runs"])
    shown = views(config, second, capsys, tmp_path, lead)
    assert re.search(rf"{second}\s+Voice\s+\S+\s+completed", shown["runs"])
    assert ": written" not in shown["explain"]  # the second run found it distributed already
    daily = json.loads(shown["daily json"])
    assert daily["run_id"] == second  # the day's summary describes its latest run


def test_a_run_killed_halfway_is_finished_and_recorded_once(
    todays_demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    loaded = load_config(Path(config))
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        dying = FaultyStore(store, [Fault("write_leads", 2, "after", Killed())])
        with pytest.raises(Killed):
            run_distribution(loaded, False, RunOptions(), store=dying)
    journal, _ = open_journal(tracking_settings(loaded))
    (record,) = journal.unfinished("Voice")
    plan = journal.plan(record.run_id)
    journal.close()
    assert main(["dailydist", "--config", config]) == 0
    out = capsys.readouterr().out
    assert f"Run {record.run_id} of {record.run_date} did not finish" in out
    after = crm(todays_demo_dir)
    for group in plan.writes:
        for lead_id in group.lead_ids:
            assert all(getattr(after[lead_id], f) == v for f, v in group.values.items())

    shown = views(config, record.run_id, capsys, tmp_path)
    assert re.search(rf"{record.run_id}\s+Voice\s+\S+\s+completed", shown["runs"])
    assert ": written" in shown["explain"]
    daily = json.loads(shown["daily json"])
    assert daily["run_id"] == record.run_id
    assert daily["total_leads_distributed"] == len(plan.handed_out)


def test_an_undone_run_shows_as_undone_in_every_view(
    todays_demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    before = owners(crm(todays_demo_dir))
    assert main(["dailydist", "--config", config]) == 0
    (run_id,) = run_ids(capsys.readouterr().out)
    lead = _a_written_lead(config, run_id)
    assert main(["undo", run_id[:8], "--config", config]) == 0
    capsys.readouterr()
    assert owners(crm(todays_demo_dir)) == before

    shown = views(config, run_id, capsys, tmp_path, status_exit=3)  # 3: not distributed today
    assert shown["lead"] == str(lead)
    assert f"{run_id} of {date.today()}, undone" in shown["status"]
    assert re.search(rf"{run_id}\s+Voice\s+\S+\s+undone", shown["runs"])
    assert json.loads(shown["daily json"])["run_status"] == "undone"
    assert "written, then given back by odlm undo" in shown["explain"]


def test_the_real_run_decides_every_lead_as_its_dry_run_showed(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    assert main(["dailydist", "--config", config, "--dry-run"]) == 0
    preview = capsys.readouterr().out
    (dry,) = run_ids(preview)
    assert "--seed" not in preview  # the real run of the day derives the same seed
    assert main(["dailydist", "--config", config]) == 0
    out = capsys.readouterr().out
    (real,) = run_ids(out)
    assert f"every lead decided as the dry run {dry}" in out
    journal, _ = open_journal(tracking_settings(load_config(Path(config))))
    shown, written = journal.recorded(dry), journal.plan(real)  # type: ignore[union-attr]
    journal.close()
    assert shown is not None and shown.plan.fates() == written.fates()
    assert shown.plan.seed == written.seed
    after = crm(todays_demo_dir)
    for assignment in shown.plan.assignments:
        assert after[assignment.lead_id].user_id == assignment.user_id


def test_a_real_run_says_how_many_leads_differ_when_the_crm_changed(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    assert main(["dailydist", "--config", config, "--dry-run"]) == 0
    (dry,) = run_ids(capsys.readouterr().out)
    journal, _ = open_journal(tracking_settings(load_config(Path(config))))
    preview = journal.recorded(dry).plan  # type: ignore[union-attr]
    journal.close()
    gone = sorted(a.lead_id for a in preview.assignments)[:3]
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        store.write_leads(gone, {"status": "Sale Made"})  # sold between preview and run
    assert main(["dailydist", "--config", config]) == 0
    out = capsys.readouterr().out
    (real,) = run_ids(out)
    journal, _ = open_journal(tracking_settings(load_config(Path(config))))
    differ = preview.decided_differently(journal.plan(real))
    journal.close()
    assert differ >= 3
    total = len(journal_fates(config, real))
    assert f"{differ:,} of {total:,} leads decided otherwise than the dry run {dry}" in out


def journal_fates(config: str, run_id: str) -> dict[int, str]:
    journal, _ = open_journal(tracking_settings(load_config(Path(config))))
    try:
        return journal.plan(run_id).fates()
    finally:
        journal.close()
