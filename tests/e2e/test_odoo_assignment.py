"""Odoo's own lead assignment beside odlm, and Odoo's capacity as Odoo means it — checked in
the CRM after the run, on the local store and on the stand-in Odoo of 17 and 19.

- With Odoo assigning on its own (Rule-Based Assignment, Running "Repeatedly"), a real
  run is refused before anything is written (exit 2), naming the setting, where to switch
  it off and the key that accepts it; a dry run and ``odlm check`` say the same; the
  settings read are in the snapshot, so a replay needs no server.
- With ``source_type: odoo_team``, what Odoo counts as assigned to a member in the last
  30 days plus what a run gives them never exceeds ``assignment_max``, under every
  strategy, and the preview's figures are the CRM's count after the run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.replay import replay_run
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.reporting.report import build_report
from odoo_lead_manager.snapshot.options import RunOptions
from tests.apply.faults import Fault, FaultyStore, Killed
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_caps_runs import configure, fake_owners, local_owners, moved
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the stand-in Odoo fixture)

VOICE = 1
ALICE, BOB, CAROL, DAVE, EVE = 10, 11, 12, 13, 14
SOURCE = {"source_type": "odoo_team", "source_config": {"team": "Voice"}}
STRATEGIES = {
    "round_robin": {},
    "proportional": {"proportional": {"weights": {"Alice Smith": 3}}},
    "capacity_based": {},
    # Level targets on the leads held (1,000) are far above Odoo's capacity: the smaller
    # room, Odoo's, is what level_based fills.
    "level_based": {
        "level_based": {
            "levels": {
                "senior": {
                    "target_leads": 1000,
                    "priority": 1,
                    "salespeople": ["Alice Smith", "Bob Johnson"],
                },
                "junior": {
                    "target_leads": 1000,
                    "priority": 2,
                    "salespeople": ["Carol Williams", "Dave Brown", "Eve Davis"],
                },
            }
        }
    },
}
# Each member's capacity, and how many of their Voice leads Odoo dated within the last
# 30 days before the run: Alice has room for 6, Bob for 2, Dave none (at capacity),
# Eve 0 capacity (named, receives nothing); Carol is out of the 30 days entirely.
CAPACITY = {ALICE: 10, BOB: 5, CAROL: 12, DAVE: 4, EVE: 0}
RECENT = {ALICE: 4, BOB: 3, CAROL: 0, DAVE: 4, EVE: 0}


def _now() -> datetime:
    """The run's moment: its day (TODAY, given with --today) at the time of day it is."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return datetime.combine(TODAY, now.time())


def member_leads(
    holders: Mapping[int, int | None], teams: Mapping[int, int | None]
) -> dict[int, list[int]]:
    """The leads of each member in Voice, in id order."""
    found: dict[int, list[int]] = {uid: [] for uid in CAPACITY}
    for lead_id in sorted(holders):
        uid = holders[lead_id]
        if uid in found and teams.get(lead_id) == VOICE:
            found[uid].append(lead_id)
    return found


def dates_for(found: Mapping[int, list[int]]) -> dict[int, str]:
    """When Odoo last dated each member's lead: the first RECENT ones 10 days ago, the rest
    40 days ago (outside the window)."""
    recent = (_now() - timedelta(days=10)).isoformat(sep=" ")
    old = (_now() - timedelta(days=40)).isoformat(sep=" ")
    return {
        lead_id: recent if n < RECENT[uid] else old
        for uid, ids in found.items()
        for n, lead_id in enumerate(ids)
    }


def set_up_local(demo_dir: Path) -> None:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        for uid, cap in CAPACITY.items():
            store.set_assignment(VOICE, uid, assignment_max=cap)
        rows = store._db.execute("SELECT id, user_id, team_id FROM crm_lead").fetchall()
        dates = dates_for(member_leads({r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows}))
        with store._db:
            store._db.execute("UPDATE crm_lead SET date_open = NULL")
            store._db.executemany(
                "UPDATE crm_lead SET date_open = ? WHERE id = ?",
                [(day, lead_id) for lead_id, day in dates.items()],
            )


def _id(value: Any) -> int | None:
    if isinstance(value, list | tuple):
        return int(value[0])
    return int(value) if value else None


