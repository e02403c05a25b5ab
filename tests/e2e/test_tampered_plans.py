"""`odlm apply` trusts nothing in a plan file it can check before writing.

Every refusal: exit status 2, one message naming the file, nothing journalled
(the run is unknown to the journal afterwards), and the CRM unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.state.tracking import open_tracking
from tests.apply.faults import Fault, FaultyStore, Killed

ALL = [("active", "in", [True, False])]
Plan = dict[str, Any]


def crm(directory: Path) -> dict[int, Lead]:
    with LocalStore.open(directory / "crm.sqlite") as store:
        return {lead.id: lead for lead in store.search_leads(ALL)}


def user_id(directory: Path, name: str) -> int:
    with LocalStore.open(directory / "crm.sqlite") as store:
        (user,) = store.find_users([name])
        return user.id


def journalled(directory: Path, run_id: str) -> bool:
    tracking = open_tracking(tracking_settings(load_config(directory / "config.yaml")))
    try:
        return tracking.journal.run(run_id) is not None
    finally:
        tracking.close()


@pytest.fixture
def saved(todays_demo_dir: Path, tmp_path: Path) -> tuple[Path, Path, Plan]:
    """Today's demo, and a dry run's plan saved for `odlm apply`."""
    config, plan_file = todays_demo_dir / "config.yaml", tmp_path / "plan.json"
    assert (
        main(["dailydist", "--config", str(config), "--dry-run", "--plan-out", str(plan_file)]) == 0
    )
    return todays_demo_dir, plan_file, json.loads(plan_file.read_text())


def to_other_user(name: str) -> Callable[[Path, Plan], None]:
    """The first write group sent to ``name`` (the assignments left as they were)."""

    def tamper(directory: Path, plan: Plan) -> None:
        other = user_id(directory, name)
        for field in ("user_id", "open_user_id", "closer_id"):
            plan["writes"][0]["values"][field] = other

    return tamper


def everything_to(user: int | str) -> Callable[[Path, Plan], None]:
    """Writes, assignments and salespeople all edited to agree on another recipient."""

    def tamper(directory: Path, plan: Plan) -> None:
        other = user if isinstance(user, int) else user_id(directory, user)
        first = plan["writes"][0]
        before = first["values"]["user_id"]
        for field in ("user_id", "open_user_id", "closer_id"):
            first["values"][field] = other
        ids = set(first["lead_ids"])
        for assignment in plan["assignments"]:
            if assignment["lead_id"] in ids:
                assignment["user_id"] = other
        for person in plan["salespeople"]:
            if person["user_id"] == before:
                person["user_id"] = other
        workload = plan["workloads"].pop(str(before))
        plan["workloads"][str(other)] = {**workload, "user_id": other}

    return tamper


def extra_field(directory: Path, plan: Plan) -> None:
    plan["writes"][0]["values"]["priority"] = 3


def other_status(directory: Path, plan: Plan) -> None:
    plan["writes"][0]["values"]["status"] = "Won"


def unassigned_lead(directory: Path, plan: Plan) -> None:
    spare = max(crm(directory)) + 0
    held = {lead for group in plan["writes"] for lead in group["lead_ids"]}
    assert spare not in held
    plan["writes"][0]["lead_ids"].append(spare)
    plan["seen_write_dates"][str(spare)] = None
    plan["seen_owners"][str(spare)] = None


def written_twice(directory: Path, plan: Plan) -> None:
    plan["writes"][1]["lead_ids"].append(plan["writes"][0]["lead_ids"][0])


def old_format(directory: Path, plan: Plan) -> None:
    plan["format_version"] = 0


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (to_other_user("Gina Wilson"), "is assigned to user"),
        (to_other_user("Drew Cox"), "but written to user"),
        (everything_to("Gina Wilson"), ") is not eligible for campaign Voice"),
        (everything_to(99_999), "user 99999 does not exist in the CRM"),
        (extra_field, "writes field(s) the configuration does not: priority"),
        (other_status, "sets status 'Won', not the configured distribution.status_reset 'New'"),
        (unassigned_lead, "is written but not assigned"),
        (written_twice, "is written twice"),
        (old_format, "the plan has format 0"),
    ],
    ids=["writes-to-apple", "writes-to-excluded", "all-to-apple", "all-to-nobody",
         "extra-field", "other-status", "unassigned-lead", "twice", "old-format"],
)  # fmt: skip
def test_a_tampered_plan_is_refused_before_anything_is_journalled(
    saved: tuple[Path, Path, Plan],
    capsys: pytest.CaptureFixture[str],
    tamper: Callable[[Path, Plan], None],
    message: str,
) -> None:
    directory, plan_file, plan = saved
    tamper(directory, plan)
    plan_file.write_text(json.dumps(plan))
    before = crm(directory)
    capsys.readouterr()
    assert main(["apply", str(plan_file), "--config", str(directory / "config.yaml")]) == 2
    err = capsys.readouterr().err
    assert message in err and str(plan_file) in err and "nothing was changed" in err
    assert "Traceback" not in err
    assert crm(directory) == before
    assert not journalled(directory, plan["run_id"])


def test_edited_salespeople_are_checked_in_the_crm(
    saved: tuple[Path, Path, Plan], capsys: pytest.CaptureFixture[str]
) -> None:
    # Forced past the configuration check, a recipient must still be a CRM user
    # who may own leads: not one nobody knows, nor an archived one.
    directory, plan_file, original = saved
    config = str(directory / "config.yaml")
    with closing(sqlite3.connect(directory / "crm.sqlite")) as db, db:
        db.execute("UPDATE res_users SET active = 0 WHERE name = 'Jack Lewis'")
    before = crm(directory)
    for recipient, message in [
        (99_999, "user 99999 does not exist in the CRM"),
        ("Jack Lewis", "Jack Lewis (user 23) is archived in the CRM"),
    ]:
        plan = json.loads(json.dumps(original))
        everything_to(recipient)(directory, plan)
        plan_file.write_text(json.dumps(plan))
        capsys.readouterr()
        assert main(["apply", str(plan_file), "--config", config, "--accept-stale-plan"]) == 2
        err = capsys.readouterr().err
        assert message in err and "nothing was changed" in err
        assert crm(directory) == before
        assert not journalled(directory, plan["run_id"])


def test_a_plan_made_under_another_configuration_needs_force(
    saved: tuple[Path, Path, Plan], capsys: pytest.CaptureFixture[str]
) -> None:
    directory, plan_file, plan = saved
    config = directory / "config.yaml"
    config.write_text(config.read_text().replace("batch_size: 200", "batch_size: 150"))
    before = crm(directory)
    capsys.readouterr()
    assert main(["apply", str(plan_file), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "the plan was made under another configuration" in err and "--accept-stale-plan" in err
    assert crm(directory) == before and not journalled(directory, plan["run_id"])
    assert main(["apply", str(plan_file), "--config", str(config), "--accept-stale-plan"]) == 0
    after = crm(directory)
    for group in plan["writes"]:
        for lead_id in group["lead_ids"]:
            assert after[lead_id].user_id == group["values"]["user_id"]


def test_a_description_or_report_option_does_not_make_a_plan_stale(
    saved: tuple[Path, Path, Plan], tmp_path: Path
) -> None:
    directory, plan_file, plan = saved
    config = directory / "config.yaml"
    config.write_text(config.read_text().replace("Demo of the Voice", "The Voice"))
    reports = tmp_path / "reports"
    args = ["apply", str(plan_file), "--config", str(config), "--report-location", str(reports)]
    assert main(args) == 0
    assert journalled(directory, plan["run_id"])


def test_another_file_with_a_journalled_run_id_is_refused(
    saved: tuple[Path, Path, Plan], capsys: pytest.CaptureFixture[str]
) -> None:
    # Killed after its first batch, the run is in the journal with its plan; a
    # different plan under the same run id must not resume it.
    directory, plan_file, plan = saved
    loaded = load_config(directory / "config.yaml")
    from odoo_lead_manager.commands.apply import apply_saved_plan

    with (
        LocalStore.open(directory / "crm.sqlite") as store,
        pytest.raises(Killed),
    ):
        dying = FaultyStore(store, [Fault("write_leads", 1, "after", Killed())])
        apply_saved_plan(loaded, plan_file, store=dying)
    assert journalled(directory, plan["run_id"])
    halfway = crm(directory)
    first, second = plan["writes"][0], plan["writes"][1]
    first["lead_ids"], second["lead_ids"] = second["lead_ids"], first["lead_ids"]
    moved = {lead: a["user_id"] for a in plan["assignments"] for lead in [a["lead_id"]]}
    for assignment in plan["assignments"]:
        if assignment["lead_id"] in first["lead_ids"]:
            assignment["user_id"] = first["values"]["user_id"]
        elif assignment["lead_id"] in second["lead_ids"]:
            assignment["user_id"] = second["values"]["user_id"]
    assert moved != {a["lead_id"]: a["user_id"] for a in plan["assignments"]}
    plan_file.write_text(json.dumps(plan))
    capsys.readouterr()
    assert main(["apply", str(plan_file), "--config", str(directory / "config.yaml")]) == 2
    err = capsys.readouterr().err
    assert "holds another plan with run id" in err and "nothing was changed" in err
    assert crm(directory) == halfway
