"""Caps over time in real runs: what each salesperson ends up receiving in the CRM, counted
from the history of earlier runs (forced second runs, undone runs and dry runs), on the
local store and on the stand-in Odoo of 17 and 19."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.undo import undo
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.pipeline.strategies.balancing import OVER_MAXIMUM
from odoo_lead_manager.pipeline.strategies.caps import AT_CAP
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the stand-in Odoo fixture)

Owners = Mapping[int, int | None]


def configure(config: Path, distribution: Mapping[str, Any], **sections: Any) -> None:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["distribution"].update(distribution)
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def local_owners(demo_dir: Path) -> Callable[[], Owners]:
    def read() -> Owners:
        with LocalStore.open(demo_dir / "crm.sqlite") as store:
            return {
                lead.id: lead.user_id for lead in store.search_leads([("active", "in", [True])])
            }

    return read


def fake_owners(fake: FakeOdoo) -> Callable[[], Owners]:
    def read() -> Owners:
        def uid(value: Any) -> int | None:
            if isinstance(value, list | tuple):
                return int(value[0])
            return int(value) if value else None

        return {lid: uid(r.get("user_id")) for lid, r in fake.models["crm.lead"].items()}

    return read


def moved(before: Owners, after: Owners) -> Counter[int]:
    """Leads each user holds now that someone else held before: what the CRM says they got."""
    return Counter(
        owner for lead, owner in after.items() if owner is not None and before.get(lead) != owner
    )


def real_run(config: Path, day: date, force: bool = False, seed: int = 5) -> Plan:
    outcome = run_distribution(
        load_config(config), dry_run=False, options=RunOptions(today=day, seed=seed), force=force
    )
    assert outcome.applied is not None and outcome.applied.complete
    return outcome.plan


def check_day_cap_over_two_runs(config: Path, owners: Callable[[], Owners]) -> None:
    configure(config, {"caps": {"default": {"per_day": 5}}})
    start = owners()
    first = real_run(config, TODAY)
    after_first = owners()
    got = moved(start, after_first)
    people = {p.user_id for p in first.salespeople}
    assert got and all(got[uid] <= 5 for uid in people)
    assert {uid: n for uid, n in first.received.items() if n} == {
        uid: got[uid] for uid in people if got[uid]
    }
    # Everyone the cap held back is named, with the cap and what the day held before.
    assert first.capped and all(
        why == "per_day cap 5: 0 received today" for why in first.capped.values()
    )
    # A forced second run the same day counts the first run's leads.
    second = real_run(config, TODAY, force=True)
    again = moved(after_first, owners())
    for uid in people:
        assert got[uid] + again[uid] <= 5
    full = [uid for uid in people if got[uid] == 5]
    assert all(second.capped[uid] == "per_day cap 5: 5 received today" for uid in full)
    if all(got[uid] == 5 for uid in people):
        assert sum(again.values()) == 0
        assert AT_CAP in second.unassigned


def test_a_day_cap_holds_over_two_runs_of_the_day_in_the_crm(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    check_day_cap_over_two_runs(config, local_owners(demo_dir))


def test_a_capped_run_replays_as_recorded_from_its_snapshot(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    configure(config, {"caps": {"default": {"per_day": 3}}})
    real_run(config, TODAY)
    second = real_run(config, TODAY, force=True)
    assert second.capped  # planned with the first run's receipts in its snapshot
    # The history has moved on (a third run); the replay still uses what was recorded.
    real_run(config, TODAY, force=True)
    assert main(["replay", second.run_id, "--config", str(config)]) == 0


def test_a_day_cap_holds_over_two_runs_on_the_stand_in_odoo(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
) -> None:
    config, fake = odoo_demo
    check_day_cap_over_two_runs(config, fake_owners(fake))


def test_dry_runs_and_undone_runs_do_not_count(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    configure(config, {"caps": {"default": {"per_day": 4}}})
    owners = local_owners(demo_dir)
    outcome = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5)
    )
    assert outcome.plan.received and max(outcome.plan.received.values()) == 4
    start = owners()
    first = real_run(config, TODAY)
    assert max(moved(start, owners()).values()) == 4  # the dry run counted for nothing
    undo(load_config(config), first.run_id)
    assert owners() == start
    second = real_run(config, TODAY, force=True)
    got = moved(start, owners())
    assert max(got.values()) == 4  # the undone leads counted for nothing either
    assert all(why.endswith(": 0 received today") for why in second.capped.values())


def test_a_week_cap_spreads_over_the_days_of_the_week(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    configure(config, {"caps": {"default": {"per_day": 5, "per_week": 8}}})
    owners = local_owners(demo_dir)
    monday = TODAY - timedelta(days=TODAY.weekday())
    totals: Counter[int] = Counter()
    daily = []
    for offset in range(3):
        before = owners()
        plan = real_run(config, monday + timedelta(days=offset), force=True, seed=offset)
        got = moved(before, owners())
        totals.update(got)
        daily.append(got)
    people = {p.user_id for p in plan.salespeople}
    assert all(totals[uid] <= 8 for uid in people)
    assert all(day[uid] <= 5 for day in daily for uid in people)
    # The next Monday is a new week.
    before = owners()
    plan = real_run(config, monday + timedelta(days=7), force=True)
    assert all(why.startswith("per_day") for why in plan.capped.values())
    assert all(moved(before, owners())[uid] <= 5 for uid in people)


def test_the_weekend_counts_toward_monday_when_configured(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    balancing = {"enabled": True, "max_daily_distribution": 3, "consider_weekend_workload": True}
    configure(config, {"advanced_rules": {"workload_balancing": balancing}})
    owners = local_owners(demo_dir)
    saturday = date(2024, 6, 15)
    start = owners()
    plan = real_run(config, saturday)
    weekend = moved(start, owners())
    people = {p.user_id for p in plan.salespeople}
    assert all(weekend[uid] == 3 for uid in people)
    before = owners()
    monday = real_run(config, saturday + timedelta(days=2))
    # Each already had the day's 3 over the weekend: Monday hands them nothing.
    assert sum(moved(before, owners()).values()) == 0
    assert OVER_MAXIMUM in monday.unassigned


def test_without_the_weekend_setting_monday_starts_afresh(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    balancing = {"enabled": True, "max_daily_distribution": 3}
    configure(config, {"advanced_rules": {"workload_balancing": balancing}})
    owners = local_owners(demo_dir)
    real_run(config, date(2024, 6, 15))
    before = owners()
    plan = real_run(config, date(2024, 6, 17))
    got = moved(before, owners())
    assert all(got[p.user_id] == 3 for p in plan.salespeople)


@pytest.mark.parametrize(
    ("distribution", "key"),
    [
        ({"caps": {"default": {"per_day": 5}}}, "distribution.caps"),
        (
            {"advanced_rules": {"workload_balancing": {"consider_weekend_workload": True}}},
            "distribution.advanced_rules.workload_balancing.consider_weekend_workload",
        ),
    ],
)
def test_caps_without_a_history_are_refused_with_their_key(
    demo_dir: Path,
    distribution: Mapping[str, Any],
    key: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = demo_dir / "config.yaml"
    configure(config, distribution, tracking={"enabled": False})
    before = (demo_dir / "crm.sqlite").read_bytes()
    status = main(["dailydist", "--config", str(config), "--today", str(TODAY)])
    assert status == 2
    err = capsys.readouterr().err
    assert key in err and "tracking.enabled" in err
    assert (demo_dir / "crm.sqlite").read_bytes() == before


def test_the_reports_name_who_a_cap_held_back(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    configure(config, {"caps": {"salespeople": {"Alice Smith": {"per_run": 2}}}})
    status = main(
        [
            "dailydist",
            "--config",
            str(config),
            "--today",
            str(TODAY),
            "--dry-run",
            "--seed",
            "5",
            "--report-format",
            "json",
            "--report-location",
            str(demo_dir),
        ]
    )
    assert status == 0
    assert "Alice Smith: held back by per_run cap 2" in capsys.readouterr().out
    (written,) = demo_dir.glob("*.json")

    people = json.loads(written.read_text())["salesperson_summary"]
    alice = next(p for p in people if p["name"] == "Alice Smith")
    assert alice["held_back_by_cap"] == "per_run cap 2"
    assert alice["leads_received"] == 2
    assert all(p["held_back_by_cap"] is None for p in people if p["name"] != "Alice Smith")