def set_up_fake(fake: FakeOdoo) -> None:
    members = fake.models["crm.team.member"]
    for record in members.values():
        uid = _id(record["user_id"])
        if _id(record["crm_team_id"]) == VOICE and uid in CAPACITY:
            record["assignment_max"] = CAPACITY[uid]
    leads = fake.models["crm.lead"]
    holders = {i: _id(r["user_id"]) for i, r in leads.items()}
    dates = dates_for(member_leads(holders, {i: _id(r["team_id"]) for i, r in leads.items()}))
    for lead_id, record in leads.items():
        record["date_open"] = dates.get(lead_id, False)


def local_count(demo_dir: Path) -> Callable[[int], int]:
    """The CRM's own count of a member's leads in the last 30 days (as Odoo counts them)."""

    def count(uid: int) -> int:
        since = (_now() - timedelta(days=30)).isoformat(sep=" ")
        with LocalStore.open(demo_dir / "crm.sqlite") as store:
            return int(
                store._db.execute(
                    "SELECT COUNT(*) FROM crm_lead WHERE user_id = ? AND team_id = ? "
                    "AND date_open >= ?",
                    (uid, VOICE, since),
                ).fetchone()[0]
            )

    return count


def fake_count(fake: FakeOdoo) -> Callable[[int], int]:
    def count(uid: int) -> int:
        since = (_now() - timedelta(days=30)).isoformat(sep=" ")
        return sum(
            1
            for r in fake.models["crm.lead"].values()
            if _id(r["user_id"]) == uid
            and _id(r["team_id"]) == VOICE
            and r.get("date_open")
            and r["date_open"] >= since
        )

    return count


def check_capacity_holds(
    config: Path, strategy: str, owners: Callable[[], dict[int, int | None]], count: Callable
) -> None:
    configure(
        config,
        {"strategy": strategy, "team_assignment": None, **STRATEGIES[strategy]},
        salesperson_selection=SOURCE,
    )
    before = {uid: count(uid) for uid in CAPACITY}
    assert before == RECENT
    start = owners()
    outcome = run_distribution(
        load_config(config), dry_run=False, options=RunOptions(today=TODAY, seed=3)
    )
    assert outcome.applied is not None and outcome.applied.complete
    plan = outcome.plan
    got = moved(start, owners())
    # The preview's figures are the CRM's: before, given and after the run.
    for uid, cap in CAPACITY.items():
        capacity = plan.capacity[uid]
        assert (capacity.maximum, capacity.used) == (cap, RECENT[uid])
        assert plan.received.get(uid, 0) == got[uid]
        assert count(uid) == plan.capacity_after[uid] <= cap
        assert RECENT[uid] + got[uid] <= cap
    assert sum(got.values()) > 0
    # The JSON report says the same figures.
    summary = {
        p["id"]: p for p in build_report(plan, outcome.applied).to_dict()["salesperson_summary"]
    }
    for uid, cap in CAPACITY.items():
        assert summary[uid]["odoo_capacity"] == {
            "assignment_max": cap,
            "last_30_days": RECENT[uid],
            "after": count(uid),
        }
    # At capacity: nothing, said with the figures (unless the strategy gave nothing anyway).
    assert got[DAVE] == 0 and got[EVE] == 0
    if DAVE in plan.capped:
        assert "4 assigned in the last 30 days: 0 left" in plan.capped[DAVE]
    assert any(
        "Eve Davis" in w and "Average Leads Capacity (on 30 days) 0" in w for w in plan.warnings
    )


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_odoo_capacity_holds_on_the_local_store(demo_dir: Path, strategy: str) -> None:
    set_up_local(demo_dir)
    check_capacity_holds(
        demo_dir / "config.yaml", strategy, local_owners(demo_dir), local_count(demo_dir)
    )


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_odoo_capacity_holds_on_the_stand_in_odoo(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
    strategy: str,
) -> None:
    config, fake = odoo_demo
    set_up_fake(fake)
    check_capacity_holds(config, strategy, fake_owners(fake), fake_count(fake))


