"""Availability in real runs: who is away gets nothing, half a day away gets a smaller share,
nobody there leaves the leads where they are — checked in the CRM after the run, on the local
store and on the stand-in Odoo of 17 and 19."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.pipeline.strategies.engine import NOBODY_AVAILABLE
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_caps_runs import Owners, configure, fake_owners, local_owners, moved, real_run
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the stand-in Odoo fixture)

AVAILABILITY = {"availability": {"absences_file": "absences.csv"}}


def eligible(config: Path) -> dict[str, int]:
    """The campaign's eligible salespeople by name, from a dry run."""
    plan = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5)
    ).plan
    return {p.name: p.user_id for p in plan.salespeople}


def absences(config: Path, *rows: str) -> None:
    (config.parent / "absences.csv").write_text(
        "salesperson_name,from,to,part\n" + "".join(f"{row}\n" for row in rows),
        encoding="utf-8",
    )
    configure(config, {}, salesperson_selection=AVAILABILITY)


def check_one_away_all_day(config: Path, owners: Callable[[], Owners]) -> None:
    people = eligible(config)
    away_name, away_id = next(iter(sorted(people.items())))
    absences(config, f"{away_name.upper()},{TODAY.replace(day=1)},{TODAY},")
    before = owners()
    plan = real_run(config, TODAY)
    got = moved(before, owners())
    assert got[away_id] == 0
    assert all(got[uid] > 0 for uid in people.values() if uid != away_id)
    assert plan.received.get(away_id, 0) == 0
    assert plan.away == {away_id: f"away all day ({config.parent / 'absences.csv'}, line 2)"}
    # Not counted in the split: the others share everything between them.
    assert sum(got.values()) == sum(plan.received.values()) == len(plan.assignments)


def test_someone_away_all_day_gets_nothing_in_the_crm(demo_dir: Path) -> None:
    check_one_away_all_day(demo_dir / "config.yaml", local_owners(demo_dir))


def test_someone_away_all_day_gets_nothing_on_the_stand_in_odoo(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
) -> None:
    config, fake = odoo_demo
    check_one_away_all_day(config, fake_owners(fake))


def test_half_a_day_away_takes_half_the_share(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    people = eligible(config)
    normal = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5)
    ).plan.quotas
    name, uid = sorted(people.items())[1]
    absences(config, f"{name},{TODAY},{TODAY},afternoon")
    owners = local_owners(demo_dir)
    before = owners()
    plan = real_run(config, TODAY)
    got = moved(before, owners())
    assert got[uid] == normal[uid] // 2
    assert sum(got.values()) == sum(normal.values())  # the other half went to the others
    assert plan.away[uid].startswith("away in the afternoon")


def test_the_campaign_tables_columns_say_who_is_away(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    people = eligible(config)
    name, uid = sorted(people.items())[2]
    table = demo_dir / "salesperson_campaigns.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    lines[0] += ",away_from,away_to"
    lines[1:] = [
        line + (f",{TODAY},{TODAY}" if line.startswith(f"{name},Voice") else ",,")
        for line in lines[1:]
    ]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    owners = local_owners(demo_dir)
    before = owners()
    plan = real_run(config, TODAY)
    assert moved(before, owners())[uid] == 0
    assert plan.away[uid].startswith("away all day (")


def test_nobody_there_leaves_every_lead_where_it_is(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    people = eligible(config)
    absences(config, *(f"{name},{TODAY},{TODAY}," for name in people))
    before = (demo_dir / "crm.sqlite").read_bytes()
    # The default fallback (when_no_salespeople_found: skip_distribution) skips the run.
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]) == 0
    out = capsys.readouterr()
    assert f"nobody of the campaign is available on {TODAY}" in out.out + out.err
    assert (demo_dir / "crm.sqlite").read_bytes() == before
    # generate_warning: the run goes on, and the leads stay with their reason.
    configure(
        config,
        {},
        error_handling={"fallback_strategies": {"when_no_salespeople_found": "generate_warning"}},
    )
    outcome = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5)
    )
    assert outcome.plan.assignments == ()
    assert outcome.plan.unassigned[NOBODY_AVAILABLE]
    assert any("nobody of the campaign is available" in w for w in outcome.plan.warnings)


