"""The whole lead-finding configuration on the demo CRM: server counts, web sources,
sales filter, dropback."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from odoo_lead_manager.apply.writer import ApplySettings, apply_plan
from odoo_lead_manager.commands.resolve import plan_settings, read_settings, tracking_settings
from odoo_lead_manager.commands.running import build_plan
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.crm import OTHER_SOURCES, WEB_SOURCES
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.pipeline.finding import base_domain, run_pipeline
from odoo_lead_manager.pipeline.finding.configured import build_finding
from odoo_lead_manager.snapshot.leads import find_in_store
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.snapshot.web_sources import read_source_names
from odoo_lead_manager.state.tracking import open_journal
from tests.conftest import TODAY

ALL: list[Any] = [("active", "in", [True, False])]
VOICE_ACTIVE = [10, 11, 12, 13, 15]
VOICE_INACTIVE = [14]

LEGACY = """
  status_filters:
    active_salespeople:
      statuses: ["Utr", "Call Back"]
    inactive_salespeople:
      statuses: ["Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New"]
    exclude_closed_leads: false
  activity_deadline:
    exclude_within_days: 4
  excluded_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
"""


def configure(demo_dir: Path, finding: str) -> LoadedConfig:
    """The demo configuration with its lead_finding block replaced."""
    config = demo_dir / "config.yaml"
    body = "lead_finding:\n" + finding.strip("\n") + "\n\n"
    text_ = re.sub(r"^lead_finding:\n(?:(?: .*)?\n)*", body, config.read_text(), flags=re.M)
    config.write_text(text_)
    return load_config(config)


def plan_for(loaded: LoadedConfig) -> Plan:
    with LocalStore.open(loaded.base_dir / "crm.sqlite") as store:
        return build_plan(loaded, store, RunOptions(today=TODAY, seed=5))


class CountingStore(LocalStore):
    calls: Counter[str]

    def count_leads(self, domain: Any, group_by: Any) -> dict[tuple[Any, ...], int]:
        self.calls["count_leads"] += 1
        return super().count_leads(domain, group_by)

    def lead_ids(self, domain: Any) -> list[int]:
        self.calls["lead_ids"] += 1
        return super().lead_ids(domain)


EVERYTHING = (
    LEGACY
    + """
  additional_filters:
    exclude_dnc: true
    dnc_statuses: ["Do Not Call"]
    dnc_match_mode: exact
    dnc_filtering:
      enabled: true
      statuses: ["do not call"]
      exclude_dnc_tags: true
      dnc_tags: ["DNC"]
    exclude_tags: {values: ["VIP"], case_sensitive: true}
    required_fields: ["email", "partner_id"]
    priority_range: {min: 1, max: 3}
    assignment_filters: {exclude_inactive_users: true, exclude_closed: true}
  web_sources:
    source_type: config
    source_config: {sources: ["Website", "Google Ads"]}
    match_patterns: ["facebook*"]
  sales_filter:
    enabled: true
"""
)


def test_server_side_counts_equal_client_side_counts(demo_dir: Path) -> None:
    loaded = configure(demo_dir, EVERYTHING)
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        sources = loaded.config.lead_finding.web_sources
        assert sources is not None
        names = read_source_names(read_settings(loaded), sources)
        setup = build_finding(
            plan_settings(loaded).finding_stage,
            store,
            TODAY,
            VOICE_ACTIVE,
            VOICE_INACTIVE,
            web_sources=names,
        )
        base = base_domain(["lead"])
        pushed = find_in_store(store, base, setup.pipeline, page_size=500)
        window = list(store.search_leads([*base, *(setup.pipeline.window.domain or [])]))
    local = run_pipeline(window, setup.pipeline, server_first=True)
    assert [x.id for x in pushed.leads] == [x.id for x in local.leads]
    assert pushed.excluded == local.excluded
    assert pushed.examined == local.examined == len(window)
    assert len(pushed.leads) > 20
    names = set(pushed.excluded)
    assert {"Sales filter (has opportunities)", "DNC (Do Not Call) status", "Web source not matched",
            "Missing required fields", "Priority out of range", "Has an excluded tag"} <= names  # fmt: skip
    for x in pushed.leads:
        assert x.status in (
            "Utr",
            "Call Back",
            "Full Pitch Follow Up",
            "Full Pitch Follow Up ",
            "New",
        )
        assert x.email and x.partner_id and "VIP" not in x.tags and x.priority >= 0
        assert x.source in ("Website", "Google Ads", "Facebook Ads")


def test_filter_impact_is_in_the_plan(demo_dir: Path) -> None:
    plan = plan_for(configure(demo_dir, EVERYTHING))
    assert plan.examined == sum(plan.excluded.values()) + plan.distributable
    assert plan.excluded["Sales filter (has opportunities)"] > 0


def test_web_sources_from_a_file(demo_dir: Path) -> None:
    plan = plan_for(configure(demo_dir, LEGACY + """
  web_sources:
    source_type: file
    source_config: {file_path: web_sources.txt}
