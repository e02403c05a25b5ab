"""Every configuration fragment of the spec loads, in every shape it shows."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
import yaml

from odoo_lead_manager.config.loading import parse_config
from odoo_lead_manager.config.schema import DistributionConfig
from tests.config.spec_fragments import FRAGMENTS

_CHOICES = re.compile(
    r'^(?P<head>\s*[\w-]+:\s*)(?P<choices>"[^"]*"(?:\s*\|\s*"[^"]*")+)(?P<tail>.*)$'
)


def expand_alternatives(text: str) -> list[str]:
    """One document per alternative of each ``key: "a" | "b"`` line.

    ``"${VAR}" | "default"`` is the spec's way of writing a default, which
    YAML spells ``"${VAR:-default}"``.
    """
    options: list[list[str]] = []
    for line in text.splitlines():
        match = _CHOICES.match(line)
        if not match:
            options.append([line])
            continue
        values = re.findall(r'"([^"]*)"', match["choices"])
        head, tail = match["head"], match["tail"]
        if values[0].startswith("${") and values[0].endswith("}"):
            options.append([f'{head}"{values[0][:-1]}:-{values[1]}}}"{tail}'])
        else:
            options.append([f'{head}"{value}"{tail}' for value in values])
    width = max(len(o) for o in options)
    # Alternatives of different lines vary together, so every value is seen once.
    return ["\n".join(o[min(i, len(o) - 1)] for o in options) for i in range(width)]


def documents() -> list[Any]:
    cases = []
    for name, text in FRAGMENTS.items():
        for index, variant in enumerate(expand_alternatives(text)):
            cases.append(pytest.param(variant, id=f"{name}-{index}"))
    return cases


@pytest.mark.parametrize("text", documents())
def test_fragment_loads(text: str) -> None:
    data = yaml.safe_load(text)
    config = parse_config(data, "spec", environ={})
    assert isinstance(config, DistributionConfig)
    # Every key the fragment gives is kept, not silently dropped.
    dumped = config.model_dump(exclude_unset=True)
    assert _keys(dumped) >= _keys(data)


def _keys(node: Any, prefix: str = "") -> set[str]:
    if isinstance(node, dict):
        found = set()
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found |= {path} | _keys(value, path)
        return found
    return set()


def test_alternatives_are_expanded() -> None:
    variants = expand_alternatives('strategy: "level_based" | "round_robin"\nx: 1')
    assert variants == ['strategy: "level_based"\nx: 1', 'strategy: "round_robin"\nx: 1']
    assert expand_alternatives('  host: "${H}" | "localhost"') == ['  host: "${H:-localhost}"']


def test_main_configuration_of_5_1_has_expected_values() -> None:
    variants = expand_alternatives(FRAGMENTS["s5_1_main"])
    assert len(variants) == 4  # four source types, three report formats
    config = parse_config(
        yaml.safe_load(variants[0]), "spec", environ={"ODOO_HOST": "crm.example.com"}
    )
    assert config.odoo_connection is not None
    assert config.odoo_connection.resolved("host") == "crm.example.com"
    assert config.database_connection is not None
    assert config.database_connection.resolved("host") == "localhost"
    assert config.database_connection.resolved("database") == "lead_distribution_tracking"
    assert config.lead_finding.date_range.older_than_days == 60
    assert config.lead_finding.additional_filters.status is not None
    assert config.lead_finding.additional_filters.status.values == ["new", "in_progress"]
    assert config.distribution.level_based is not None
    assert config.distribution.level_based.levels["senior"].target_leads == 200
    assert config.execution.batch_size == 50
    formats = {
        parse_config(yaml.safe_load(v), "spec", environ={}).reporting.report_format
        for v in variants
    }
    assert formats == {"csv", "json", "html"}


def test_sources_of_every_alternative_selection_method() -> None:
    source_types = {
        parse_config(yaml.safe_load(v), "spec", environ={}).salesperson_selection.source_type
        for name in ("s2_3_file", "s2_3_list", "s2_3_database", "s2_2_campaign_table")
        for v in expand_alternatives(FRAGMENTS[name])
    }
    assert source_types == {"file", "list", "database", "campaign_table"}


@pytest.mark.parametrize(
    ("short", "detailed"),
    [
        ("s3_4_additional_filters_short", "s3_4_additional_filters"),
        ("s3_2_web_sources_short", "s3_2_web_sources"),
    ],
)
def test_short_and_object_shapes_of_value_lists_agree(short: str, detailed: str) -> None:
    first = parse_config(yaml.safe_load(expand_alternatives(FRAGMENTS[short])[0]), "s", {})
    second = parse_config(yaml.safe_load(expand_alternatives(FRAGMENTS[detailed])[0]), "s", {})
    assert type(first.lead_finding) is type(second.lead_finding)


def test_status_and_tags_in_list_and_object_form() -> None:
    as_list = parse_config(
        {"lead_finding": {"additional_filters": {"status": ["new"], "exclude_tags": ["test"]}}}
    )
    as_object = parse_config(
        {
            "lead_finding": {
                "additional_filters": {
                    "status": {"values": ["new"], "case_sensitive": False},
                    "exclude_tags": {"values": ["test"], "match_mode": "exact"},
                }
            }
        }
    )
    assert as_list.lead_finding.additional_filters == as_object.lead_finding.additional_filters


def test_exact_match_alone_chooses_the_mode() -> None:
    def mode(exact: bool) -> str:
        filters = parse_config(
            {
                "lead_finding": {
                    "additional_filters": {"status": {"values": ["a"], "exact_match": exact}}
                }
            }
        ).lead_finding.additional_filters
        assert filters.status is not None
        return filters.status.match_mode

    assert (mode(True), mode(False)) == ("exact", "partial")


def test_every_combination_of_templates_and_fragments_is_a_superset() -> None:
    """The fragments of one section combine into one file, as a user would write them."""
    merged: dict[str, Any] = {}
    for name in ("s3_1_date_and_status", "s3_4_additional_filters", "s3_5_sales_filter"):
        data = yaml.safe_load(FRAGMENTS[name])
        for key, value in itertools.chain(data["lead_finding"].items()):
            merged.setdefault("lead_finding", {})[key] = value
    config = parse_config(merged, "merged", {})
    assert config.lead_finding.activity_deadline.exclude_within_days == 4
    assert config.lead_finding.sales_filter is not None
