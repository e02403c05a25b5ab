"""``when_no_salespeople_found: assign_to_fallback_owner``: when nobody of the campaign can
receive leads (everyone away), they go to one named CRM user — checked in the CRM after real
runs on the local store and the stand-in Odoo of 17 and 19, through a saved plan applied
later, and refused with exit 2 when the configuration does not hold together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.pipeline.policy import FALLBACK_OWNER
from odoo_lead_manager.pipeline.strategies.engine import OVER_LIMIT, OWN_LEADS_ONLY
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_availability_runs import absences, eligible
from tests.e2e.test_caps_runs import configure, fake_owners, local_owners, moved, real_run
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the stand-in Odoo fixture)

PAT = 5  # Pat Adler: in the CRM and the Voice team, not a salesperson of the campaign


def fallback(config: Path, owner: Any = "Pat Adler", **more: Any) -> None:
    configure(
        config,
        {},
        error_handling={
            "fallback_strategies": {
                "when_no_salespeople_found": "assign_to_fallback_owner",
                "fallback_owner": owner,
                **more,
            }
        },
    )


def everyone_away(config: Path) -> None:
    absences(config, *(f"{name},{TODAY},{TODAY}," for name in eligible(config)))


def check_fallback_run(config: Path, owners: Any) -> Plan:
    everyone_away(config)
    fallback(config)
    before = owners()
    plan = real_run(config, TODAY)
    got = moved(before, owners())
    assert plan.strategy == FALLBACK_OWNER and plan.fallback_owner == PAT
    distributable = {a.lead_id for a in plan.assignments} | {
        i for ids in plan.unassigned.values() for i in ids
    }
    # Every distributable lead Pat did not hold is Pat's now, in the CRM; nobody else got any.
    assert got == {PAT: len(plan.assignments)} and plan.assignments
    assert set(plan.unassigned) <= {OWN_LEADS_ONLY}
    after = owners()
    assert all(after[i] == PAT for i in distributable)
    assert all(a.reason.startswith("fallback owner: every eligible salesperson is away")
               for a in plan.assignments)  # fmt: skip
    assert any("the leads go to the fallback owner Pat Adler" in w for w in plan.warnings)
    return plan


def test_nobody_there_sends_the_leads_to_the_fallback_owner(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    plan = check_fallback_run(config, local_owners(demo_dir))
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        given = store.read_leads([a.lead_id for a in plan.assignments])
    # Every owner field and the status reset, as for any salesperson's leads.
    assert {(x.user_id, x.open_user_id, x.closer_id, x.status) for x in given} == {
        (PAT, PAT, PAT, "New")
    }


def test_nobody_there_sends_the_leads_to_the_fallback_owner_on_the_stand_in_odoo(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
) -> None:
    config, fake = odoo_demo
    check_fallback_run(config, fake_owners(fake))


def test_someone_there_takes_the_leads_and_the_fallback_owner_none(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    fallback(config)
    owners = local_owners(demo_dir)
    before = owners()
    plan = real_run(config, TODAY)
    assert plan.fallback_owner is None and plan.strategy != FALLBACK_OWNER
    assert moved(before, owners())[PAT] == 0


def test_the_per_run_limit_holds_for_the_fallback_owner(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    everyone_away(config)
    fallback(config)
    plan = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5, max_leads=4)
    ).plan
    assert len(plan.assignments) == 4 and plan.unassigned[OVER_LIMIT]


def test_a_saved_plan_applies_only_to_the_fallback_owner_configured_now(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    everyone_away(config)
    fallback(config)
    saved = demo_dir / "plan.json"
    args = ["--config", str(config), "--today", str(TODAY), "--seed", "5"]
    assert main(["dailydist", *args, "--dry-run", "--plan-out", str(saved)]) == 0
    out = capsys.readouterr().out
    planned = json.loads(saved.read_text())
    assert "Fallback owner Pat Adler receives" in out
    # Another fallback owner configured since: the plan is refused, nothing changes.
    fallback(config, owner="Kevin Levonas")
    before = (demo_dir / "crm.sqlite").read_bytes()
    assert main(["apply", str(saved), "--config", str(config), "--accept-stale-plan"]) == 2
    err = capsys.readouterr().err
    assert f"Pat Adler (user {PAT}) receives the leads as the fallback owner" in err
    assert "names Kevin Levonas" in err
    assert (demo_dir / "crm.sqlite").read_bytes() == before
    # Back to Pat: applied, and the CRM holds what the plan said.
    fallback(config)
    owners = local_owners(demo_dir)
    held = {i for i, owner in owners().items() if owner == PAT}
    assert main(["apply", str(saved), "--config", str(config), "--accept-stale-plan"]) == 0
    now = {i for i, owner in owners().items() if owner == PAT}
    assert now - held == {a["lead_id"] for a in planned["assignments"]}


@pytest.mark.parametrize(
    ("section", "words"),
    [
        (
            {"when_no_salespeople_found": "assign_to_fallback_owner"},
            "assign_to_fallback_owner needs fallback_owner",
        ),
        (
            {"fallback_owner": "Pat Adler"},
            "fallback_owner is only used with when_no_salespeople_found",
        ),
        (
            {"when_no_salespeople_found": "assign_to_fallback_owner", "fallback_owner": ""},
            "fallback_owner",
        ),
    ],
)
def test_a_fallback_owner_half_configured_is_exit_2(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], section: dict[str, Any], words: str
) -> None:
    config = demo_dir / "config.yaml"
    data = yaml.safe_load(config.read_text())
    data["error_handling"] = {"fallback_strategies": section}
    config.write_text(yaml.safe_dump(data))
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "error_handling.fallback_strategies" in err and words in err


@pytest.mark.parametrize(
    ("owner", "words"),
    [
        ("Nobody Atall", "no active CRM users are named 'Nobody Atall'"),
        ("Frank Miller", "no active CRM users are named 'Frank Miller'"),  # archived
    ],
)
def test_an_unknown_fallback_owner_is_exit_2_even_when_everyone_is_there(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], owner: str, words: str
) -> None:
    config = demo_dir / "config.yaml"
    fallback(config, owner=owner)
    before = (demo_dir / "crm.sqlite").read_bytes()
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]) == 2
    err = capsys.readouterr().err
    assert "error_handling.fallback_strategies.fallback_owner" in err and words in err
    assert (demo_dir / "crm.sqlite").read_bytes() == before