"""))  # fmt: skip
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        leads = {x.id: x for x in store.read_leads([a.lead_id for a in plan.assignments])}
    assert leads and {x.source for x in leads.values()} <= set(WEB_SOURCES)
    assert plan.excluded["Web source not matched"] > 0


def test_web_sources_from_a_database_table(demo_dir: Path) -> None:
    engine = create_engine(f"sqlite:///{demo_dir / 'sources.sqlite'}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE lead_web_sources (id INTEGER PRIMARY KEY, name TEXT, active INTEGER)"
            )
        )
        connection.execute(text("INSERT INTO lead_web_sources (name, active) VALUES ('Website', 1), ('Referral', 0)"))  # fmt: skip
    loaded = configure(demo_dir, LEGACY + """
  web_sources:
    source_type: database
    source_config: {table_name: lead_web_sources}
""")  # fmt: skip
    config = demo_dir / "config.yaml"
    config.write_text(
        config.read_text() + "\ndatabase_connection:\n  type: sqlite\n  database: sources.sqlite\n"
    )
    plan = plan_for(load_config(config))
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        sources = {x.source for x in store.read_leads([a.lead_id for a in plan.assignments])}
    assert sources == {"Website"}  # Referral is inactive in the table
    assert loaded.config.lead_finding.web_sources is not None


def test_unknown_web_sources_are_skipped_with_a_warning_or_refused(demo_dir: Path) -> None:
    finding = (
        LEGACY
        + """
  web_sources:
    source_type: config
    source_config: {sources: ["Website", "Myspace"]}
    validate_sources: true
"""
    )
    plan = plan_for(configure(demo_dir, finding))
    assert any("Myspace" in w for w in plan.warnings)
    assert plan.distributable > 0
    with pytest.raises(UserInputError, match="not utm sources in the CRM: Myspace"):
        plan_for(configure(demo_dir, finding + "    exclude_invalid: false\n"))


def test_sales_filter_reads_opportunities_once_and_excludes_their_partners(demo_dir: Path) -> None:
    loaded = configure(demo_dir, LEGACY + "  sales_filter:\n    enabled: true\n")
    store = CountingStore.open(demo_dir / "crm.sqlite")
    store.calls = Counter()
    with store:
        plan = build_plan(loaded, store, RunOptions(today=TODAY, seed=5))
        opportunity_partners = {
            x.partner_id for x in store.search_leads([("type", "=", "opportunity")])
        }
        found = store.read_leads([a.lead_id for a in plan.assignments])
    # Workload (4) + one grouped count of opportunities; the ids before each server-side rule (3).
    assert store.calls["count_leads"] == 4 + 1
    assert store.calls["lead_ids"] == 3
    assert not {x.partner_id for x in found} & opportunity_partners
    assert plan.excluded["Sales filter (has opportunities)"] > 0
    assert any(x.partner_id is None for x in found)  # no partner: nothing to match


def test_sales_filter_stages_and_email_matching(demo_dir: Path) -> None:
    only_won = plan_for(configure(demo_dir, LEGACY + """
  sales_filter:
    enabled: true
    include_opportunity_stages: ["Won"]
"""))  # fmt: skip
    every = plan_for(configure(demo_dir, LEGACY + "  sales_filter:\n    enabled: true\n"))
    key = "Sales filter (has opportunities)"
    assert 0 < only_won.excluded[key] < every.excluded[key]
    by_email = plan_for(configure(demo_dir, LEGACY + """
  sales_filter:
    primary_match: {lead_field: partner_id, opportunity_field: partner_id}
    secondary_matches:
      email_match: {enabled: true, lead_field: email_from, opportunity_field: email_from}
"""))  # fmt: skip
    assert by_email.excluded[key] >= every.excluded[key]


def test_an_opportunity_date_field_no_store_knows_is_a_config_error(demo_dir: Path) -> None:
    loaded = configure(demo_dir, LEGACY + """
  sales_filter:
    opportunity_date_range: {enabled: true, field_name: date_open}
""")  # fmt: skip
    with pytest.raises(UserInputError, match="opportunity date field 'date_open'"):
        plan_for(loaded)
    dated = plan_for(configure(demo_dir, LEGACY + """
  sales_filter:
    opportunity_date_range: {enabled: true, field_name: create_date, days_back: 30}
