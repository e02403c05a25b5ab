"""Settings this version cannot honour stop a run (decisive) or are reported (outputs)."""

from __future__ import annotations

import yaml

from odoo_lead_manager.capabilities import skipped_outputs, unsupported_settings
from odoo_lead_manager.config import generate_config, parse_config


def test_defaults_need_nothing_unimplemented() -> None:
    config = parse_config({"tracking": {"enabled": False}}, "inline", {})
    assert unsupported_settings(config) == []
    assert skipped_outputs(config) == []


def test_decisive_settings_are_listed_only_when_they_ask_for_something() -> None:
    config = parse_config(
        {
            "lead_finding": {
                "additional_filters": {
                    "exclude_dnc": True,
                    "exclude_tags": ["test"],
                    "include_tags": [],
                    "exclude_closed": False,
                    "dnc_filtering": {"enabled": False},
                },
                "sales_filter": {"enabled": True},
                "dropback_filter": {"enabled": False},
            }
        },
        "inline",
        {},
    )
    assert unsupported_settings(config) == [
        "lead_finding.sales_filter",
        "lead_finding.additional_filters.exclude_tags",
        "lead_finding.additional_filters.exclude_dnc",
    ]


def test_outputs_are_listed() -> None:
    config = parse_config({"reporting": {"generate_report": True}}, "inline", {})
    assert skipped_outputs(config) == ["tracking", "reporting.generate_report"]


def test_basic_template_names_what_it_still_needs() -> None:
    config = parse_config(yaml.safe_load(generate_config(template="basic")), "basic", {})
    missing = unsupported_settings(config)
    assert "lead_finding.web_sources" in missing
    assert "lead_finding.additional_filters.exclude_dnc" in missing


def test_category_selection_is_refused_until_built() -> None:
    config = parse_config(
        {"salesperson_selection": {"source_config": {"category": "senior_sales"}}}, "inline", {}
    )
    assert unsupported_settings(config) == ["salesperson_selection.source_config.category"]
