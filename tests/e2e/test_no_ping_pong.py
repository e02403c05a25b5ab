"""A lead never goes back to any of its last two holders (``never_back_to_last``), checked
on the history and the CRM after real runs on consecutive days, where the reset status
keeps every moved lead in play; with 1, as the R job, leads do go back."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from tests.e2e.test_caps_runs import local_owners

DAYS = 4


def in_play(demo_dir: Path, never_back_to_last: int) -> str:
    """The demo with a reset status its rules distribute again (Utr)."""
    config = demo_dir / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert 'status_reset: "New"' in text
    text = text.replace(
        'status_reset: "New"',
        f'status_reset: "Utr"\n  never_back_to_last: {never_back_to_last}',
    )
    config.write_text(text, encoding="utf-8")
    return str(config)


def moves(demo_dir: Path) -> dict[int, list[tuple[int | None, int]]]:
    """Each lead's (previous holder, new holder) moves, oldest first, from the history."""
    found: dict[int, list[tuple[int | None, int]]] = {}
    with sqlite3.connect(demo_dir / ".odlm-state" / "tracking.sqlite") as db:
        rows = db.execute(
            "SELECT lead_id, previous_user_id, new_user_id FROM lead_assignment_history "
            "WHERE undone_at IS NULL ORDER BY lead_id, distribution_date, id"
        )
        for lead, previous, new in rows:
            found.setdefault(lead, []).append((previous, new))
    return found


def run_days(demo_dir: Path, config: str) -> dict[int, list[tuple[int | None, int]]]:
    start = date.today() - timedelta(days=DAYS)
    for offset in range(DAYS):
        day = (start + timedelta(days=offset)).isoformat()
        assert main(["dailydist", "--config", config, "--today", day, "--seed", "5",
                     "--run-again"]) == 0  # fmt: skip
    return moves(demo_dir)


def backs(history: dict[int, list[tuple[int | None, int]]]) -> int:
    """Moves that handed a lead to the holder it had before its current one."""
    return sum(
        later[1] == earlier[0] for steps in history.values() for earlier, later in pairwise(steps)
    )


def test_a_lead_never_goes_back_to_either_of_its_last_two_holders(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = in_play(todays_demo_dir, 2)
    history = run_days(todays_demo_dir, config)
    again = [steps for steps in history.values() if len(steps) > 1]
    assert len(again) > 50  # leads moved on several days: the rule had work to do
    for steps in history.values():
        for earlier, later in pairwise(steps):
            assert later[1] not in {later[0], earlier[0]}, steps
    assert backs(history) == 0
    # The CRM holds what the history says: each lead with its last taker.
    owners = local_owners(todays_demo_dir)()
    assert all(owners[lead] == steps[-1][1] for lead, steps in history.items())
    # explain names the earlier holder it could not go back to.
    lead = next(lead for lead, steps in history.items() if len(steps) > 1)
    capsys.readouterr()
    assert main(["explain", str(lead), "--config", config]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "who held it before (never_back_to_last: 2)" in said, said


def test_with_one_only_the_holder_is_kept_and_leads_go_back(todays_demo_dir: Path) -> None:
    history = run_days(todays_demo_dir, in_play(todays_demo_dir, 1))
    assert backs(history) > 0
