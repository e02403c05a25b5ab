"""Each content rule of §3.2-§3.4, each match mode, case sensitivity, the date options."""

from __future__ import annotations

from datetime import date

import pytest

from odoo_lead_manager.config.schema.base import MatchOptions, ValueMatch
from odoo_lead_manager.errors import ConfigError
from odoo_lead_manager.pipeline.finding.configured import mode_of, value_matcher
from odoo_lead_manager.pipeline.finding.dates import (
    DateWindow,
    business_days_before,
    off_days_filter,
)
from odoo_lead_manager.pipeline.finding.matching import TextMatcher
from odoo_lead_manager.pipeline.finding.rules import (
    archived_owner_filter,
    assigned_filter,
    campaign_filter,
    closed_filter,
    dnc_status_filter,
    dnc_tag_filter,
    exclude_tags_filter,
    include_tags_filter,
    odoo_priority,
    priority_filter,
    required_fields_filter,
    web_source_filter,
)
from tests.pipeline.leads import lead


@pytest.mark.parametrize(
    ("mode", "case_sensitive", "value", "matched"),
    [
        ("exact", False, "FACEBOOK_FORM", True),
        ("exact", True, "FACEBOOK_FORM", False),
        ("exact", False, "facebook_form_2", False),
        ("partial", False, "new facebook_form 2", True),
        ("partial", True, "new Facebook_form 2", False),
        ("regex", False, "FACEBOOK_form", True),  # ^facebook_.* searched
        ("regex", True, "FACEBOOK_form", False),
        ("regex", False, "my facebook_form", False),
    ],
)
def test_match_modes_and_case(mode: str, case_sensitive: bool, value: str, matched: bool) -> None:
    values = ["^facebook_.*"] if mode == "regex" else ["facebook_form"]
    matcher = TextMatcher(values, mode, case_sensitive=case_sensitive)  # type: ignore[arg-type]
    assert matcher.matches(value) is matched


def test_wildcards_match_whole_values_and_regexes_search() -> None:
    matcher = TextMatcher(
        ["website_contact"], wildcards=["facebook*", "g?ogle_ads"], regexes=[r"\bads$"]
    )
    assert matcher.matches("Facebook Lead Form")
    assert matcher.matches("google_ads")
    assert not matcher.matches("my facebook")  # a wildcard anchors both ends
    assert matcher.matches("bing ads")
    assert matcher.matches("WEBSITE_CONTACT")
    assert not matcher.is_plain_exact


def test_unknown_mode_and_bad_regex_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"lead_finding\.campaigns: unknown match mode 'fuzzy'"):
        TextMatcher(["x"], "fuzzy", key="lead_finding.campaigns")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"dnc_filtering: invalid regular expression '\(dnc'"):
        TextMatcher(["dnc"], regexes=["(dnc"], key="dnc_filtering")


def test_include_partial_matches_widens_exact_and_plain_lists_take_status_matching() -> None:
    assert mode_of(MatchOptions(match_mode="exact", include_partial_matches=True)) == "partial"
    assert mode_of(MatchOptions(exact_match=False)) == "partial"
    assert mode_of(MatchOptions(match_mode="regex", include_partial_matches=True)) == "regex"
    plain = ValueMatch.model_validate(["Utr"])
    options = MatchOptions(case_sensitive=True)
    assert value_matcher(plain, "status", options).case_sensitive
    detailed = ValueMatch.model_validate({"values": ["Utr"], "case_sensitive": False})
    assert not value_matcher(detailed, "status", options).case_sensitive


def test_status_whitespace_is_significant_unless_stripped() -> None:
    strict = TextMatcher(["Full Pitch Follow Up"], case_sensitive=True)
    assert not strict.matches("Full Pitch Follow Up ")
    loose = TextMatcher(["Full Pitch Follow Up"], strip_whitespace=True)
    assert loose.matches(" full pitch follow up ")


def test_web_source_and_campaign_rules() -> None:
    sources = web_source_filter(TextMatcher(["Website"], wildcards=["facebook*"]))
    assert sources.keep(lead(1, source="Facebook Ads"))
    assert not sources.keep(lead(2, source="Referral"))
    assert not sources.keep(lead(3, source=None))
    assert sources.domain is None  # case-insensitive: client side
    campaigns = campaign_filter(
        [TextMatcher(["voice"], "partial"), TextMatcher(["Apple"], case_sensitive=True)]
    )
    assert campaigns.keep(lead(1, campaign="Voice Spring 2024"))
    assert campaigns.keep(lead(2, campaign="Apple"))
    assert not campaigns.keep(lead(3, campaign="apple"))
    exact = campaign_filter([TextMatcher(["Apple"], case_sensitive=True)])
    assert exact.domain == [("campaign_id", "in", ["Apple"])]


