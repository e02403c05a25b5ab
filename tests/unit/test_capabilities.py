"""Settings this version cannot honour stop a run."""

from __future__ import annotations

import yaml

from odoo_lead_manager.capabilities import unsupported_settings
from odoo_lead_manager.config import generate_config, parse_config


def test_defaults_need_nothing_unimplemented() -> None:
    config = parse_config({"tracking": {"enabled": False}}, "inline", {})
    assert unsupported_settings(config) == []


def test_decisive_settings_are_listed_only_when_they_ask_for_something() -> None:
    config = parse_config(
        {
            "lead_finding": {"additional_filters": {"exclude_dnc": True}},
            "distribution": {
                "round_robin_override": {"enabled": True},
                "advanced_rules": {
                    "skill_matching": {"enabled": True},
                    "workload_balancing": {"enabled": True, "consider_weekend_workload": True},
                },
            },
        },
        "inline",
        {},
    )
    assert unsupported_settings(config) == [
        "distribution.advanced_rules.workload_balancing.consider_weekend_workload"
    ]


def test_every_distribution_setting_of_the_advanced_template_is_built() -> None:
    config = parse_config(yaml.safe_load(generate_config(template="advanced")), "advanced", {})
    assert not [key for key in unsupported_settings(config) if key.startswith("distribution")]


def test_every_lead_filter_of_the_basic_template_is_built() -> None:
    config = parse_config(yaml.safe_load(generate_config(template="basic")), "basic", {})
    missing = unsupported_settings(config)
    assert not [key for key in missing if key.startswith("lead_finding")]


def test_category_selection_is_refused_until_built() -> None:
    config = parse_config(
        {"salesperson_selection": {"source_config": {"category": "senior_sales"}}}, "inline", {}
    )
    assert unsupported_settings(config) == ["salesperson_selection.source_config.category"]
