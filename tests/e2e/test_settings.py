"""Settings of the spec that each change what a run does, checked by what they change.

Every test runs the demo configuration with one setting added and looks at
the plan, the CRM or the files the run leaves.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.running import build_plan
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.errors import ConfigError, RunFailed, RunSkipped, UserInputError
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.pipeline.finding.test_configured import DROPBACK, LEGACY, configure, plan_for

OPTIONS = RunOptions(today=TODAY, seed=5)
SALES = "Sales filter (has opportunities)"
CAMPAIGN = "campaign:\n  name: Voice\n  target_campaign: Voice\n"


def append(demo_dir: Path, text: str) -> Path:
    config = demo_dir / "config.yaml"
    config.write_text(config.read_text() + text)
    return config


def replace_in(demo_dir: Path, old: str, new: str) -> Path:
    config = demo_dir / "config.yaml"
    body = config.read_text()
    assert old in body
    config.write_text(body.replace(old, new))
    return config


def leads(demo_dir: Path) -> dict[int, object]:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        return {x.id: x for x in store.search_leads([("active", "in", [True, False])])}


# Which campaign, and whether and how often it runs


@pytest.mark.parametrize(
    ("campaign", "source_campaign"),
    [("  name: Voice\n", ""), ("  name: Other\n", "    campaign: Voice\n")],
)
def test_the_campaign_comes_from_the_most_specific_setting(
    demo_dir: Path, campaign: str, source_campaign: str
) -> None:
    # Without either target_campaign: source_config.campaign, else campaign.name.
    replace_in(demo_dir, "  name: Voice\n  target_campaign: Voice\n", campaign)
    replace_in(demo_dir, "    enabled: true\n    target_campaign: Voice\n", "    enabled: true\n")
    config = replace_in(
        demo_dir,
        "  source_config:\n    campaign_table:\n",
        f"  source_config:\n{source_campaign}    campaign_table:\n",
    )
    plan = plan_for(load_config(config))
    assert plan.campaign == "Voice" and len(plan.salespeople) == 4


def test_an_inactive_campaign_is_not_distributed(demo_dir: Path) -> None:
    config = replace_in(demo_dir, CAMPAIGN, CAMPAIGN + "  active: false\n")
    before = leads(demo_dir)
    with pytest.raises(
        RunSkipped, match=r"campaign Voice is not active \(campaign.active: false\)"
    ):
        run_distribution(load_config(config), dry_run=False, options=OPTIONS)
    assert leads(demo_dir) == before
    # A dry run still shows what would be distributed, and says a real run would not.
    dry = run_distribution(load_config(config), dry_run=True, options=OPTIONS)
    assert dry.plan.assignments and dry.dry_run
    assert any("a real run distributes nothing" in note for note in dry.notes)


def test_distribution_frequency_weekly_distributes_once_a_week(demo_dir: Path) -> None:
    config = replace_in(demo_dir, CAMPAIGN, CAMPAIGN + "  distribution_frequency: weekly\n")
    loaded = load_config(config)
    monday = TODAY - timedelta(days=TODAY.weekday())
    first = run_distribution(loaded, dry_run=False, options=RunOptions(today=monday, seed=1))
    assert first.applied is not None and first.applied.written > 0
    thursday = run_distribution(
        loaded, dry_run=False, options=RunOptions(today=monday + timedelta(days=3), seed=2)
    )
    assert thursday.applied is None and thursday.skipped
    assert "distribution_frequency is weekly" in thursday.notes[-1]
    next_week = run_distribution(
        loaded, dry_run=False, options=RunOptions(today=monday + timedelta(days=7), seed=3)
    )
    assert next_week.applied is not None


def test_a_dry_run_on_a_day_already_distributed_says_so(demo_dir: Path) -> None:
    loaded = load_config(demo_dir / "config.yaml")
    run_distribution(loaded, dry_run=False, options=OPTIONS)
    dry = run_distribution(loaded, dry_run=True, options=OPTIONS)
    assert dry.dry_run
    assert any("a real run now changes nothing unless --run-again" in note for note in dry.notes)


# Lead finding


def test_status_filters_date_range_days_bounds_each_group(demo_dir: Path) -> None:
    wide = plan_for(configure(demo_dir, LEGACY))
    narrow = plan_for(
        configure(
            demo_dir,
            LEGACY.replace(
                '      statuses: ["Utr", "Call Back"]\n',
                '      statuses: ["Utr", "Call Back"]\n      date_range_days: 10\n',
            ),
        )
    )
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        found = {x.id: x for x in store.read_leads(a.lead_id for a in narrow.assignments)}
        wide_found = {x.id: x for x in store.read_leads(a.lead_id for a in wide.assignments)}
    active = {p.user_id for p in narrow.salespeople}
    recent = TODAY - timedelta(days=10)
    for lead in found.values():
        if lead.open_user_id in active:
            assert lead.source_date is not None and lead.source_date >= recent
    # The inactive group keeps its 30 days; active salespeople's older leads drop out.
    old_active = [
        x for x in wide_found.values() if x.open_user_id in active and x.source_date < recent
    ]
    assert old_active and 0 < narrow.distributable < wide.distributable


def test_a_date_range_strategy_of_the_configuration(demo_dir: Path) -> None:
    plan = plan_for(
        configure(
            demo_dir,
            LEGACY
            + "  date_range:\n    strategy: last_week\n"
            + "  date_range_strategies:\n    last_week: {older_than_days: 0, younger_than_days: 7}\n",
        )
    )
    assert (plan.date_start, plan.date_end) == (
        TODAY - timedelta(days=7),
        TODAY - timedelta(days=1),
    )


def test_status_and_include_tags_and_campaign_settings(demo_dir: Path) -> None:
    base = LEGACY
    status = plan_for(
        configure(
            demo_dir,
            base
            + "  additional_filters:\n    status:\n      values: [utr]\n"
            + "    status_matching: {case_sensitive: false, match_mode: exact}\n",
        )
    )
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        statuses = {x.status for x in store.read_leads(a.lead_id for a in status.assignments)}
    assert statuses == {"Utr"}  # "utr" matched without case; Call Back left out
    tagged = plan_for(
        configure(demo_dir, base + "  additional_filters:\n    include_tags: {values: [web]}\n")
    )
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        found = store.read_leads(a.lead_id for a in tagged.assignments)
    assert found and all("Web" in x.tags for x in found)
    assert tagged.excluded["Lacks an included tag"] > 0
    campaigns = plan_for(
        configure(
            demo_dir,
            base
            + "  campaigns:\n    types: [spring]\n"
            + "    campaign_settings:\n      spring: {match_mode: exact, include_partial_matches: true, case_sensitive: false}\n",
        )
    )
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        found = store.read_leads(a.lead_id for a in campaigns.assignments)
    assert found and all("spring" in (x.campaign or "").casefold() for x in found)


def test_sales_filter_counts_by_stage_logs_and_exports_the_ledger(
    demo_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = configure(
        demo_dir,
        LEGACY
        + """
  sales_filter:
    enabled: true
    log_level: warning
    opportunity_criteria: {exclude_stages: ["Lost"], active_only: true}
    reporting:
      log_excluded_leads: true
      log_match_details: true
      count_excluded_by_stage: true
      export_excluded_leads: true
      export_path: ledger/excluded.csv
