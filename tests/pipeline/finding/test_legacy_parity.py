"""examples/legacy_utr.yaml finds exactly what the R function m_leadsActivesalesguys finds."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.commands.running import build_plan
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Lead, Team, User
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.snapshot.options import RunOptions

EXAMPLE = Path(__file__).parents[3] / "examples" / "legacy_utr.yaml"
TODAY = date(2024, 6, 14)
EXCLUDED = {"Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"}
ACTIVE_STATUSES = ["Utr", "Call Back"]
INACTIVE_STATUSES = ["Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New"]

USERS = (
    User(1, "Administrator", "admin"),
    User(2, "Drew Cox", "drew"),
    User(3, "Patrick Adler", "patrick"),
    User(4, "Marc Spiegel", "marc"),
    User(10, "Alice Smith", "alice", team_id=1),
    User(11, "Bob Johnson", "bob", team_id=1),
    User(14, "Eve Davis", "eve", team_id=1),
    User(15, "Frank Miller", "frank", active=False, team_id=1),
    User(30, "Oscar Outsider", "oscar"),
)
# (name, campaign table's active flag): Frank is active in the table but archived in the CRM.
TABLE = (
    ("Administrator", True), ("Drew Cox", True), ("Alice Smith", True),
    ("Bob Johnson", True), ("Eve Davis", False), ("Frank Miller", True),
)  # fmt: skip
NAMES = {u.id: u.name for u in USERS}

DATES = (TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=30),
         TODAY - timedelta(days=31), TODAY + timedelta(days=2), None)  # fmt: skip
STATUSES = ("Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New",
            "utr", "Won", None)  # fmt: skip
DEADLINES = (None, TODAY - timedelta(days=5), TODAY - timedelta(days=4), TODAY,
             TODAY + timedelta(days=3))  # fmt: skip
OWNERS = (10, 14, 15, 2, 30, None)


def boundary_leads() -> list[Lead]:
    """Every combination of owner, date, status and deadline at the R function's boundaries.

    ``user_id`` is always Bob: the R function reads ``open_user_id``.
    """
    combos = itertools.product(OWNERS, DATES, STATUSES, DEADLINES)
    return [
        Lead(
            number,
            f"L{number}",
            status=status,
            source_date=day,
            open_user_id=owner,
            user_id=11,
            activity_date_deadline=deadline,
        )
        for number, (owner, day, status, deadline) in enumerate(combos, start=1)
    ]


def m_leads_active_salesguys(
    table: Iterable[tuple[str, bool]], leads: Iterable[Lead], x: bool, stts: list[str]
) -> set[int]:
    """The R function, line by line (lowerlimit 0, upperlimit 30)."""
    firstresults = {name for name, active in table if name not in EXCLUDED and active == x}
    same_day2 = [x_ for x_ in leads if NAMES.get(x_.open_user_id or 0) in firstresults]
    # dplyr's filter drops rows where the condition is NA.
    same_day2 = [
        x_ for x_ in same_day2
        if x_.source_date is not None
        and x_.source_date < TODAY - timedelta(days=0)
        and x_.source_date >= TODAY - timedelta(days=30)
    ]  # fmt: skip
    same_day2 = [x_ for x_ in same_day2 if x_.status in stts]
    same_day2 = [
        x_ for x_ in same_day2
        if x_.activity_date_deadline is None
        or x_.activity_date_deadline < TODAY - timedelta(days=4)
    ]  # fmt: skip
    return {x_.id for x_ in same_day2 if x_.source_date is not None}


@pytest.fixture
def legacy_plan(tmp_path: Path) -> tuple[Plan, list[Lead]]:
    leads = boundary_leads()
    with LocalStore.create(tmp_path / "crm.sqlite") as store:
        store.add_teams([Team(1, "Voice")])
        store.add_users(USERS)
        store.add_leads(leads)
    rows = "\n".join(f"{name},Voice,{'True' if active else 'False'}" for name, active in TABLE)
    (tmp_path / "campaigns.csv").write_text(f"salesperson_name,campaign_name,active\n{rows}\n")
    text = EXAMPLE.read_text().replace("../demo/crm.sqlite", "crm.sqlite")
    (tmp_path / "legacy.yaml").write_text(
        text.replace("../demo/salesperson_campaigns.csv", "campaigns.csv")
    )
    loaded = load_config(tmp_path / "legacy.yaml")
    with LocalStore.open(tmp_path / "crm.sqlite") as store:
        plan = build_plan(loaded, store, RunOptions(today=TODAY, seed=1))
    return plan, leads


def found(plan: Plan) -> set[int]:
    return {a.lead_id for a in plan.assignments} | {
        i for ids in plan.unassigned.values() for i in ids
    }


def test_the_example_finds_what_the_r_function_finds(legacy_plan: tuple[Plan, list[Lead]]) -> None:
    plan, leads = legacy_plan
    expected = m_leads_active_salesguys(TABLE, leads, True, ACTIVE_STATUSES)
    expected |= m_leads_active_salesguys(TABLE, leads, False, INACTIVE_STATUSES)
    assert found(plan) == expected
    assert plan.distributable == len(expected) > 0


def _one(leads: list[Lead], **wanted: object) -> int:
    matches = [x for x in leads if all(getattr(x, k) == v for k, v in wanted.items())]
    assert len(matches) == 1
    return matches[0].id


@pytest.mark.parametrize(
    ("wanted", "is_found"),
    [
        ({"source_date": TODAY}, False),  # source_date < today
        ({"source_date": TODAY - timedelta(days=1)}, True),
        ({"source_date": TODAY - timedelta(days=30)}, True),  # >= today - 30
        ({"source_date": TODAY - timedelta(days=31)}, False),
        ({"source_date": None}, False),
        ({"activity_date_deadline": TODAY - timedelta(days=5)}, True),
        ({"activity_date_deadline": TODAY - timedelta(days=4)}, False),  # exactly four days ago
        ({"activity_date_deadline": TODAY + timedelta(days=3)}, False),
        ({"status": "utr"}, False),  # %in% is case-sensitive
        ({"status": "Full Pitch Follow Up "}, False),  # only for inactive salespeople
        ({"open_user_id": 14, "status": "Full Pitch Follow Up "}, True),
        ({"open_user_id": 14, "status": "New"}, True),
        ({"open_user_id": 15, "status": "New"}, False),  # table-active, though archived
        ({"open_user_id": 15, "status": "Utr"}, True),
        ({"open_user_id": 2, "status": "Utr"}, False),  # an excluded user
        ({"open_user_id": 30, "status": "Utr"}, False),  # not in the campaign
    ],
)
def test_boundaries(
    legacy_plan: tuple[Plan, list[Lead]], wanted: dict[str, object], is_found: bool
) -> None:
    plan, leads = legacy_plan
    base: dict[str, object] = {
        "open_user_id": 10,
        "source_date": TODAY - timedelta(days=1),
        "status": "Utr",
        "activity_date_deadline": None,
    }
    lead_id = _one(leads, **{**base, **wanted})
    assert (lead_id in found(plan)) is is_found