def test_a_bad_absences_file_is_exit_2_naming_the_row_and_changes_nothing(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    absences(config, "Alice Smith,yesterday,,")
    before = (demo_dir / "crm.sqlite").read_bytes()
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]) == 2
    err = capsys.readouterr().err
    assert "absences.csv, line 2, from: 'yesterday' is not a date" in err
    assert (demo_dir / "crm.sqlite").read_bytes() == before
    (demo_dir / "absences.csv").unlink()
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]) == 2
    assert "absences file" in capsys.readouterr().err


def test_the_reports_say_who_is_away_and_unknown_names_are_warned(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    people = eligible(config)
    name = sorted(people)[0]
    absences(config, f"{name},{TODAY},{TODAY},morning", f"Nobody Atall,{TODAY},{TODAY},")
    # A name nobody has stops the run (exit 2) unless it is only to be warned about.
    args = ["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]
    assert main(args) == 2
    assert "'Nobody Atall' is neither a salesperson" in capsys.readouterr().err
    warn = {"absences_file": "absences.csv", "unknown_absentees": "warn"}
    configure(config, {}, salesperson_selection={"availability": warn})
    report = ["--report-format", "json", "--report-location", str(demo_dir / "reports")]
    assert main([*args, *report]) == 0
    out = capsys.readouterr().out
    assert f"{name}: away in the morning" in out
    said = " ".join(out.split())  # a long warning wraps
    assert "'Nobody Atall' is neither a salesperson of the salesperson source nor a CRM" in said
    (written,) = (demo_dir / "reports").glob("*.json")
    summary = json.loads(written.read_text())["salesperson_summary"]
    assert next(p for p in summary if p["name"] == name)["away"].startswith("away in the morning")
    assert sum(1 for p in summary if p["away"]) == 1


def install_availability(fake: FakeOdoo, people: dict[str, int], time_off: bool = True) -> None:
    """Odoo's own absence records for the four demo salespeople, as a CRM would hold them:
    the first opted out of assignment, the second on a validated afternoon off, the third
    with a leave on their calendar; the fourth's draft time off and time-off calendar entry
    do not count."""
    (a, a_id), (b, b_id), (c, c_id), (d, d_id) = sorted(people.items())
    day = TODAY.isoformat()
    fake.models["crm.team.member"] = {
        1: {"id": 1, "user_id": [a_id, a], "crm_team_id": [1, "Voice"],
            "assignment_optout": True, "active": True},
        2: {"id": 2, "user_id": [d_id, d], "crm_team_id": [1, "Voice"],
            "assignment_optout": False, "active": True},
    }  # fmt: skip
    fake.models["resource.resource"] = {
        7: {"id": 7, "name": c, "user_id": [c_id, c], "active": True},
        8: {"id": 8, "name": d, "user_id": [d_id, d], "active": True},
    }
    fake.models["resource.calendar.leaves"] = {
        1: {"id": 1, "resource_id": [7, c], "date_from": f"{TODAY - timedelta(days=2)} 07:00:00",
            "date_to": f"{day} 18:00:00", "holiday_id": False},
        2: {"id": 2, "resource_id": [8, d], "date_from": f"{day} 07:00:00",
            "date_to": f"{day} 18:00:00", "holiday_id": [3, "time off"] if time_off else False},
    }  # fmt: skip
    if time_off:
        fake.models["hr.leave"] = {
            1: {"id": 1, "user_id": [b_id, b], "state": "validate", "date_from": f"{day} 12:00:00",
                "date_to": f"{day} 16:00:00", "request_unit_half": True,
                "request_date_from_period": "pm", "active": True},
            3: {"id": 3, "user_id": [d_id, d], "state": "confirm", "date_from": f"{day} 07:00:00",
                "date_to": f"{day} 18:00:00", "request_unit_half": False,
                "request_date_from_period": "am", "active": True},
        }  # fmt: skip


def test_odoos_own_records_say_who_is_away_on_the_stand_in_odoo(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
) -> None:
    config, fake = odoo_demo
    people = eligible(config)
    normal = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5)
    ).plan.quotas
    install_availability(fake, people)
    configure(config, {}, salesperson_selection={"availability": {"from_crm": True}})
    owners = fake_owners(fake)
    before = owners()
    plan = real_run(config, TODAY)
    got = moved(before, owners())
    (_, a), (_, b), (_, c), (_, d) = sorted(people.items())
    # The flag in the server's own words: "Pause assignment" from Odoo 19 on.
    pause = "Pause assignment" if fake.version_major >= 19 else "Skip auto assignment"
    assert plan.away == {
        a: f"away all day (Odoo crm.team.member assignment_optout ({pause}))",
        b: "away in the afternoon (Odoo hr.leave (validated time off)): at most 0.5 of the share",
        c: "away all day (Odoo resource.calendar.leaves (a leave on the user's calendar))",
    }
    assert got[a] == got[c] == 0
    total = sum(normal.values())
    # Round robin between the two who are there, then half of the afternoon-off share.
    assert got[b] in {(total // 2) // 2, ((total + 1) // 2) // 2}
    assert got[b] + got[d] == total == sum(plan.received.values())


def test_without_time_off_installed_the_calendar_counts_every_leave(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
) -> None:
    config, fake = odoo_demo
    people = eligible(config)
    install_availability(fake, people, time_off=False)
    configure(config, {}, salesperson_selection={"availability": {"from_crm": True}})
    plan = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5)
    ).plan
    (_, a), (_, b), (_, c), (_, d) = sorted(people.items())
    # No hr.leave: the fourth's calendar entry is a leave like any other; nobody is half away.
    assert set(plan.away) == {a, c, d}
    assert plan.received[b] == len(plan.assignments) > 0


