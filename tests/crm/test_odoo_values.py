"""Odoo's payloads, exactly as the server sends them, into domain values and back."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from odoo_lead_manager.config.fields import FieldMap, configured_mapping
from odoo_lead_manager.crm.odoo.values import lead_from_record, odoo_domain, state_reader
from odoo_lead_manager.domain.model import Lead, write_stamp
from odoo_lead_manager.errors import CrmError
from tests.crm.fake_odoo import LEAD_FIELDS

# A crm.lead record as Odoo 17 returns it from search_read.
RECORD = {
    "id": 4711,
    "name": "Jane Doe - Acme",
    "type": "lead",
    "active": True,
    "status": "Full Pitch Follow Up ",
    "stage_id": [1, "New"],
    "source_date": "2024-05-03",
    "create_date": "2024-05-03 08:15:00",
    "write_date": "2024-06-01 17:45:12",
    "user_id": [7, "Alice Smith"],
    "open_user_id": [7, "Alice Smith"],
    "closer_id": False,
    "team_id": [1, "Voice"],
    "source_id": [3, "Facebook Ads"],
    "campaign_id": False,
    "tag_ids": [5, 2],
    "partner_id": [88, "Acme"],
    "email_from": "jane@acme.example",
    "phone": False,
    "priority": "2",
    "activity_date_deadline": False,
}
STOCK_FIELDS = {
    **{
        k: v
        for k, v in LEAD_FIELDS.items()
        if k not in ("status", "source_date", "open_user_id", "closer_id")
    },
}


def mapping(**overrides: str | None) -> FieldMap:
    fields, problems = FieldMap.resolve(configured_mapping(overrides), LEAD_FIELDS)
    assert problems == []
    return fields


def test_record_to_lead() -> None:
    lead = lead_from_record(RECORD, mapping(), {2: "VIP", 5: "DNC"})
    assert lead == Lead(
        id=4711, name="Jane Doe - Acme", type="lead", active=True,
        status="Full Pitch Follow Up ", stage="New", source_date=date(2024, 5, 3),
        create_date=datetime(2024, 5, 3, 8, 15), write_date=datetime(2024, 6, 1, 17, 45, 12),
        user_id=7, open_user_id=7, closer_id=None, team_id=1, source="Facebook Ads",
        campaign=None, tags=("DNC", "VIP"), partner_id=88, email="jane@acme.example",
        phone=None, priority=2, activity_date_deadline=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "record",
    [
        RECORD,
        # Odoo's empties and bare ids (load=''), as read-backs ask for them.
        {**RECORD, "user_id": 9, "open_user_id": False, "team_id": None, "status": False,
         "priority": False, "write_date": "2024-06-01 17:45:12.25", "stage_id": 2},
    ],
)  # fmt: skip
def test_state_reader_gives_what_the_lead_reader_gives(record: dict[str, object]) -> None:
    # The re-check compares these states with values planned from `Lead`s: both readers
    # must agree on every field, empties and unmapped fields included.
    fields = mapping(closer_id=None)
    names = ["user_id", "open_user_id", "closer_id", "team_id", "status", "priority"]
    state = state_reader(fields, names)(record)
    lead = lead_from_record(record, fields, {})
    assert state == {
        **{name: getattr(lead, name) for name in names},
        "write_date": write_stamp(lead.write_date),
    }
    assert state["closer_id"] is None  # unmapped: the Lead default
    # One reader for a whole read-back: each record gets a state of its own.
    read = state_reader(fields, names)
    first, second = read(record), read({**record, "user_id": 11})
    assert first == state
    assert second == {**state, "user_id": 11}


def test_empty_char_is_not_unset() -> None:
    lead = lead_from_record({**RECORD, "status": ""}, mapping(), {})
    assert lead.status == ""


def test_stock_odoo_mapping_reads_stage_and_create_date() -> None:
    fields, problems = FieldMap.resolve(
        configured_mapping(
            {
                "status": "stage_id",
                "source_date": "create_date",
                "open_user_id": None,
                "closer_id": None,
            }
        ),
        STOCK_FIELDS,
    )
    assert problems == []
    record = {
        k: v
        for k, v in RECORD.items()
        if k not in ("status", "source_date", "open_user_id", "closer_id")
    }
    lead = lead_from_record(record, fields, {})
    assert (lead.status, lead.source_date, lead.open_user_id) == ("New", date(2024, 5, 3), None)
    assert odoo_domain([("status", "in", ["New", "Utr"])], fields) == [
        ("stage_id.name", "in", ["New", "Utr"])
    ]
    assert odoo_domain([("source_date", ">=", date(2024, 5, 1))], fields) == [
        ("create_date", ">=", "2024-05-01")
    ]


def test_matching_fields_are_read_only_where_mapped() -> None:
    assert "country_id" not in mapping().odoo_names()  # a stock Odoo lead has no such need
    server = {
        **LEAD_FIELDS,
        "country_id": {"type": "many2one", "relation": "res.country"},
        "x_skills": {"type": "char"},
        "x_timezone": {"type": "selection"},
    }
    fields, problems = FieldMap.resolve(
        configured_mapping({"region": "country_id", "skill": "x_skills", "timezone": "x_timezone"}),
        server,
    )
    assert problems == []
    record = {
        **RECORD,
        "country_id": [75, "France"],
        "x_skills": "enterprise_sales; technical_knowledge",
        "x_timezone": "Europe/Paris",
    }
    lead = lead_from_record(record, fields, {})
    assert lead.skills == ("enterprise_sales", "technical_knowledge")
    assert (lead.region, lead.timezone) == ("France", "Europe/Paris")
    assert odoo_domain([("region", "=", "France")], fields) == [("country_id.name", "=", "France")]


def test_problems_name_field_and_fix() -> None:
    _, problems = FieldMap.resolve(configured_mapping({}), STOCK_FIELDS)
    assert {p.logical for p in problems} == {"status", "source_date", "open_user_id", "closer_id"}
    _, wrong = FieldMap.resolve(
        configured_mapping({"status": "active", "user_id": None}), LEAD_FIELDS
    )
    assert {(p.logical, p.problem) for p in wrong} == {
        (
            "status",
            "crm.lead.active is a boolean field; status needs char or many2one or selection",
        ),
        ("user_id", "is required and cannot be null"),
    }


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([("priority", ">=", 2)], [("priority", ">=", "2")]),
        ([("source_id", "=", "Website")], [("source_id.name", "=", "Website")]),
        ([("source_id", "!=", "Website")], ["!", ("source_id.name", "=", "Website")]),
        ([("source_id", "=", False)], [("source_id", "=", False)]),
        ([("tag_ids", "not in", ["DNC"])], ["!", ("tag_ids.name", "in", ["DNC"])]),
        ([("user_id", "in", [1, 2])], [("user_id", "in", [1, 2])]),
        (
            [("write_date", "<", datetime(2024, 6, 1, 12, 0))],
            [("write_date", "<", "2024-06-01 12:00:00")],
        ),
        (
            ["|", ("status", "=", "New"), ("status", "=", None)],
            ["|", ("status", "=", "New"), ("status", "=", False)],
        ),
    ],
)
def test_domain_translation(domain: list[object], expected: list[object]) -> None:
    assert odoo_domain(domain, mapping()) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "domain",
    [
        [("status", "<", False)],
        ["|", ("status", "=", "a")],
        [("nope", "=", 1)],
        [("tag_ids", "=", "x")],
    ],
)
def test_bad_domains(domain: list[object]) -> None:
    with pytest.raises(CrmError):
        odoo_domain(domain, mapping())  # type: ignore[arg-type]
