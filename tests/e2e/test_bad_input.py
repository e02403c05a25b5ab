"""Bad input ends with one message naming the problem, exit status 2, and no change."""

from __future__ import annotations

from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.crm.local.store import LocalStore

ALL = [("active", "in", [True, False])]

# Bad lead_finding settings (inserted before activity_deadline) and what the error names.
LEAD_FINDING_ERRORS = [
    (
        "  web_sources:\n    source_type: config\n    source_config: {sources: [Website]}\n"
        "    regex_patterns: ['(unclosed']\n",
        "lead_finding.web_sources.regex_patterns",
    ),
    (
        "  campaigns:\n    types: [Voice]\n    match_mode: fuzzy\n",
        "lead_finding.campaigns.match_mode",
    ),
    (
        "  web_sources:\n    source_type: file\n    source_config: {file_path: nowhere.txt}\n",
        "web source file not found",
    ),
    (
        "  campaigns:\n    types: ['(voice']\n    match_mode: regex\n",
        "lead_finding.campaigns: invalid regular expression '(voice'",
    ),
    (
        "  campaigns:\n    types: [Voice]\n    campaign_settings: {Apple: {match_mode: exact}}\n",
        "campaign_settings: Apple not listed in lead_finding.campaigns.types",
    ),
    (
        "  dropback_filter:\n    campaign_assignments: {Voice: Nobody Known}\n",
        "lead_finding.dropback_filter users: not CRM users: Nobody Known",
    ),
    (
        "  dropback_filter:\n    campaign_assignments: {Voice: Pat Adler}\n"
        "    age_thresholds:\n      vip: {days: 30, conditions: ['priority is high']}\n",
        "age_thresholds.vip.conditions: cannot read condition 'priority is high'",
    ),
    (
        "  sales_filter:\n    secondary_matches:\n"
        "      x: {enabled: true, lead_field: mobile, opportunity_field: mobile}\n",
        "lead_finding.sales_filter: lead field 'mobile' cannot be matched",
    ),
    (
        "  additional_filters:\n    dnc_filtering:\n      regex_patterns: ['[dnc']\n",
        "lead_finding.additional_filters.dnc_filtering.regex_patterns",
    ),
]


def leads(crm: Path) -> list[object]:
    with LocalStore.open(crm) as store:
        return list(store.search_leads(ALL))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(args)
    return status, capsys.readouterr().err


