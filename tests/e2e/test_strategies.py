"""Strategies through the whole run on the demo store: choice, fallback, rotation, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.rotation import rotation_path
from odoo_lead_manager.state.tracking import open_journal
from tests.conftest import TODAY

LEVELS = """\
  strategy: level_based
  level_based:
    levels:
      senior: {target_leads: 420, priority: 1}
      mid_level: {target_leads: 380, priority: 2}
      junior: {target_leads: 330, priority: 3}
    allow_overflow: true
    overflow_limit: 5
"""


def configure(demo_dir: Path, old: str, new: str) -> Path:
    config = demo_dir / "config.yaml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))
    return config


def test_level_based_on_the_demo_fills_deficits_and_reports_balance(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configure(demo_dir, "  strategy: round_robin\n", LEVELS)
    plan = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=3)
    ).plan
    assert plan.strategy == "level_based" and plan.strategy_note is None
    received = plan.received
    for person in plan.salespeople:
        after = plan.workloads[person.user_id].total + received[person.user_id]
        assert person.target_leads is not None
        assert after <= person.target_leads * 105 // 100
    assert all(a.reason.startswith("level_based: ") for a in plan.assignments)
    assert plan.balance.utilisation_stdev is not None
    data = json.loads(plan.to_json())
    assert data["quotas"] and data["balance"]["utilisation_stdev"] == plan.balance.utilisation_stdev
    assert {a["reason"] for a in data["assignments"]} == {a.reason for a in plan.assignments}


def test_console_shows_strategy_details_and_balance(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configure(demo_dir, "  strategy: round_robin\n", LEVELS)
    assert main(["dailydist", "--config", str(config), "--dry-run", "--seed", "3"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Strategy details" in out and "Strategy: level_based (seed 3)" in out
    assert "Balance after distribution: utilisation std dev" in out
    assert "the goal: under 10 points)" in out and "§" not in out
    assert "received range" in out and "Gini of received" in out


def test_an_override_trigger_switches_to_round_robin_and_says_why(demo_dir: Path) -> None:
    config = configure(
        demo_dir,
        "  round_robin_override:\n",
        LEVELS + "  round_robin_override:\n    enabled: true\n"
        '    trigger_conditions: ["when_salespeople_count < 50"]\n',
    )
    config = configure(demo_dir, "  strategy: round_robin\n", "")
    plan = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=3)
    ).plan
    assert (plan.configured_strategy, plan.strategy) == ("level_based", "round_robin")
    assert plan.strategy_note is not None and "when_salespeople_count < 50" in plan.strategy_note
    assert plan.warnings == ()  # an override is the configuration working, not a problem


def test_a_strategy_that_cannot_run_falls_back_to_round_robin(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configure(
        demo_dir,
        "  strategy: round_robin\n",
        "  strategy: proportional\n  proportional:\n    default_weight: 0\n",
    )
    assert main(["dailydist", "--config", str(config), "--dry-run", "--seed", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "WARNING: proportional: every salesperson's weight is 0; distributed by round robin "
        "instead (error_handling.fallback_strategies.when_distribution_fails)"
    ) in out
    assert "Strategy: round_robin" in out

    text = (
        config.read_text()
        + "\nerror_handling:\n  fallback_strategies:\n    when_distribution_fails: fail\n"
    )
    config.write_text(text)
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "distribution.strategy: proportional: every salesperson's weight is 0" in err


def test_the_rotation_is_saved_by_real_runs_only(demo_dir: Path) -> None:
    config = configure(
        demo_dir,
        "    distribution_order: random\n",
        "    distribution_order: random\n    cycle_reset: weekly\n",
    )
    loaded = load_config(config)
    options = RunOptions(today=TODAY, seed=8)
    dry = run_distribution(loaded, dry_run=True, options=options).plan
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        assert dry.rotation is not None and journal.rotation("Voice", "2024-W24") == (False, None)
        real = run_distribution(loaded, dry_run=False, options=options).plan
        # Kept in the tracking database with the run; no state file is written any more.
        assert journal.rotation("Voice", "2024-W24") == (True, real.rotation)
    finally:
        journal.close()
    assert not rotation_path(tracking_settings(loaded), "Voice").exists()
    # The next run of the week resumes this order instead of drawing a new one.
    again = run_distribution(loaded, dry_run=True, options=RunOptions(today=TODAY, seed=99)).plan
    assert again.rotation is not None and again.rotation.order == real.rotation.order


def test_a_corrupt_rotation_file_stops_the_run(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = load_config(demo_dir / "config.yaml")
    state = rotation_path(tracking_settings(loaded), "Voice")
    state.parent.mkdir(parents=True)
    state.write_text("{not json")
    assert main(["dailydist", "--config", str(demo_dir / "config.yaml"), "--dry-run"]) == 2
    assert "not a round-robin state file" in capsys.readouterr().err