"""))  # fmt: skip
    assert not dated.warnings
    assert dated.excluded["Sales filter (has opportunities)"] > 0


def test_unreadable_opportunity_model_is_a_loud_warning_not_a_stop(demo_dir: Path) -> None:
    plan = plan_for(configure(demo_dir, LEGACY + """
  sales_filter:
    enabled: true
    opportunity_table: crm.opp
"""))  # fmt: skip
    assert plan.distributable > 0
    assert any(w.startswith("SALES FILTER SKIPPED") and "crm.opp" in w for w in plan.warnings)


DROPBACK = (
    LEGACY
    + """
  dropback_filter:
    enabled: true
    age_threshold: {days: 30, field_name: source_date}
    web_source_campaign_mapping:
      voice_sources: ["Website", "Facebook Ads"]
      apple_sources: ["Google Ads"]
      default_campaign: "default"
    assignment_rules:
      Voice: {user: "Pat Adler", team: "Voice", status: "dropback_voice", priority: 2}
      Apple: {user: "Kevin Levonas", status: "dropback_apple"}
    additional_criteria:
      lead_criteria: {exclude_statuses: ["won", "lost"]}
"""
)


def test_dropback_sends_old_leads_to_their_campaign_user(demo_dir: Path) -> None:
    plan = plan_for(configure(demo_dir, DROPBACK))
    assert plan.dropback
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        leads = {x.id: x for x in store.read_leads([a.lead_id for a in plan.dropback])}
    for assignment in plan.dropback:
        lead = leads[assignment.lead_id]
        assert lead.source_date is not None and lead.source_date < TODAY - timedelta(days=30)
        assert lead.status not in ("Won", "Lost")
        assert lead.open_user_id not in (5, 6)  # already held by a dropback user
        expected = 5 if lead.source in ("Website", "Facebook Ads") else 6
        assert assignment.user_id == expected
    # No default rule: leads of other sources stay where they are.
    assert plan.excluded["Dropback: no user for its campaign"] > 0
    # The two pools do not overlap, and the legacy distribution is unchanged.
    legacy = plan_for(configure(demo_dir, LEGACY))
    assert {a.lead_id for a in plan.dropback}.isdisjoint(a.lead_id for a in plan.assignments)
    assert plan.distributable == legacy.distributable
    assert plan.dropback_by_campaign[("Voice", 5)] > 0


def test_dropback_writes_the_rule_values(demo_dir: Path) -> None:
    loaded = configure(demo_dir, DROPBACK)
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        plan = build_plan(loaded, store, RunOptions(today=TODAY, seed=5))
        journal, _ = open_journal(tracking_settings(loaded))
        apply_plan(plan, store, journal, ApplySettings(batch_size=100))
        journal.close()
        voice = [a.lead_id for a in plan.dropback if a.user_id == 5]
        written = store.read_leads(voice)
    assert {(x.user_id, x.open_user_id, x.closer_id) for x in written} == {(5, 5, 5)}
    assert {(x.status, x.priority, x.team_id) for x in written} == {("dropback_voice", 1, 1)}


def test_default_campaign_and_business_days(demo_dir: Path) -> None:
    plan = plan_for(configure(demo_dir, DROPBACK.replace(
        "age_threshold: {days: 30, field_name: source_date}",
        "age_threshold: {days: 22, field_name: source_date, use_business_days: true}",
    ) + """
    campaign_assignments:
      default: "Administrator"
"""))  # fmt: skip
    # 22 business days before Friday 2024-06-14 is Wednesday 2024-05-15.
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        leads: dict[int, Lead] = {
            x.id: x for x in store.read_leads([a.lead_id for a in plan.dropback])
        }
    assert all(
        x.source_date is not None and x.source_date.isoformat() < "2024-05-15"
        for x in leads.values()
    )
    others = [a for a in plan.dropback if leads[a.lead_id].source in (*OTHER_SOURCES, None)]
    assert others and {a.user_id for a in others} == {1}


def test_dropback_conditions_and_report_only(demo_dir: Path) -> None:
    conditional = DROPBACK.replace(
        "age_threshold: {days: 30, field_name: source_date}",
        'age_thresholds:\n      vip: {days: 30, conditions: ["priority >= 3"]}',
    ).replace(
        "  dropback_filter:\n    enabled: true\n",
        "  dropback_filter:\n    enabled: true\n    assignment_config: {assign_immediately: false}\n",
    )
    plan = plan_for(configure(demo_dir, conditional))
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        leads = store.read_leads([a.lead_id for a in plan.dropback])
    assert leads and all(x.priority >= 2 for x in leads)
    assert not plan.dropback_applied
    assert all("dropback" not in str(w.values.get("status", "")) for w in plan.writes)
