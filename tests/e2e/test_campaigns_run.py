"""Several campaigns in one morning: ``odlm dailydist --config A --config B`` runs them in
order, a lead moves at most once a day across them (in one command, and across commands
through the tracking history), and a failing campaign leaves the others' runs standing."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.undo import undo
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.snapshot.options import RunOptions
from tests.e2e.test_caps_runs import local_owners

SECOND = "Voice B"
RULE = "Moved today by another campaign"


def second_campaign(demo_dir: Path) -> Path:
    """A campaign "Voice B" with Voice's salespeople and rules, taking "New" leads of active
    salespeople too: the leads Voice has just written (status reset to New) are its leads."""
    table = demo_dir / "salesperson_campaigns.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = [{**row, "campaign_name": SECOND} for row in rows if row["campaign_name"] == "Voice"]
    with table.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0])).writerows(extra)
    text = (demo_dir / "config.yaml").read_text(encoding="utf-8")
    config = demo_dir / "voice-b.yaml"
    text = text.replace("target_campaign: Voice", f'target_campaign: "{SECOND}"')
    text = text.replace("  name: Voice\n", f'  name: "{SECOND}"\n')
    text = text.replace('statuses: ["Utr", "Call Back"]', 'statuses: ["Utr", "Call Back", "New"]')
    assert text.count('"New"]') == 2
    config.write_text(text, encoding="utf-8")
    return config


def capped_voice(demo_dir: Path) -> Path:
    """Voice taking 60 of its leads, so that Voice B, with the same rules, finds the rest."""
    config = demo_dir / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("execution:\n", "execution:\n  max_leads_per_run: 60\n"))
    return config


def history_rows(demo_dir: Path) -> list[tuple[str, int, int]]:
    """(campaign, lead, new owner) of every assignment the history keeps, not undone."""
    with sqlite3.connect(demo_dir / ".odlm-state" / "tracking.sqlite") as db:
        return [
            (str(c), int(lead), int(user))
            for c, lead, user in db.execute(
                "SELECT campaign_name, lead_id, new_user_id FROM lead_assignment_history "
                "WHERE undone_at IS NULL"
            )
        ]


def test_one_command_moves_each_lead_at_most_once_across_campaigns(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Voice B copies Voice's configuration before Voice is capped.
    second = second_campaign(todays_demo_dir)
    first = capped_voice(todays_demo_dir)
    owners = local_owners(todays_demo_dir)
    start = owners()
    # What the second campaign would move on its own, before anything ran.
    alone = run_distribution(load_config(second), dry_run=True, options=RunOptions(seed=3)).plan
    assert main(["dailydist", "--config", str(first), "--config", str(second), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Campaigns of this run:" in out
    assert f"{first}: exit 0: Voice: completed" in out
    assert f"{second}: exit 0: {SECOND}: completed" in out
    end = owners()
    rows = history_rows(todays_demo_dir)
    by_campaign: dict[str, set[int]] = {}
    for campaign, lead, user in rows:
        by_campaign.setdefault(campaign, set()).add(lead)
        assert end[lead] == user  # the CRM holds what the history says was written
    assert by_campaign["Voice"] and by_campaign[SECOND]
    # Never moved twice: no lead in both campaigns' runs, although alone the second
    # campaign would have taken some of the first's.
    assert not by_campaign["Voice"] & by_campaign[SECOND]
    assert {a.lead_id for a in alone.handed_out} & by_campaign["Voice"]
    changed = {lead for lead, owner in end.items() if start.get(lead) != owner}
    assert changed == by_campaign["Voice"] | by_campaign[SECOND]
    voice_b = run_distribution(load_config(second), dry_run=True, options=RunOptions(seed=3)).plan
    assert voice_b.excluded.get(RULE, 0) >= len(
        by_campaign["Voice"] & {a.lead_id for a in alone.handed_out}
    )


def test_separate_commands_see_the_other_campaigns_leads_in_the_history(
    todays_demo_dir: Path,
) -> None:
    first = todays_demo_dir / "config.yaml"
    second = second_campaign(todays_demo_dir)
    voice = run_distribution(load_config(first), dry_run=False, options=RunOptions(seed=3))
    assert voice.applied is not None and voice.applied.complete
    placed = set(voice.applied.placed)
    owners = local_owners(todays_demo_dir)
    before = owners()
    other = run_distribution(load_config(second), dry_run=False, options=RunOptions(seed=3))
    assert other.applied is not None
    moved_now = {lead for lead, owner in owners().items() if before.get(lead) != owner}
    assert not moved_now & placed
    assert other.plan.excluded[RULE] > 0
    assert not {a.lead_id for a in other.plan.handed_out} & placed
    # Undone, the first campaign's leads are free again for the second.
    undo(load_config(first), voice.plan.run_id)
    again = run_distribution(load_config(second), dry_run=True, options=RunOptions(seed=3)).plan
    assert RULE not in again.excluded or again.excluded[RULE] < other.plan.excluded[RULE]


def test_a_failing_campaign_leaves_the_others_runs_standing(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = todays_demo_dir / "config.yaml"
    broken = todays_demo_dir / "broken.yaml"
    broken.write_text(
        first.read_text(encoding="utf-8").replace(
            "file_path: salesperson_campaigns.csv", "file_path: nowhere.csv"
        ),
        encoding="utf-8",
    )
    owners = local_owners(todays_demo_dir)
    start = owners()
    status = main(["dailydist", "--config", str(broken), "--config", str(first), "--seed", "3"])
    assert status == 2
    captured = capsys.readouterr()
    assert "nowhere.csv" in captured.err
    assert f"{broken}: exit 2: error:" in captured.out
    assert f"{first}: exit 0: Voice: completed" in captured.out
    assert owners() != start  # the Voice run was written and stands


def test_one_file_options_are_refused_with_several_configurations(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = todays_demo_dir / "config.yaml"
    args = ["dailydist", "--config", str(first), "--config", str(first), "--dry-run"]
    assert main([*args, "--plan-out", str(todays_demo_dir / "plan.json")]) == 2
    assert "--plan-out names one file: use it with one --config" in capsys.readouterr().err


def test_without_a_history_the_command_itself_keeps_each_lead_to_one_move(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = todays_demo_dir / "config.yaml"
    second = second_campaign(todays_demo_dir)
    for config in (first, second):
        text = config.read_text(encoding="utf-8").replace(
            "tracking:\n  enabled: true\n", "tracking:\n  enabled: false\n"
        )
        assert "tracking:\n  enabled: false\n" in text
        if config == first:
            text = text.replace("execution:\n", "execution:\n  max_leads_per_run: 60\n")
        config.write_text(text, encoding="utf-8")
    owners = local_owners(todays_demo_dir)
    start = owners()
    assert main(["dailydist", "--config", str(first), "--config", str(second), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    written = [int(part.split()[0]) for part in out.split("leads planned, ")[1:]]
    assert len(written) == 2 and written[0] == 60 and written[1] > 0
    changed = {lead for lead, owner in owners().items() if start.get(lead) != owner}
    # Each lead written once: as many changed owners as writes.
    assert len(changed) == sum(written)


def test_a_dry_run_of_several_campaigns_previews_one_move_per_lead(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Voice B copies Voice's configuration before Voice is capped.
    second = second_campaign(todays_demo_dir)
    first = capped_voice(todays_demo_dir)
    alone = run_distribution(load_config(second), dry_run=True, options=RunOptions(seed=3)).plan
    before = (todays_demo_dir / "crm.sqlite").read_bytes()
    args = ["dailydist", "--config", str(first), "--config", str(second), "--seed", "3"]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    planned = [int(part.split()[0]) for part in out.split("dry run, ")[1:]]
    assert planned[0] == 60
    # The second campaign's preview leaves out the 60 the first would move.
    assert planned[1] == len(alone.handed_out) - 60
    assert RULE in out
    assert (todays_demo_dir / "crm.sqlite").read_bytes() == before


def test_a_run_is_undone_only_with_its_own_campaigns_configuration(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = todays_demo_dir / "config.yaml"
    second = second_campaign(todays_demo_dir)
    voice = run_distribution(load_config(first), dry_run=False, options=RunOptions(seed=3))
    owners = local_owners(todays_demo_dir)
    distributed = owners()
    capsys.readouterr()
    for extra in ([], ["--dry-run"]):
        run_id = voice.plan.run_id
        assert main(["undo", run_id, "--config", str(second), "--yes", *extra]) == 2
        err = capsys.readouterr().err
        assert f"run {run_id} distributed campaign Voice" in err
        assert "undo it with that campaign's configuration; nothing was changed" in err
        assert owners() == distributed
    assert main(["undo", voice.plan.run_id, "--config", str(first), "--yes"]) == 0
    assert owners() != distributed
