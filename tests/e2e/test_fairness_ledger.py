"""The fairness ledger over real runs on consecutive days, checked on the CRM and the
history after them: leads given by hand are counted, the next runs give less to whoever
received them, `odlm fairness` shows what the CRM holds, and an undo takes a run off."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.crm import PEOPLE, TEAMS
from odoo_lead_manager.domain.model import Lead

REPS = {
    p.name: p.id
    for p in PEOPLE
    if p.campaign == "Voice" and p.level and p.table_active and p.user_active
}
HOLDER = next(p.id for p in PEOPLE if p.name == "Eve Davis")
VOICE = next(t.id for t in TEAMS if t.name == "Voice")
DAVE = REPS["Dave Brown"]
START = date.today() - timedelta(days=10)


def inflow(crm: Path, day: date, count: int, first_id: int) -> list[int]:
    """``count`` new Utr leads of the day before ``day``, held by Eve Davis (inactive in the
    campaign table, so the demo's rules hand them to the active salespeople)."""
    dated = day - timedelta(days=1)
    leads = [
        Lead(
            id=first_id + i,
            name=f"Inflow {day} #{i}",
            status="Utr",
            stage="New",
            source_date=dated,
            create_date=datetime.combine(dated, datetime.min.time()) + timedelta(hours=9),
            user_id=HOLDER,
            open_user_id=HOLDER,
            team_id=VOICE,
            source="Website",
            campaign="Voice",
        )
        for i in range(count)
    ]
    with LocalStore.open(crm) as store:
        store.add_leads(leads)
    return [lead.id for lead in leads]


def by_hand(crm: Path, count: int) -> list[int]:
    """A manager gives ``count`` unowned leads to Dave Brown, outside odlm."""
    with LocalStore.open(crm) as store:
        unowned = [
            x.id for x in store.search_leads([("open_user_id", "=", False), ("type", "=", "lead")])
        ]
        given = sorted(unowned[:count])
        values = {"user_id": DAVE, "open_user_id": DAVE, "closer_id": DAVE, "team_id": VOICE}
        store.write_leads(given, {**values, "status": "New"})
    return given


def holders(crm: Path, ids: list[int]) -> dict[int, int]:
    """How many of ``ids`` each salesperson holds now."""
    counts = dict.fromkeys(REPS.values(), 0)
    with LocalStore.open(crm) as store:
        for lead in store.read_leads(ids):
            if lead.open_user_id in counts:
                counts[lead.open_user_id] += 1
    return counts


def latest_run(demo_dir: Path) -> tuple[str, dict[int, int], list[int]]:
    """The latest run's id, what it gave each user and the leads it moved (the history)."""
    with sqlite3.connect(demo_dir / ".odlm-state" / "tracking.sqlite") as db:
        run_id = db.execute(
            "SELECT run_id FROM odlm_run ORDER BY started_at DESC LIMIT 1"
        ).fetchone()[0]
        rows = db.execute(
            "SELECT lead_id, new_user_id FROM lead_assignment_history WHERE run_id = ?",
            (run_id,),
        ).fetchall()
    taken: dict[int, int] = {}
    for _, user in rows:
        taken[user] = taken.get(user, 0) + 1
    return run_id, taken, [lead for lead, _ in rows]


def run(config: str, day: date) -> None:
    assert main(["dailydist", "--config", config, "--today", day.isoformat(), "--seed", "3",
                 "--run-again"]) == 0  # fmt: skip


def ledger(config: str, day: date, capsys: pytest.CaptureFixture[str]) -> dict[int, dict[str, Any]]:
    capsys.readouterr()
    assert (
        main(["fairness", "--config", config, "--today", day.isoformat(), "--format", "json"]) == 0
    )
    document = json.loads(capsys.readouterr().out)
    return {line["user_id"]: line for line in document["salespeople"]}


def test_leads_given_by_hand_are_offset_and_the_ledger_matches_the_crm(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    crm = todays_demo_dir / "crm.sqlite"
    run(config, START)  # the demo's backlog: the ledger's first day
    with LocalStore.open(crm) as store:
        next_id = max(lead.id for lead in store.search_leads([])) + 1
    day1 = START + timedelta(days=1)
    inflow(crm, day1, 10, next_id)
    run(config, day1)
    given = by_hand(crm, 12)
    day2 = START + timedelta(days=2)
    arrived = inflow(crm, day2, 40, next_id + 10)
    run(config, day2)

    # Dave, 9 ahead (the 12 less his quarter of them), received at least 8 fewer than each
    # of the others in the day's run: in the history and in the CRM. (The ledger below says
    # everyone is even after it.)
    day2_run, taken, moved = latest_run(todays_demo_dir)
    others = [taken.get(uid, 0) for uid in REPS.values() if uid != DAVE]
    assert min(others) - taken.get(DAVE, 0) >= 8, taken
    assert holders(crm, moved) == {uid: taken.get(uid, 0) for uid in REPS.values()}
    assert set(arrived) <= set(moved)
    assert holders(crm, given)[DAVE] == 12

    # The ledger counts the 12 as received outside odlm, and what odlm gave from the history.
    lines = ledger(config, day2, capsys)
    assert lines[DAVE]["outside_odlm"] == 12
    assert sum(line["outside_odlm"] for line in lines.values()) == 12
    with sqlite3.connect(todays_demo_dir / ".odlm-state" / "tracking.sqlite") as db:
        rows = dict(
            db.execute(
                "SELECT new_user_id, COUNT(*) FROM lead_assignment_history "
                "WHERE undone_at IS NULL GROUP BY new_user_id"
            ).fetchall()
        )

    assert {uid: line["from_odlm"] for uid, line in lines.items()} == {
        uid: rows.get(uid, 0) for uid in lines
    }
    entitled = sum(float(line["entitled"]) for line in lines.values())
    received = sum(int(line["received"]) for line in lines.values())
    assert entitled == pytest.approx(received)
    assert all(line["even"] for line in lines.values())

    # The 12 are counted once: the next run sees none received outside since.
    day3 = START + timedelta(days=3)
    run(config, day3)
    assert ledger(config, day3, capsys)[DAVE]["outside_odlm"] == 12

    # Undoing a run takes its leads off the ledger (and the entitlement they made).
    before = ledger(config, day3, capsys)
    assert main(["undo", day2_run, "--config", config, "--yes"]) == 0
    after = ledger(config, day3, capsys)
    assert sum(int(x["from_odlm"]) for x in after.values()) == sum(
        int(x["from_odlm"]) for x in before.values()
    ) - len(moved)
    assert sum(float(x["entitled"]) for x in after.values()) == pytest.approx(
        sum(int(x["received"]) for x in after.values())
    )
    # Leads an undo gave back are not counted as received outside odlm by the next run.
    day4 = START + timedelta(days=4)
    run(config, day4)
    assert sum(int(x["outside_odlm"]) for x in ledger(config, day4, capsys).values()) == 12


def test_without_the_ledger_the_hand_given_leads_change_nothing(
    todays_demo_dir: Path,
) -> None:
    config_path = todays_demo_dir / "config.yaml"
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace('status_reset: "New"', 'status_reset: "New"\n  fairness_window_days: 0'),
        encoding="utf-8",
    )
    config = str(config_path)
    crm = todays_demo_dir / "crm.sqlite"
    run(config, START)
    with LocalStore.open(crm) as store:
        next_id = max(lead.id for lead in store.search_leads([])) + 1
    by_hand(crm, 12)
    day2 = START + timedelta(days=2)
    arrived = inflow(crm, day2, 40, next_id)
    run(config, day2)
    with sqlite3.connect(todays_demo_dir / ".odlm-state" / "tracking.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM odlm_fairness_ledger").fetchone()[0] == 0
    _, taken, _ = latest_run(todays_demo_dir)
    # Dave, given 12 by hand, still receives a full equal share: the day alone decides.
    counts = [taken.get(uid, 0) for uid in REPS.values()]
    assert max(counts) - min(counts) <= 1, taken
    assert sum(holders(crm, arrived).values()) == 40


def test_the_ledger_as_a_table_and_its_refusals(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    assert main(["fairness", "--config", config]) == 0
    assert "No fairness ledger for Voice yet" in " ".join(capsys.readouterr().out.split())
    run(config, START)
    run(config, START + timedelta(days=1))
    day = (START + timedelta(days=1)).isoformat()
    assert main(["fairness", "--config", config, "--today", day, "--days", "5"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Fairness ledger of Voice: 2 run days" in out
    assert "Dave Brown" in out and "Jain's index of received / entitled: 1.000" in out

    # The ledger needs the tracking history: asked for without it, the key is named.
    path = todays_demo_dir / "config.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("tracking:\n  enabled: true", "tracking:\n  enabled: false").replace(
            'status_reset: "New"', 'status_reset: "New"\n  fairness_window_days: 10'
        ),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["dailydist", "--config", config, "--dry-run"]) == 2
    assert "distribution.fairness_window_days" in capsys.readouterr().err