""",
    ).path
    with caplog.at_level(logging.WARNING, logger="odoo_lead_manager"):
        outcome = run_distribution(load_config(config), dry_run=True, options=OPTIONS)
    plan = outcome.plan
    by_stage = plan.excluded_detail[SALES]
    assert sum(by_stage.values()) == plan.excluded[SALES] > 0
    assert all(label.startswith("partner, stage") and "Lost" not in label for label in by_stage)
    assert f"sales filter: {plan.excluded[SALES]} leads excluded" in caplog.text
    assert caplog.text.count("sales filter: lead ") == plan.excluded[SALES]
    # The ledger: every examined lead once: not distributed, with why, or moved, with why.
    with (demo_dir / "ledger" / "excluded.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    reasons = Counter(row["excluded_by"] for row in rows)
    for name, count in plan.excluded.items():
        assert reasons.get(name, 0) == count
    for reason, ids in plan.unassigned.items():
        assert reasons[f"not distributed: {reason}"] == len(ids)
    assert len({row["lead_id"] for row in rows}) == len(rows)
    assert len(rows) == plan.examined
    moved = [row for row in rows if row["reason_code"] == "distributed"]
    assert {int(row["lead_id"]) for row in moved} == {a.lead_id for a in plan.assignments}
    assert all(row["moved_to"] and row["reason"] for row in moved)
    sold = [row for row in rows if row["excluded_by"] == SALES]
    assert sold and all(row["detail"].startswith("partner, stage") for row in sold)


def test_the_ledger_does_not_change_what_is_found(demo_dir: Path) -> None:
    plain = plan_for(configure(demo_dir, LEGACY + "  sales_filter:\n    enabled: true\n"))
    ledger = plan_for(
        configure(
            demo_dir,
            LEGACY + "  sales_filter:\n    reporting: {export_excluded_leads: true}\n",
        )
    )
    assert plain.excluded == ledger.excluded and plain.examined == ledger.examined
    assert [a.lead_id for a in plain.assignments] == [a.lead_id for a in ledger.assignments]


# Dropback


def test_dropback_keeps_teams_logs_exports_and_batches(
    demo_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = configure(
        demo_dir,
        DROPBACK.replace(
            '      Voice: {user: "Pat Adler", team: "Voice", status: "dropback_voice", priority: 2}\n',
            '      Voice: {user: "Pat Adler", status: "dropback_voice"}\n',
        )
        + """
    assignment_config: {preserve_team_assignment: true}
    logging: {log_dropback_assignments: true, log_level: warning, include_lead_details: true}
    reporting: {export_dropback_report: true, report_path: out/dropback.csv}
    performance: {batch_size: 7}
