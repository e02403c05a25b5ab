from datetime import date, datetime

import pytest

from odoo_lead_manager.pipeline.finding import find_leads, server_domain
from odoo_lead_manager.pipeline.finding.dates import DateWindow, date_range_filter
from odoo_lead_manager.pipeline.finding.filters import (
    activity_deadline_filter,
    any_of,
    conjunction,
    excluded_owners_filter,
    owner_status_filter,
    status_filter,
)
from odoo_lead_manager.pipeline.finding.matching import TextMatcher
from tests.pipeline.leads import lead

TODAY = date(2024, 3, 31)


@pytest.mark.parametrize(
    ("source_date", "kept"),
    [
        (TODAY, False),  # R: source_date < Sys.Date() - 0
        (date(2024, 3, 30), True),
        (date(2024, 3, 1), True),  # exactly 30 days ago: >= Sys.Date() - 30
        (date(2024, 2, 29), False),  # 31 days ago
        (None, False),  # !is.na(source_date)
    ],
)
def test_date_window_has_the_legacy_boundaries(source_date: date | None, kept: bool) -> None:
    window = DateWindow.from_days(TODAY, older_than_days=0, younger_than_days=30)
    assert date_range_filter(window).keep(lead(1, source_date=source_date)) is kept


def test_custom_dates_are_inclusive_and_datetime_fields_compare_by_day() -> None:
    window = DateWindow.from_dates(date(2024, 1, 1), date(2024, 1, 31))
    assert window.last_day == date(2024, 1, 31)
    rule = date_range_filter(window, "create_date")
    assert rule.keep(lead(1, create_date=datetime(2024, 1, 31, 23, 59)))
    assert not rule.keep(lead(2, create_date=datetime(2024, 2, 1, 0, 0)))
    assert rule.domain == [
        ("create_date", "!=", False),
        ("create_date", ">=", "2024-01-01"),
        ("create_date", "<", "2024-02-01"),
    ]


@pytest.mark.parametrize(
    ("deadline", "kept"),
    [
        (None, True),
        (date(2024, 3, 26), True),  # five days ago: < today - 4
        (date(2024, 3, 27), False),  # exactly four days ago is protected
        (TODAY, False),
        (date(2024, 4, 10), False),  # future deadlines are protected
    ],
)
def test_activity_deadline_has_the_legacy_boundary(deadline: date | None, kept: bool) -> None:
    rule = activity_deadline_filter(TODAY, 4, exclude_missing=False)
    assert rule.keep(lead(1, activity_date_deadline=deadline)) is kept


def test_activity_deadline_can_exclude_missing_deadlines() -> None:
    rule = activity_deadline_filter(TODAY, None, exclude_missing=True)
    assert not rule.keep(lead(1))
    assert rule.keep(lead(2, activity_date_deadline=date(2025, 1, 1)))


def test_owner_status_rule_uses_each_group_statuses() -> None:
    rule = owner_status_filter(
        [1],
        TextMatcher(["Utr"], case_sensitive=True),
        [2],
        TextMatcher(["Utr", "New"], case_sensitive=True),
    )
    assert rule.keep(lead(1, user_id=1, status="Utr"))
    assert not rule.keep(lead(2, user_id=1, status="New"))
    assert rule.keep(lead(3, user_id=2, status="New"))
    assert not rule.keep(lead(4, user_id=3, status="Utr"))
    assert not rule.keep(lead(5, user_id=None, status="Utr"))
    assert rule.domain == [
        "|",
        "&",
        ("user_id", "in", [1]),
        ("status", "in", ["Utr"]),
        "&",
        ("user_id", "in", [2]),
        ("status", "in", ["Utr", "New"]),
    ]


def test_only_exact_case_sensitive_status_rules_go_to_the_server() -> None:
    # =ilike would also take "call back" and "callXback" (_ is a wildcard): not exact.
    rule = status_filter(TextMatcher(["call_back", "Utr"]))
    assert rule.domain is None
    assert rule.keep(lead(1, status="CALL_BACK"))
    exact = status_filter(TextMatcher(["Utr"], case_sensitive=True))
    assert exact.domain == [("status", "in", ["Utr"])]


def test_domain_combinators() -> None:
    assert any_of([]) == [("id", "=", 0)]
    assert conjunction([("a", "=", 1), "|", ("b", "=", 2), ("c", "=", 3)]) == [
        "&",
        ("a", "=", 1),
        "|",
        ("b", "=", 2),
        ("c", "=", 3),
    ]


def test_finder_counts_each_exclusion_under_the_first_failing_filter() -> None:
    filters = [
        date_range_filter(DateWindow(None, None)),
        status_filter(TextMatcher(["Utr"])),
        excluded_owners_filter([9]),
    ]
    leads = [
        lead(1, status="Utr", user_id=1),
        lead(2, status="Won", user_id=9),  # fails both: counted under status
        lead(3, status="Utr", user_id=9),
        lead(4, status="utr", user_id=None),
    ]
    result = find_leads(leads, filters)
    assert [x.id for x in result.leads] == [1, 4]
    assert result.examined == 4
    assert result.excluded == {
        "Date range": 0,
        "Status not selected": 1,
        "Held by an excluded user": 1,
    }
    assert server_domain(filters[2:]) == [
        ("type", "=", "lead"),
        ("active", "=", True),
        "|",
        ("user_id", "=", False),
        ("user_id", "not in", [9]),
    ]


def test_base_domain_follows_the_configured_lead_types() -> None:
    from odoo_lead_manager.pipeline.finding import base_domain

    assert base_domain(["lead"]) == [("type", "=", "lead"), ("active", "=", True)]
    assert base_domain(["lead", "opportunity"]) == [
        ("type", "in", ["lead", "opportunity"]),
        ("active", "=", True),
    ]
