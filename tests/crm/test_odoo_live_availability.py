"""Who Odoo says is away (``availability.from_crm``), against a real Odoo when
ODLM_TEST_ODOO_* names one: a team member who skips auto assignment, validated time off
(a whole day and an afternoon), a draft request that does not count, and a leave entered
on a user's calendar. The test makes its own users, employees, team and leave type, with
unique names, and removes them afterwards; a CRM full of data does not disturb it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from odoo_lead_manager.crm.odoo.connect import resolve_fields
from odoo_lead_manager.domain.model import Absence
from odoo_lead_manager.pipeline.selection.absences import crm_absences
from tests.crm.test_odoo_live import (
    MISSING,
    Server,
    live,  # noqa: F401  (the live server's seed, for the field mapping)
    live_store,
    unique_login,
    unique_name,
    user_groups,
)

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"no Odoo to test against: set {', '.join(MISSING)}"
)

# A Wednesday well ahead, so that no real leave of the test users' calendar interferes.
DAY = date.today() + timedelta(days=60 + (2 - (date.today() + timedelta(days=60)).weekday()) % 7)
NAMES = ("Optout Olga", "Leave Liam", "Half Hana", "Draft Dora", "Calendar Carl", "Here Hugo")


@pytest.fixture(scope="module")
def away_setup(live: Any) -> Iterator[tuple[Any, dict[str, int]]]:  # noqa: F811
    connection, _, mapping = live
    transport = connection.transport
    server = Server(transport)
    approved: list[int] = []
    try:
        salesperson = user_groups(transport, True)
        users = {
            name: server.create_users(
                [{"name": unique_name(name), "login": unique_login(name.replace(" ", ".")),
                  **salesperson}]
            )[0]
            for name in NAMES
        }  # fmt: skip
        team = server.create("crm.team", [{"name": unique_name("Away team")}])[0]
        server.create(
            "crm.team.member",
            [
                {"crm_team_id": team, "user_id": users[name], "assignment_optout": name == NAMES[0]}
                for name in NAMES
            ],
        )
        employees = {
            name: server.create(
                "hr.employee", [{"name": unique_name(name), "user_id": users[name]}]
            )[0]
            for name in NAMES
        }
        # "No allocation needed": a selection "no" up to 18, a boolean False on 19.
        allocation = transport.call(
            "hr.leave.type", "fields_get", None, allfields=["requires_allocation"]
        )["requires_allocation"]
        needs = False if allocation["type"] == "boolean" else "no"
        kind = server.create(
            "hr.leave.type",
            [{"name": unique_name("odlm leave"), "requires_allocation": needs,
              "request_unit": "half_day", "leave_validation_type": "hr"}],
        )[0]  # fmt: skip

        def leave(name: str, **values: Any) -> int:
            return server.create(
                "hr.leave",
                [{"holiday_status_id": kind, "employee_id": employees[name],
                  "request_date_from": str(DAY), "request_date_to": str(DAY), **values}],
                {"leave_skip_state_check": True, "tracking_disable": True},
            )[0]  # fmt: skip

        whole = leave(NAMES[1], request_date_from=str(DAY - timedelta(days=1)))
        half = leave(NAMES[2], request_unit_half=True, request_date_from_period="pm")
        leave(NAMES[3])  # submitted, not approved: does not count
        transport.call("hr.leave", "action_validate", [whole, half])
        approved += [whole, half]
        resource = transport.call(
            "hr.employee", "read", [employees[NAMES[4]]], fields=["resource_id"]
        )[0]["resource_id"][0]
        server.create(
            "resource.calendar.leaves",
            [{"name": unique_name("calendar leave"), "resource_id": resource,
              "date_from": f"{DAY} 06:00:00", "date_to": f"{DAY} 17:00:00"}],
        )  # fmt: skip
        fields, problems = resolve_fields(transport, mapping)
        assert problems == []
        yield live_store(connection, fields), users
    finally:
        # Odoo deletes no approved time off: refused and back to draft first.
        if approved:
            transport.call("hr.leave", "action_refuse", approved)
            transport.call("hr.leave", "action_draft", approved)
        server.cleanup()


def test_odoo_says_who_is_away(away_setup: tuple[Any, dict[str, int]]) -> None:
    store, users = away_setup
    people = {uid: name for name, uid in users.items()}
    found = {(a.name, a.part, a.where) for a in crm_absences(store, people, DAY)}
    assert found == {
        (NAMES[0], "full", "Odoo crm.team.member assignment_optout (Skip auto assignment)"),
        (NAMES[1], "full", "Odoo hr.leave (validated time off)"),
        (NAMES[2], "afternoon", "Odoo hr.leave (validated time off)"),
        (NAMES[4], "full", "Odoo resource.calendar.leaves (a leave on the user's calendar)"),
    }
    assert all(
        isinstance(a, Absence) and a.start == a.end == DAY for a in crm_absences(store, people, DAY)
    )
    # The day after, only the opt-out remains.
    later = crm_absences(store, people, DAY + timedelta(days=1))
    assert {a.name for a in later} == {NAMES[0]}