def test_the_preview_shows_each_members_capacity(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_up_local(demo_dir)
    config = demo_dir / "config.yaml"
    configure(config, {"strategy": "capacity_based"}, salesperson_selection=SOURCE)
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Odoo capacity (Average Leads Capacity (on 30 days))" in out
    assert "Eve Davis" in out and "has Average Leads Capacity (on 30 days) 0 in sales team" in out
    # Held leads are no target for an Odoo team: no "every salesperson is at target".
    assert "every salesperson is at target" not in out


# Odoo's own assignment ------------------------------------------------------------------

REFUSED_WORDS = (
    'Rule-Based Assignment is on, with Running "Repeatedly" every 1 day',
    "Settings > CRM > Rule-Based Assignment",
    "crm.odoo_auto_assignment: accept",
)


def cli(*args: str) -> list[str]:
    """A dailydist command on the demo's day (a real one on another day needs --force)."""
    real = "--dry-run" not in args
    return [*args, "--today", str(TODAY), *(["--run-again"] if real else [])]


def switch_local(demo_dir: Path, rule_based: bool, scheduled: bool) -> None:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        store.set_lead_assignment(rule_based, scheduled)


def test_a_real_run_is_refused_while_odoo_assigns_on_its_own(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(demo_dir / "config.yaml")
    switch_local(demo_dir, True, True)
    crm = demo_dir / "crm.sqlite"
    before = crm.read_bytes()
    assert main(cli("dailydist", "--config", config)) == 2
    err = capsys.readouterr().err
    assert all(words in err for words in REFUSED_WORDS), err
    assert "nothing was changed" in err
    assert crm.read_bytes() == before
    # Nothing on record either: no run to resume, report or undo.
    assert main(["runs", "--config", config]) == 0
    assert "No runs in the run journal" in capsys.readouterr().out
    # The dry run shows the same, as a warning, and the settings in Odoo's words.
    assert main(cli("dailydist", "--config", config, "--dry-run")) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "WARNING: a real run is refused: Odoo assigns leads on its own" in out
    assert (
        'Odoo\'s own lead assignment: Rule-Based Assignment is on, with Running "Repeatedly"' in out
    )
    assert crm.read_bytes() == before


@pytest.mark.parametrize(
    ("rule_based", "scheduled", "refused"),
    [(False, False, False), (True, False, False), (True, True, True), (False, True, True)],
    ids=["off", "manually", "repeatedly", "scheduled-action-alone"],
)
def test_what_odoo_assigns_decides_whether_a_real_run_writes(
    demo_dir: Path,
    capsys: pytest.CaptureFixture[str],
    rule_based: bool,
    scheduled: bool,
    refused: bool,
) -> None:
    config = str(demo_dir / "config.yaml")
    switch_local(demo_dir, rule_based, scheduled)
    owners = local_owners(demo_dir)
    before = owners()
    assert main(cli("dailydist", "--config", config)) == (2 if refused else 0)
    assert (owners() == before) is refused
    if scheduled and not rule_based:
        # Activated by hand, the scheduled action runs whatever the setting says.
        assert "Rule-Based Assignment is off, but the scheduled action" in capsys.readouterr().err


def test_accepting_odoos_assignment_runs_and_says_so(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    switch_local(demo_dir, True, True)
    configure(config, {}, crm={"odoo_auto_assignment": "accept"})
    owners = local_owners(demo_dir)
    before = owners()
    assert main(cli("dailydist", "--config", str(config))) == 0
    assert owners() != before
    out = " ".join(capsys.readouterr().out.split())
    assert "Running anyway (crm.odoo_auto_assignment: accept)" in out


def test_a_saved_plan_is_refused_once_odoo_assigns_on_its_own(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(demo_dir / "config.yaml")
    plan = demo_dir / "plan.json"
    assert main(cli("dailydist", "--config", config, "--dry-run", "--plan-out", str(plan))) == 0
    capsys.readouterr()
    # Switched on after the dry run: the apply reads the setting again.
    switch_local(demo_dir, True, True)
    before = (demo_dir / "crm.sqlite").read_bytes()
    assert main(["apply", str(plan), "--config", config]) == 2
    err = capsys.readouterr().err
    assert f"{plan}: Odoo assigns leads on its own" in err and REFUSED_WORDS[2] in err
    assert (demo_dir / "crm.sqlite").read_bytes() == before
    switch_local(demo_dir, True, False)
    assert main(["apply", str(plan), "--config", config]) == 0


def test_the_settings_read_replay_without_the_crm(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    switch_local(demo_dir, True, True)
    plan = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=4)
    ).plan
    assert plan.refused is not None and "Repeatedly" in plan.refused
    # Switched off since, and the CRM gone: the replay answers from the snapshot.
    (demo_dir / "crm.sqlite").unlink()
    result = replay_run(load_config(config), plan.run_id, None)
    assert result.identical and result.plan.refused == plan.refused


@pytest.mark.parametrize("readable", [True, False], ids=["administrator", "sales-manager"])
def test_check_names_odoos_assignment_on_the_stand_in_odoo(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    readable: bool,
) -> None:
    config, fake = odoo_demo
    fake.cron_readable = readable
    assert main(["check", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "Odoo's own lead assignment (Settings > CRM > Rule-Based Assignment):" in out
    assert "Rule-Based Assignment is off: Odoo does not assign leads itself" in out
    fake.set_lead_assignment(True, True)
    reads = len(fake.fields_read)
    assert main(["check", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    out = " ".join(captured.out.split())
    assert "PROBLEM" in out and all(w in out for w in REFUSED_WORDS[1:])
    assert "a real run is refused while Odoo assigns leads on its own" in captured.err
    if readable:
        assert REFUSED_WORDS[0] in out
    else:
        # Without Settings rights the sales teams still say it runs (no interval then).
        assert "may not read scheduled actions" in out
        assert 'Rule-Based Assignment is on, with Running "Repeatedly"' in out
    # The detection costs two calls: the sales teams and the scheduled action.
    asked = [
        model
        for model, fields in fake.fields_read[reads:]
        if model == "ir.cron" or "assignment_auto_enabled" in fields
    ]
    assert asked == ["crm.team", "ir.cron"]


def test_a_real_run_on_the_stand_in_odoo_is_refused_without_a_write(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, fake = odoo_demo
    fake.set_lead_assignment(True, True, 4, "hours")
    assert main(cli("dailydist", "--config", str(config))) == 2
    err = capsys.readouterr().err
    assert 'Running "Repeatedly" every 4 hours' in err
    assert not any(model == "crm.lead" for model, _ in fake.writes)
    # Only the lease was taken and given back in the CRM.
    assert fake.models["ir.config_parameter"].keys() == {
        k for k, r in fake.models["ir.config_parameter"].items() if r["key"].startswith("crm.")
    }
    fake.set_lead_assignment(True, False)
    assert main(cli("dailydist", "--config", str(config))) == 0
    assert any(model == "crm.lead" for model, _ in fake.writes)


def test_odoo_19s_preferred_domain_is_read_where_it_exists_and_preferred(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
) -> None:
    config, fake = odoo_demo
    for record in fake.models["crm.lead"].values():
        record["date_open"] = False  # nothing counted against anyone's 30 days
    if fake.version_major >= 19:
        for record in fake.models["crm.team.member"].values():
            if _id(record["user_id"]) == ALICE:
                record["assignment_domain_preferred"] = "[('priority', '=', '3')]"
    configure(config, {"team_assignment": None}, salesperson_selection=SOURCE)
    owners = fake_owners(fake)
    start = owners()
    plan = run_distribution(
        load_config(config), dry_run=False, options=RunOptions(today=TODAY, seed=8), force=True
    ).plan
    member_fields = {f for model, fields in fake.fields_read if model == "crm.team.member"
                     for f in fields}  # fmt: skip
    if fake.version_major < 19:
        # Odoo 17 has no such field: it is never asked for.
        assert "assignment_domain_preferred" not in member_fields
        assert ALICE not in plan.domains
        return
    assert "assignment_domain_preferred" in member_fields
    got = moved(start, owners())
    priority = {i: r["priority"] for i, r in fake.models["crm.lead"].items()}
    alice = [i for i, owner in owners().items() if owner == ALICE and start[i] != ALICE]
    # The "very high" leads handed out that Alice did not hold (never back to the holder).
    top = [
        a.lead_id
        for a in plan.assignments
        if priority[a.lead_id] == "3" and a.previous_user_id != ALICE
    ]
    preferred = sum(1 for i in alice if priority[i] == "3")
    # Alice takes the "very high" leads first, up to her share; the others take the rest.
    assert preferred == min(got[ALICE], len(top))
    assert "Lead Priority Filter" in plan.domains[ALICE]


def test_an_unfinished_run_is_not_finished_while_odoo_assigns_on_its_own(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    loaded = load_config(config)
    options = RunOptions(today=TODAY, seed=7)
    with LocalStore.open(demo_dir / "crm.sqlite") as inner:
        # The run dies after its first write: the journal keeps it unfinished.
        dying = FaultyStore(inner, [Fault("write_leads", 1, "after", Killed())])
        with pytest.raises(Killed):
            run_distribution(loaded, dry_run=False, options=options, store=dying, force=True)
    switch_local(demo_dir, True, True)
    before = (demo_dir / "crm.sqlite").read_bytes()
    assert main(cli("dailydist", "--config", str(config))) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "did not finish and is not finished now: Odoo assigns leads on its own" in err
    assert (demo_dir / "crm.sqlite").read_bytes() == before
    switch_local(demo_dir, True, False)
    assert main(cli("dailydist", "--config", str(config))) == 0
    assert "did not finish" in capsys.readouterr().out