def edit(config: Path, old: str, new: str) -> None:
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  strategy: round_robin",
            "  strategy: round_robin\n  strategy_x: 1",
            "distribution.strategy_x",
        ),
        (
            "    older_than_days: 0",
            "    older_than_days: zero",
            "lead_finding.date_range.older_than_days",
        ),
        ("name: Voice\n", "name: Voice\n  bad: [\n", "line"),
        (
            "      file_path: salesperson_campaigns.csv",
            "      file_path: missing.csv",
            "campaign table not found",
        ),
        ("  local_path: crm.sqlite", "  local_path: nowhere.sqlite", "nowhere.sqlite"),
        (
            "  team_assignment: Voice",
            "  team_assignment: Nonexistent Team",
            "sales team(s) not found in the CRM: Nonexistent Team",
        ),
        (
            'excluded_users: ["Drew Cox"',
            'excluded_users: ["Nobody At All", "Drew Cox"',
            "lead_finding.excluded_users: not CRM users: Nobody At All",
        ),
        (
            "    distribution_order: random\n",
            "    distribution_order: random\n    enabled: true\n"
            '    trigger_conditions: ["when_leads < 10"]\n',
            "distribution.round_robin_override.trigger_conditions: "
            "'when_leads < 10': unknown condition when_leads",
        ),
        (
            "    distribution_order: random\n",
            '    distribution_order: random\n    trigger_conditions: ["when_lead_count < ten"]\n',
            "'when_lead_count < ten': 'ten' is not a whole number",
        ),
        (
            "  strategy: round_robin",
            "  strategy: proportional\n  proportional:\n    weights: {senior: -1}",
            "distribution.proportional.weights.senior: Input should be greater than or equal to 0",
        ),
        (
            "  strategy: round_robin",
            "  strategy: capacity_based\n  error_handling_x: 1",
            "distribution.error_handling_x",
        ),
        (
            "  owner_fields:",
            "  caps:\n    default:\n      per_dai: 5\n  owner_fields:",
            "distribution.caps.default.per_dai",
        ),
        (
            "  owner_fields:",
            "  advanced_rules:\n    workload_balancing:\n      max_daily_distribution: 2\n"
            "      min_daily_distribution: 5\n  owner_fields:",
            "min_daily_distribution (5) is greater than max_daily_distribution (2)",
        ),
        *[
            ("  activity_deadline:", block + "  activity_deadline:", message)
            for block, message in LEAD_FINDING_ERRORS
        ],
        (
            "    younger_than_days: 30\n",
            "    younger_than_days: 30\n    strategy: custom_range\n"
            "  date_range_strategies:\n    custom_range: {description: open}\n",
            "date_range_strategies.custom_range: set older_than_days or younger_than_days",
        ),
        (
            'description: "Demo',
            'description: "${ODLM_TEST_UNSET_VARIABLE} Demo',
            "ODLM_TEST_UNSET_VARIABLE",
        ),
    ],
)
def test_bad_config_exits_2_and_changes_nothing(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    config = demo_dir / "config.yaml"
    edit(config, old, new)
    before = leads(demo_dir / "crm.sqlite") if (demo_dir / "crm.sqlite").exists() else None
    status, err = run(["dailydist", "--config", str(config)], capsys)
    assert status == 2
    assert message in err
    assert err.startswith("error: ") and "Traceback" not in err
    assert leads(demo_dir / "crm.sqlite") == before


def test_bad_campaign_row(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = demo_dir / "salesperson_campaigns.csv"
    lines = table.read_text().splitlines()
    lines.append("Someone Unknown,Voice,true,Voice,junior,100")
    table.write_text("\n".join(lines) + "\n")
    before = leads(demo_dir / "crm.sqlite")
    status, err = run(["dailydist", "--config", str(demo_dir / "config.yaml")], capsys)
    assert status == 2
    assert "'Someone Unknown'" in err and "is not a CRM user" in err
    assert leads(demo_dir / "crm.sqlite") == before


def test_missing_config_and_missing_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run(["dailydist", "--config", str(tmp_path / "none.yaml")], capsys)
    assert status == 2 and "none.yaml" in err
    status, err = run(["dailydist"], capsys)
    assert status == 2 and "--config FILE is required" in err


def test_bad_override_date_range(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(demo_dir / "config.yaml")
    status, err = run(
        ["dailydist", "--config", config, "--override-date-range", "2024-13-01"], capsys
    )
    assert status == 2 and "START,END" in err
    status, err = run(
        ["dailydist", "--config", config, "--override-date-range", "2024-02-01,2024-01-01"], capsys
    )
    assert status == 2 and "is after end" in err


SELECTION = """salesperson_selection:
  source_type: campaign_table
  source_config:
    campaign_table:
      file_path: salesperson_campaigns.csv
  campaign_filtering:
    enabled: true
    target_campaign: Voice
    include_inactive_salespeople: false
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
  filters:
    active_only: true
"""


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (
            "salesperson_selection:\n  source_type: file\n  source_config: {file_path: gone.txt}\n",
            "salespeople file not found",
        ),
        (
            "salesperson_selection:\n  source_type: database\n  source_config:\n"
            '    database_query: {where_clause: "active = true OR id = 1"}\n',
            "salesperson_selection.source_config.database_query.where_clause: "
            "OR is not part of the safe where_clause form",
        ),
        (
            "salesperson_selection:\n  source_type: database\n  source_config:\n"
            '    database_query: {table: crm_lead, where_clause: "id = 1"}\n',
            "only the CRM's users (res_users) can be queried",
        ),
        (
            SELECTION + "    min_experience_level: expert\n",
            "min_experience_level 'expert' is not one of senior, mid_level, junior",
        ),
        (
            SELECTION.replace(
                "campaign_table:\n", "campaign_table:\n      table_name: campaigns\n"
            ).replace("      file_path: salesperson_campaigns.csv\n", ""),
            "database_connection is required to read from a database",
        ),
    ],
)
def test_bad_selection_exits_2_and_changes_nothing(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], selection: str, message: str
) -> None:
    config = demo_dir / "config.yaml"
    text = config.read_text()
    assert SELECTION in text
    config.write_text(text.replace(SELECTION, selection))
    before = leads(demo_dir / "crm.sqlite")
    status, err = run(["dailydist", "--config", str(config), "--dry-run"], capsys)
    assert status == 2, err
    assert message in err
    assert err.startswith("error: ") and "Traceback" not in err
    assert leads(demo_dir / "crm.sqlite") == before


