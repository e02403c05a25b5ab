"""The §6.4 templates: header comments, campaign customisation, validity."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml

from odoo_lead_manager.config import TEMPLATES, generate_config, parse_config, template_data


def test_header_names_template_campaign_and_time() -> None:
    text = generate_config("Apple", "advanced", now=datetime(2024, 1, 15, 9, 30, 0))
    lines = text.splitlines()
    assert lines[:5] == [
        "# yaml-language-server: $schema=odlm-config.schema.json",
        "# Daily Lead Distribution Configuration",
        "# Generated on: 2024-01-15 09:30:00",
        "# Template: advanced",
        "# Campaign: Apple",
    ]
    assert "# - lead_finding: Criteria for finding distributable leads" in lines


@pytest.mark.parametrize("template", TEMPLATES)
def test_campaign_is_set_wherever_the_template_names_one(template: str) -> None:
    data = template_data(template, "Apple")
    config = parse_config(yaml.safe_load(generate_config("Apple", template)), template, {})
    assert config.campaign.name == config.campaign.target_campaign == "Apple"
    assert config.name == "Daily Lead Distribution - Apple"
    if "campaign_filtering" in data["salesperson_selection"]:
        assert config.salesperson_selection.campaign_filtering.target_campaign == "Apple"
    if config.lead_finding.campaigns is not None:
        assert config.lead_finding.campaigns.types == ["Apple"]


def test_advanced_adds_rules_to_basic() -> None:
    basic, advanced = template_data("basic"), template_data("advanced")
    assert "advanced_rules" not in basic["distribution"]
    assert advanced["distribution"]["advanced_rules"]["workload_balancing"]["enabled"] is True
    assert advanced["tracking"]["async_tracking"] is True


def test_templates_are_independent_copies() -> None:
    template_data("basic", "Apple")
    assert template_data("basic")["campaign"]["name"] == "Voice"


def test_unknown_template() -> None:
    with pytest.raises(ValueError, match="unknown template 'fancy'"):
        template_data("fancy")
