"""Settings odlm does not carry out are refused or warned about, never ignored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_lead_manager.config.loading import LoadedConfig, parse_config
from odoo_lead_manager.config.registry import REFUSED, WARNED, check_settings, set_keys
from odoo_lead_manager.config.templates import generate_config
from odoo_lead_manager.errors import ConfigError


def loaded(data: dict[str, Any]) -> LoadedConfig:
    return LoadedConfig(parse_config(data, "inline", {}), Path("inline.yaml"))


def test_defaults_set_nothing_refused_or_warned() -> None:
    config = loaded({"tracking": {"enabled": False}}).config
    assert set_keys(config, REFUSED) == [] and set_keys(config, WARNED) == []


def test_refused_settings_stop_the_run_naming_each_key() -> None:
    config = loaded(
        {
            "salesperson_selection": {"source_config": {"category": "senior_sales"}},
            "security": {"encrypt_sensitive_data": True},
        }
    )
    with pytest.raises(ConfigError) as err:
        check_settings(config)
    message = str(err.value)
    assert message.startswith("inline.yaml: not available in this version")
    for key in (
        "salesperson_selection.source_config.category",
        "security.encrypt_sensitive_data",
    ):
        assert key in message


def test_a_refused_setting_at_its_default_is_not_refused() -> None:
    config = loaded({"security": {"encrypt_sensitive_data": False}})
    assert check_settings(config) == ()


def test_warned_settings_are_named_in_a_warning_also_inside_lists(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = loaded(
        {
            "tracking": {"async_tracking": True},
            "lead_finding": {
                "sales_filter": {"performance": {"cache_opportunities": False}},
                "dropback_filter": {
                    "campaign_assignments": {"Voice": "Pat Adler"},
                    "web_source_matching": {
                        "fallback_fields": [
                            {"field": "campaign_id"},
                            {"field": "name", "type": "selection"},
                        ]
                    },
                },
            },
        }
    )
    warnings = check_settings(config)
    assert [w.split(" has no effect")[0] for w in warnings] == [
        "tracking.async_tracking",
        "lead_finding.sales_filter.performance.cache_opportunities",
        "lead_finding.dropback_filter.web_source_matching.fallback_fields[1].type",
    ]
    assert all(w in caplog.text for w in warnings)


@pytest.mark.parametrize("template", ["basic", "advanced", "minimal"])
def test_the_generated_templates_set_nothing_refused(template: str) -> None:
    config = loaded(yaml.safe_load(generate_config(template=template)))
    assert set_keys(config.config, REFUSED) == []