""",
    ).path
    before = leads(demo_dir)
    with caplog.at_level(logging.WARNING, logger="odoo_lead_manager"):
        outcome = run_distribution(load_config(config), dry_run=False, options=OPTIONS)
    plan = outcome.plan
    assert plan.dropback and outcome.applied is not None and outcome.applied.complete
    after = leads(demo_dir)
    for assignment in plan.dropback:
        lead = after[assignment.lead_id]
        assert lead.user_id == assignment.user_id
        assert lead.team_id == before[assignment.lead_id].team_id  # kept, not the new owner's
    assert all(g.batch_size == 7 for g in plan.writes if "dropback_voice" in g.values.values())
    assert (
        f"dropback Voice: {plan.dropback_by_campaign[('Voice', 5)]} leads to Pat Adler"
        in caplog.text
    )
    assert caplog.text.count("dropback lead ") == len(plan.dropback)
    with (demo_dir / "out" / "dropback.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {int(r["lead_id"]) for r in rows} == {a.lead_id for a in plan.dropback}
    assert {r["dry_run"] for r in rows} == {"False"}


def test_dropback_counts_can_be_left_out_of_reports(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configure(demo_dir, DROPBACK + "    reporting: {count_dropback_leads: false}\n").path
    assert main(["dailydist", "--config", str(config), "--dry-run", "--today", TODAY.isoformat(),
                 "--generate-report", "--report-format", "json",
                 "--report-location", str(demo_dir / "r")]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Dropback analysis" not in out and "Dropback leads" not in out
    (report,) = (demo_dir / "r").glob("*.json")
    assert json.loads(report.read_text())["distribution_summary"]["dropback"] == {}


# What to do with nobody to distribute to, or nothing to distribute


def test_no_salespeople_with_generate_warning_still_drops_back(demo_dir: Path) -> None:
    config = configure(demo_dir, DROPBACK).path
    body = config.read_text().replace("    target_campaign: Voice\n", "    target_campaign: Fax\n")
    # Fax has one salesperson, inactive: nobody is eligible (a campaign no row names is a
    # typo, refused).
    with (demo_dir / "salesperson_campaigns.csv").open("a", encoding="utf-8") as table:
        table.write("Jack Lewis,Fax,false,Apple,junior,300\n")
    config.write_text(
        body
        + "error_handling:\n  fallback_strategies:\n    when_no_salespeople_found: generate_warning\n"
    )
    plan = plan_for(load_config(config))
    assert plan.salespeople == () and plan.assignments == () and plan.dropback
    assert any("when_no_salespeople_found: generate_warning" in w for w in plan.warnings)
    assert sum(len(ids) for ids in plan.unassigned.values()) == plan.distributable


@pytest.mark.parametrize(
    ("choice", "error"),
    [("skip_distribution", RunSkipped), ("fail", RunFailed), ("generate_warning", None)],
)
def test_no_leads_found(demo_dir: Path, choice: str, error: type[Exception] | None) -> None:
    nothing = LEGACY.replace('["Utr", "Call Back"]', '["Nothing"]').replace(
        '["Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New"]',
        '["Nothing"]',
    )
    configure(demo_dir, nothing)
    config = append(
        demo_dir, f"error_handling:\n  fallback_strategies:\n    when_no_leads_found: {choice}\n"
    )
    loaded = load_config(config)
    if error is not None:
        with pytest.raises(error, match=f"when_no_leads_found: {choice}"):
            plan_for(loaded)
        return
    plan = plan_for(loaded)
    assert plan.distributable == 0
    assert any("when_no_leads_found: generate_warning" in w for w in plan.warnings)


def test_too_many_skipped_entries_stop_the_run(demo_dir: Path) -> None:
    sources = ", ".join(f'"nowhere {i}"' for i in range(6))
    config = configure(
        demo_dir,
        LEGACY
        + "  web_sources:\n    source_type: config\n"
        + f'    source_config: {{sources: ["Website", {sources}]}}\n'
        + "    validate_sources: true\n    exclude_invalid: true\n",
    ).path
    with pytest.raises(
        UserInputError, match=r"6 entries skipped as invalid .*max_validation_errors \(5\)"
    ):
        plan_for(load_config(config))
    append(demo_dir, "error_handling:\n  error_thresholds: {max_validation_errors: 6}\n")
    assert plan_for(load_config(config)).distributable > 0


# Monitoring, the audit trail, the configuration's own keys


def test_monitoring_reports_stages_memory_and_slow_runs(
    demo_dir: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    config = append(
        demo_dir,
        "monitoring:\n  track_memory_usage: true\n  alert_on_slow_execution: true\n"
        "  slow_execution_threshold_seconds: 0.000001\n",
    )
    with caplog.at_level(logging.INFO, logger="odoo_lead_manager"):
        assert (
            main(
                ["dailydist", "--config", str(config), "--today", TODAY.isoformat(), "--run-again"]
            )
            == 0
        )
    out = capsys.readouterr().out
    assert "stages: planning " in out and "writing " in out and "history " in out
    assert "peak memory " in out and "WARNING: SLOW RUN: " in out
    assert "execution time " in caplog.text and "SLOW RUN" in caplog.text
    replace_in(demo_dir, "  track_memory_usage: true\n", "  track_memory_usage: false\n")
    replace_in(
        demo_dir, "  alert_on_slow_execution: true\n", "  enable_performance_tracking: false\n"
    )
    assert (
        main(["dailydist", "--config", str(config), "--dry-run", "--today", TODAY.isoformat()]) == 0
    )
    out = capsys.readouterr().out
    assert "stages:" not in out and "peak memory" not in out and "SLOW RUN" not in out


def test_the_audit_trail_records_each_command_and_retention_prunes_it(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(demo_dir / "config.yaml")
    day = ["--today", TODAY.isoformat()]
    assert main(["dailydist", "--config", config, "--dry-run", *day]) == 0
    assert main(["dailydist", "--config", config, *day, "--run-again"]) == 0
    trail = demo_dir / ".odlm-state" / "audit.log"
    entries = [json.loads(line) for line in trail.read_text().splitlines()]
    assert [e["command"] for e in entries] == ["dailydist --dry-run", "dailydist"]
    real = entries[1]
    assert real["outcome"] == "completed" and real["written"] > 0 and real["campaign"] == "Voice"
    assert set(real) >= {"time", "user", "host", "config", "run_id", "planned", "seconds"}
    assert main(["undo", real["run_id"], "--config", config]) == 0
    assert json.loads(trail.read_text().splitlines()[-1])["command"] == "undo"
    capsys.readouterr()
    # Entries older than security.retention_policy_days (90) go with odlm retention.
    later = (date.today() + timedelta(days=91)).isoformat()
    assert main(["retention", "--config", config, "--today", later, "--dry-run"]) == 0
    assert "3 entries older than 90 days (security.retention_policy_days) would be dropped" in (
        capsys.readouterr().out
    )
    assert len(trail.read_text().splitlines()) == 3
    assert main(["retention", "--config", config, "--today", later]) == 0
    assert trail.read_text() == ""
    # Off, nothing is written.
    append(demo_dir, "security:\n  log_audit_trail: false\n")
    assert main(["dailydist", "--config", config, "--dry-run", *day]) == 0
    assert trail.read_text() == ""


def test_the_configuration_version_and_name(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = replace_in(demo_dir, 'version: "1.0"', 'version: "2.0"')
    with pytest.raises(
        ConfigError, match=r"version: '2.0': this odlm reads configuration version 1.0"
    ):
        load_config(config)
    replace_in(demo_dir, 'version: "2.0"', "version: 1")
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    assert "Configuration: Daily Lead Distribution - Voice (demo)" in capsys.readouterr().out


def test_settings_that_change_nothing_are_named_in_a_warning(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = replace_in(
        demo_dir,
        "tracking:\n  enabled: true\n",
        "tracking:\n  enabled: true\n  async_tracking: true\n",
    )
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "WARNING: tracking.async_tracking has no effect: recording is one transaction" in out


def test_a_day_of_its_own_reproduces_a_plan(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(demo_dir / "config.yaml")
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        plan = build_plan(load_config(config), store, RunOptions(today=TODAY, seed=9))
    assert main(["dailydist", "--config", config, "--dry-run", "--today", TODAY.isoformat(),
                 "--seed", "9", "--plan-out", str(demo_dir / "p.json")]) == 0  # fmt: skip
    saved = json.loads((demo_dir / "p.json").read_text())
    assert [a["lead_id"] for a in saved["assignments"]] == [a.lead_id for a in plan.assignments]
    assert saved["today"] == TODAY.isoformat()
    # A real run for another day than today needs --run-again.
    status = main(["dailydist", "--config", config, "--today", TODAY.isoformat()])
    assert status == 2 and "needs --run-again" in capsys.readouterr().err


def test_opportunity_criteria_choose_which_opportunities_count(demo_dir: Path) -> None:
    every = plan_for(configure(demo_dir, LEGACY + "  sales_filter:\n    enabled: true\n"))
    won = plan_for(
        configure(
            demo_dir,
            LEGACY
            + "  sales_filter:\n    opportunity_criteria:\n      include_stages: [Won]\n"
            + "      date_filter: {enabled: true, field_name: create_date, newer_than_days: 3650}\n",
        )
    )
    assert 0 < won.excluded[SALES] < every.excluded[SALES]
    none = plan_for(
        configure(
            demo_dir,
            LEGACY
            + "  sales_filter:\n    opportunity_criteria:\n      include_stages: [Nowhere]\n",
        )
    )
    assert none.excluded[SALES] == 0


def test_web_source_matching_routes_dropback_by_patterns(demo_dir: Path) -> None:
    plan = plan_for(
        configure(
            demo_dir,
            LEGACY
            + """
  dropback_filter:
    enabled: true
    age_threshold: {days: 30, field_name: source_date}
    web_source_matching:
      primary_field: source_id
      fallback_fields: [{field: campaign_id}]
      campaign_patterns:
        Voice: {exact_matches: ["Website"], pattern_matches: ["^face"]}
        Apple: {pattern_matches: ["(?i)google"]}
    campaign_assignments: {Voice: "Pat Adler", Apple: "Kevin Levonas"}
""",
        )
    )
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        sources = {x.id: x.source for x in store.read_leads(a.lead_id for a in plan.dropback)}
    assert plan.dropback
    for assignment in plan.dropback:
        source = sources[assignment.lead_id] or ""
        if source == "Website" or source.startswith("Face"):
            assert assignment.user_id == 5
        elif "google" in source.lower():
            assert assignment.user_id == 6


def test_trigger_conditions_of_the_configuration(demo_dir: Path) -> None:
    config = append(
        demo_dir,
        "",
    )
    config.write_text(
        config.read_text()
        .replace(
            "  round_robin_override:\n    distribution_order: random\n",
            "  round_robin_override:\n    distribution_order: random\n    enabled: true\n"
            '    trigger_conditions: ["when_salespeople_count < 5"]\n',
        )
        .replace("  strategy: round_robin\n", "  strategy: capacity_based\n")
    )
    plan = plan_for(load_config(config))
    assert plan.strategy == "round_robin" and plan.configured_strategy == "capacity_based"
    assert plan.strategy_note is not None and "when_salespeople_count < 5" in plan.strategy_note