def test_dnc_by_status_and_by_tag() -> None:
    status = dnc_status_filter(TextMatcher(["dnc", "do_not_call"], regexes=[".*opt_out.*"]))
    assert not status.keep(lead(1, status="DNC"))
    assert not status.keep(lead(2, status="email opt_out"))
    assert status.keep(lead(3, status="Utr"))
    assert status.keep(lead(4, status=None))
    tags = dnc_tag_filter(TextMatcher(["dnc"]))
    assert not tags.keep(lead(1, tags=("VIP", "DNC")))
    assert tags.keep(lead(2, tags=("VIP",)))


def test_tag_filters() -> None:
    include = include_tags_filter(TextMatcher(["hot_lead", "vip"]))
    exclude = exclude_tags_filter(TextMatcher(["test"], "partial"))
    assert include.keep(lead(1, tags=("VIP",)))
    assert not include.keep(lead(2, tags=()))
    assert not exclude.keep(lead(3, tags=("a_test_lead",)))
    assert exclude.keep(lead(4, tags=("VIP",)))


def test_required_fields_treat_blank_text_as_missing() -> None:
    rule = required_fields_filter(["name", "email", "phone"])
    assert rule.keep(lead(1, email="a@b.c", phone="1"))
    assert not rule.keep(lead(2, email="  ", phone="1"))
    assert not rule.keep(lead(3, email="a@b.c"))
    assert rule.domain is None
    assert required_fields_filter(["partner_id"]).domain == [("partner_id", "!=", False)]


def test_priority_uses_the_one_to_five_scale() -> None:
    # Odoo's '0' (no star) is 1 on the spec's scale, '3' (three stars) is 4.
    every = priority_filter(1, 5)
    assert all(every.keep(lead(p, priority=p)) for p in range(4))
    starred = priority_filter(2, None)
    assert not starred.keep(lead(1, priority=0))
    assert starred.keep(lead(2, priority=1))
    assert starred.domain == [("priority", "in", [1, 2, 3])]
    assert priority_filter(5, 5).domain == [("id", "=", 0)]
    assert [odoo_priority(v) for v in (1, 2, 4, 5)] == [0, 1, 3, 3]


def test_assignment_rules_use_the_owner_field() -> None:
    assert assigned_filter("open_user_id").keep(lead(1, user_id=3, open_user_id=None))
    assert not assigned_filter("user_id").keep(lead(1, user_id=3))
    archived = archived_owner_filter([7], "user_id")
    assert not archived.keep(lead(1, user_id=7))
    assert archived.keep(lead(2, user_id=None))


def test_closed_leads_by_status_stage_or_archive() -> None:
    rule = closed_filter(["won", "lost"])
    assert not rule.keep(lead(1, status="Won "))
    assert not rule.keep(lead(2, stage="Lost"))
    assert not rule.keep(lead(3, active=False))
    assert rule.keep(lead(4, status="Utr", stage="New"))


def test_weekends_and_holidays() -> None:
    rule = off_days_filter("source_date", weekends=True, holidays=[date(2024, 6, 12)])
    assert not rule.keep(lead(1, source_date=date(2024, 6, 8)))  # a Saturday
    assert not rule.keep(lead(2, source_date=date(2024, 6, 12)))  # the holiday
    assert rule.keep(lead(3, source_date=date(2024, 6, 11)))


def test_business_days() -> None:
    monday = date(2024, 6, 10)
    assert business_days_before(monday, 1) == date(2024, 6, 7)  # the Friday
    assert business_days_before(monday, 5) == date(2024, 6, 3)
    assert business_days_before(monday, 1, [date(2024, 6, 7)]) == date(2024, 6, 6)


def test_open_windows() -> None:
    window = DateWindow.from_days(date(2024, 6, 14), 60, None)
    assert window.start is None and window.contains(date(2000, 1, 1))
    assert not window.contains(date(2024, 4, 15))