# A campaign no row names is a typo, exit 2 whatever the policy: test_no_silent_typo.py.
NOBODY = [
    (
        SELECTION + "    team_filter: Apple\n",
        "no eligible salespeople for campaign Voice: 10 in table, 4 excluded, "
        "4 not in team Apple, 1 inactive, 1 archived in the CRM",
    ),
    (
        SELECTION + "    max_workload_percentage: 1\n",
        "no eligible salespeople for campaign Voice: 10 in table, 4 excluded, "
        "1 inactive, 1 archived in the CRM, 4 above 1% of target",
    ),
]


@pytest.mark.parametrize(("selection", "message"), NOBODY)
@pytest.mark.parametrize("dry", [True, False])
def test_nobody_eligible_skips_the_run_by_default(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], selection: str, message: str, dry: bool
) -> None:
    config = demo_dir / "config.yaml"
    config.write_text(config.read_text().replace(SELECTION, selection))
    before = leads(demo_dir / "crm.sqlite")
    status = main(["dailydist", "--config", str(config), *(["--dry-run"] if dry else [])])
    out, err = capsys.readouterr()
    # §9.2's default, when_no_salespeople_found: skip_distribution: exit 0, said, nothing written.
    assert status == 0 and err == ""
    assert out == (
        f"Note: {message}; nothing was distributed "
        "(error_handling.fallback_strategies.when_no_salespeople_found: skip_distribution)\n"
    )
    assert leads(demo_dir / "crm.sqlite") == before


@pytest.mark.parametrize(("selection", "message"), NOBODY)
def test_nobody_eligible_fails_when_so_configured(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], selection: str, message: str
) -> None:
    config = demo_dir / "config.yaml"
    fail = "error_handling:\n  fallback_strategies:\n    when_no_salespeople_found: fail\n"
    config.write_text(config.read_text().replace(SELECTION, selection) + fail)
    before = leads(demo_dir / "crm.sqlite")
    status, err = run(["dailydist", "--config", str(config)], capsys)
    assert status == 2 and err.startswith(f"error: {message} (") and "Traceback" not in err
    assert leads(demo_dir / "crm.sqlite") == before


def test_unknown_salespeople_can_be_skipped(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    table = demo_dir / "salesperson_campaigns.csv"
    table.write_text(table.read_text() + "Someone Unknown,Voice,true,Voice,junior,100\n")
    config = demo_dir / "config.yaml"
    config.write_text(
        config.read_text().replace(SELECTION, SELECTION + "  unknown_salespeople: skip\n")
    )
    status = main(["dailydist", "--config", str(config), "--dry-run"])
    captured = capsys.readouterr()
    assert status == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("'Someone Unknown'" in w and w.endswith("; skipped") for w in warnings)
    assert "Someone Unknown (not CRM users)" in captured.out