def test_odoos_records_on_the_local_store_are_refused_naming_the_key(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    configure(config, {}, salesperson_selection={"availability": {"from_crm": True}})
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]) == 2
    assert "salesperson_selection.availability.from_crm" in capsys.readouterr().err


def test_back_from_an_absence_catches_up_within_the_cap(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    people = eligible(config)
    name, uid = sorted(people.items())[0]
    monday = TODAY - timedelta(days=TODAY.weekday())
    absences(config, f"{name},{monday},{monday + timedelta(days=1)},")
    configure(
        config,
        {},
        salesperson_selection={
            "availability": {
                "absences_file": "absences.csv",
                "catch_up": "full",
                "catch_up_per_run": 3,
            }
        },
    )
    owners = local_owners(demo_dir)
    for offset in range(2):
        before = owners()
        plan = real_run(config, monday + timedelta(days=offset), force=True, seed=offset)
        assert moved(before, owners())[uid] == 0 and uid in plan.away
    # Back on Wednesday: owed the fair shares of Monday and Tuesday, at most 3 more today.
    before = owners()
    plan = real_run(config, monday + timedelta(days=2), force=True)
    got = moved(before, owners())
    note = plan.catch_up[uid]
    assert note.startswith("owed ") and "(full)" in note
    debt = int(note.split()[1])
    extra = int(note.rsplit(": ", 1)[1].split()[0])
    assert debt > 3 and 0 < extra <= 3
    assert got[uid] == plan.received[uid] and got[uid] >= extra
    # No burst: at most the equal share of the day's leads and the cap.
    assert got[uid] <= -(-sum(got.values()) // len(people)) + 3


def test_catch_up_without_a_history_is_refused_naming_the_key(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    configure(
        config,
        {},
        salesperson_selection={"availability": {"catch_up": "partial"}},
        tracking={"enabled": False},
    )
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]) == 2
    assert "salesperson_selection.availability.catch_up" in capsys.readouterr().err


def test_partial_catch_up_owes_its_fraction_of_what_full_owes(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    name, uid = sorted(eligible(config).items())[0]
    monday = TODAY - timedelta(days=TODAY.weekday())
    absences(config, f"{name},{monday},{monday + timedelta(days=1)},")
    for offset in range(2):
        real_run(config, monday + timedelta(days=offset), force=True, seed=offset)

    def debt(policy: str) -> int:
        settings = {"absences_file": "absences.csv", "catch_up": policy, "catch_up_fraction": 0.25}
        configure(config, {}, salesperson_selection={"availability": settings})
        plan = run_distribution(
            load_config(config),
            dry_run=True,
            options=RunOptions(today=monday + timedelta(days=2), seed=5),
        ).plan
        note = plan.catch_up[uid]
        assert f"({policy})" in note
        return int(note.split()[1])

    full, partial = debt("full"), debt("partial")
    assert full > 8 and abs(partial - full / 4) <= 1
