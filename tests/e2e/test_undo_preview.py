"""`odlm undo RUN --dry-run` shows what an undo would give back, and the undo then does
exactly that; on a terminal a real undo asks first unless `--yes`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.crm.local.store import LocalStore
from tests.cli.terminal import on_a_terminal
from tests.e2e.test_apply_undo import crm, owners


def real_run(directory: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["dailydist", "--config", str(directory / "config.yaml")]) == 0
    found = re.search(r"Run ([0-9a-f]{32})", capsys.readouterr().out)
    assert found
    return found.group(1)


def test_the_preview_changes_nothing_and_is_what_the_undo_does(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    before = owners(crm(todays_demo_dir))
    run_id = real_run(todays_demo_dir, capsys)
    after = owners(crm(todays_demo_dir))
    moved = sorted(i for i in after if after[i] != before[i])
    assert len(moved) > 2
    # Somebody takes one of the run's leads in the CRM since: the undo must leave it.
    taken = moved[0]
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        store.write_leads([taken], {"user_id": before[taken][0]})
    now = crm(todays_demo_dir)
    database = (todays_demo_dir / "crm.sqlite").read_bytes()

    assert main(["undo", run_id[:8], "--config", config, "--dry-run"]) == 0
    preview = capsys.readouterr().out
    assert crm(todays_demo_dir) == now
    assert (todays_demo_dir / "crm.sqlite").read_bytes() == database
    assert f"Undo of run {run_id}: DRY RUN, nothing was changed" in preview
    assert f"Leads an undo would give back their previous values: {len(moved) - 1}" in preview
    assert "Left alone, changed since the run: 1" in preview
    assert f"lead {taken}: left alone" in preview
    shown = re.findall(r"^ +lead (\d+): user_id\b.* -> ", preview, re.M)
    assert shown and {int(i) for i in shown} <= set(moved[1:])
    # The journal did not take the preview for an undo: the run is still complete.
    assert main(["runs", "--config", config]) == 0
    assert re.search(rf"{run_id}.*completed", capsys.readouterr().out)

    # Off a terminal nobody is asked; the undo gives back what the preview said.
    assert main(["undo", run_id, "--config", config]) == 0
    out = capsys.readouterr().out
    assert f"Leads given back their previous values: {len(moved) - 1}" in out
    restored = owners(crm(todays_demo_dir))
    assert all(restored[i] == before[i] for i in moved[1:])
    assert main(["undo", run_id, "--config", config, "--dry-run"]) == 0
    assert "This run was undone before" in capsys.readouterr().out
    assert owners(crm(todays_demo_dir)) == restored


def test_on_a_terminal_a_real_undo_asks_first(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    run_id = real_run(todays_demo_dir, capsys)
    distributed = crm(todays_demo_dir)

    status, screen = on_a_terminal(["undo", run_id, "--config", config], "n")
    assert status == 1, screen
    assert re.search(r"Give [\d,]+ leads back their previous values\? \[y/n\]", screen)
    assert "Nothing was changed." in screen
    assert crm(todays_demo_dir) == distributed

    status, screen = on_a_terminal(["undo", run_id, "--config", config], "y")
    assert status == 0, screen
    assert "Leads given back their previous values:" in screen
    assert crm(todays_demo_dir) != distributed


def test_yes_undoes_on_a_terminal_without_asking(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    run_id = real_run(todays_demo_dir, capsys)
    status, screen = on_a_terminal(["undo", run_id, "--config", config, "--yes"], None)
    assert status == 0, screen
    assert "[y/n]" not in screen
    assert "Leads given back their previous values:" in screen
