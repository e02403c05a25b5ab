"""The §6.4 templates: header comments, campaign customisation, validity."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config, parse_config
from odoo_lead_manager.config.templates import TEMPLATES, generate_config, template_data
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]


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
    assert advanced["tracking"]["async_tracking"] is False  # it would only warn: no effect


def test_templates_are_independent_copies() -> None:
    template_data("basic", "Apple")
    assert template_data("basic")["campaign"]["name"] == "Voice"


def test_unknown_template() -> None:
    with pytest.raises(ValueError, match="unknown template 'fancy'"):
        template_data("fancy")


def _on_the_demo(text: str, demo: Path, name: str) -> Path:
    """A generated configuration pointed at the demo CRM, its files where the template says."""
    data = yaml.safe_load(text)
    data.pop("odoo_connection", None)
    data.pop("database_connection", None)
    data["crm"] = {"backend": "local", "local_path": str(demo / "crm.sqlite")}
    data.setdefault("tracking", {})["enabled"] = False
    (demo / "config").mkdir(exist_ok=True)
    for file in ("salesperson_campaigns.csv", "web_sources.txt", "salespeople.txt"):
        shutil.copy(demo / file, demo / "config" / file)
    path = demo / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("campaign", ["Voice", "Apple"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_finds_leads_on_the_demo_as_generated(
    demo_dir: Path, template: str, campaign: str
) -> None:
    path = _on_the_demo(generate_config(campaign, template), demo_dir, template)
    outcome = run_distribution(load_config(path), True, RunOptions(today=TODAY))
    plan = outcome.plan
    assert plan.distributable >= (100 if campaign == "Voice" else 20), plan.excluded
    assert plan.handed_out
    assert not [w for w in plan.warnings if "has no effect" in w]


def test_the_legacy_template_decides_as_the_legacy_example(demo_dir: Path) -> None:
    path = _on_the_demo(generate_config("Voice", "legacy"), demo_dir, "legacy")
    example = yaml.safe_load((ROOT / "examples" / "legacy_utr.yaml").read_text(encoding="utf-8"))
    example["crm"]["local_path"] = str(demo_dir / "crm.sqlite")
    example["salesperson_selection"]["source_config"]["campaign_table"]["file_path"] = str(
        demo_dir / "salesperson_campaigns.csv"
    )
    (demo_dir / "example.yaml").write_text(yaml.safe_dump(example), encoding="utf-8")
    options = RunOptions(today=TODAY, seed=11)
    generated = run_distribution(load_config(path), True, options).plan
    legacy = run_distribution(load_config(demo_dir / "example.yaml"), True, options).plan
    assert generated.distributable == legacy.distributable == 204
    assert generated.fates() == legacy.fates()
    assert generated.writes == legacy.writes


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_stale_date_and_no_contradictory_keys(template: str) -> None:
    text = generate_config("Voice", template, now=datetime(2026, 12, 7, 8, 0, 0))
    data = yaml.safe_load(text)
    assert data.get("created_date") in (None, "2026-12-07")
    assert "last_modified" not in data

    def pairs(node: object) -> list[dict[str, object]]:
        if isinstance(node, dict):
            found = [node] if {"exact_match", "match_mode"} <= node.keys() else []
            return found + [p for value in node.values() for p in pairs(value)]
        if isinstance(node, list):
            return [p for value in node for p in pairs(value)]
        return []

    assert pairs(data) == []
