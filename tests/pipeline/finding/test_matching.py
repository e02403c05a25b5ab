import pytest

from odoo_lead_manager.errors import ConfigError
from odoo_lead_manager.pipeline.finding.matching import TextMatcher


def test_exact_case_insensitive_by_default() -> None:
    matcher = TextMatcher(["Call Back", "Utr"])
    assert matcher.matches("call back")
    assert matcher.matches("UTR")
    assert not matcher.matches("Call Back later")
    assert not matcher.matches(None)


def test_exact_case_sensitive_keeps_trailing_space_distinct() -> None:
    matcher = TextMatcher(["Full Pitch Follow Up "], case_sensitive=True)
    assert matcher.matches("Full Pitch Follow Up ")
    assert not matcher.matches("Full Pitch Follow Up")
    assert not matcher.matches("full pitch follow up ")


def test_strip_whitespace_folds_surrounding_blanks() -> None:
    matcher = TextMatcher(["Full Pitch Follow Up"], strip_whitespace=True)
    assert matcher.matches("  full pitch follow up ")


def test_partial_and_regex() -> None:
    assert TextMatcher(["voice"], "partial").matches("facebook_VOICE_form")
    regex = TextMatcher([r"^google.*ads$"], "regex")
    assert regex.matches("Google_Search_Ads")
    assert not regex.matches("my_google_ads")
    assert TextMatcher(["dnc"], "exact").matches_any(["vip", "DNC"])
    assert not TextMatcher(["dnc"], "exact").matches_any([])


def test_invalid_regex_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"invalid regular expression '\(unclosed'"):
        TextMatcher(["(unclosed"], "regex")
