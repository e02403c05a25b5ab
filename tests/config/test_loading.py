"""Loading files: formats, `${VAR}` substitution, and one clear error per bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from odoo_lead_manager.config.loading import load_config, parse_config
from odoo_lead_manager.errors import ConfigError, MissingEnvironmentVariable

GOOD = """\
campaign:
  name: Voice
lead_finding:
  date_range:
    younger_than_days: 45
distribution:
  strategy: round_robin
"""


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    assert caught.value.exit_status == 2
    assert str(path) in caught.value.message
    return caught.value.message


def test_yaml_and_json_load_the_same(tmp_path: Path) -> None:
    import yaml

    from_yaml = load_config(write(tmp_path, GOOD), environ={})
    from_json = load_config(
        write(tmp_path, json.dumps(yaml.safe_load(GOOD)), "config.json"), environ={}
    )
    assert from_yaml.config == from_json.config
    assert from_yaml.config.lead_finding.date_range.younger_than_days == 45


def test_a_minimal_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "campaign:\n  name: Voice\n"), environ={}).config
    assert config.distribution.strategy == "round_robin"
    assert config.lead_finding.date_range.younger_than_days == 30


def test_relative_paths_are_read_from_the_config_folder(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, GOOD), environ={})
    assert loaded.resolve_path("data/table.csv") == tmp_path / "data/table.csv"
    assert loaded.resolve_path("/abs/t.csv") == Path("/abs/t.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("campaign:\n  name: [unclosed\n", "line 3"),
        (
            "campaign: {name: Voice}\ncampaign: {name: Apple}\n",
            "line 2, column 1: invalid YAML: key 'campaign' is given twice",
        ),
        ("- a list\n", "must be a mapping of sections, not list"),
        (
            "distribution:\n  strategy: round_robin\n  stratgey: level_based\n",
            "distribution.stratgey: unknown key in distribution (did you mean 'strategy'?)",
        ),
        (
            "lead_finding:\n  date_rnage: {}\n",
            "lead_finding.date_rnage: unknown key in lead_finding (did you mean 'date_range'?)",
        ),
        ("zzz: 1\n", "zzz: unknown key in the top level"),
        (
            "lead_finding:\n  date_range:\n    older_than_days: zero\n",
            "lead_finding.date_range.older_than_days: Input should be a valid integer",
        ),
        (
            "lead_finding:\n  date_range:\n    older_than_days: -1\n",
            "lead_finding.date_range.older_than_days: Input should be greater than or equal to 0 (got -1)",
        ),
        (
            "lead_finding:\n  date_range:\n    older_than_days: 30\n    younger_than_days: 30\n",
            "lead_finding.date_range: younger_than_days (30) must be greater than older_than_days (30)",
        ),
        (
            "distribution:\n  strategy: fastest\n",
            "distribution.strategy: Input should be 'level_based', 'round_robin', 'proportional' or 'capacity_based' (got 'fastest')",
        ),
        (
            "distribution:\n  strategy: level_based\n",
            "distribution: strategy 'level_based' needs level_based.levels",
        ),
        (
            "distribution:\n  level_based:\n    levels:\n      senior: {target_lead: 5}\n",
            "distribution.level_based.levels.senior.target_lead: unknown key in distribution.level_based.levels.senior (did you mean 'target_leads'?)",
        ),
        (
            "lead_finding:\n  web_sources:\n    regex_patterns: ['^fb(']\n",
            "lead_finding.web_sources.regex_patterns: invalid regular expression '^fb('",
        ),
        (
            "lead_finding:\n  additional_filters:\n    status: {values: ['(new'], match_mode: regex}\n",
            "lead_finding.additional_filters.status: invalid regular expression '(new'",
        ),
        (
            "lead_finding:\n  additional_filters:\n    status: {values: [a], match_mode: fuzzy}\n",
            "lead_finding.additional_filters.status.match_mode: Input should be 'exact', 'partial' or 'regex'",
        ),
        (
            "lead_finding:\n  additional_filters:\n    required_fields: [name, emial]\n",
            "lead_finding.additional_filters.required_fields: unknown lead field(s) 'emial'",
        ),
        (
            "lead_finding:\n  excluded_users: Drew Cox\n",
            "lead_finding.excluded_users: Input should be a valid list",
        ),
        (
            "execution:\n  batch_size: 0\n",
            "execution.batch_size: Input should be greater than or equal to 1",
        ),
        (
            "lead_finding:\n  date_range:\n    custom_start_date: 2024-02-30\n",
            "lead_finding.date_range.custom_start_date",
        ),
        (
            "lead_finding:\n  date_range:\n    strategy: weekly\n",
            "date_range.strategy 'weekly' is not in date_range_strategies (current_30_day, extended_60_day",
        ),
        (
            "reporting:\n  distribution_summary:\n    total_leads_found: 150\n",
            "reporting: distribution_summary: these are sections of the distribution report",
        ),
        (
            'salesperson_selection:\n  source_type: "campaign_table" | "file"\n',
            'the spec writes choices as "a" | "b"',
        ),
        (
            "description: '${BROKEN'\n",
            "description: '${BROKEN' holds a malformed environment reference",
        ),
    ],
)
def test_bad_configuration_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_several_problems_are_listed_together(tmp_path: Path) -> None:
    message = error_of(tmp_path, "execution:\n  batch_size: 0\n  max_retries: many\nzzz: 1\n")
    assert "3 problems in the configuration" in message
    for key in ("execution.batch_size", "execution.max_retries", "zzz"):
        assert f"\n  {key}: " in message


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"configuration file not found: .*none\.yaml"):
        load_config(tmp_path / "none.yaml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"line \d+, column \d+: not UTF-8 text"):
        load_config(bad)
    broken_json = write(tmp_path, '{"campaign": {"name": "Voice",}}', "c.json")
    with pytest.raises(ConfigError, match=r"c.json: line 1, column \d+: invalid JSON"):
        load_config(broken_json)


def test_environment_variables_and_defaults(tmp_path: Path) -> None:
    text = """\
name: "${RUN_NAME:-Nightly} run"
execution:
  batch_size: ${BATCH}
  max_leads_per_run: ${MAX_LEADS:-250}
description: "costs $${PRICE}"
"""
    config = load_config(write(tmp_path, text), environ={"BATCH": "75"}).config
    assert config.name == "Nightly run"
    assert config.execution.batch_size == 75
    assert config.execution.max_leads_per_run == 250
    assert config.description == "costs ${PRICE}"
    named = load_config(write(tmp_path, text), environ={"BATCH": "5", "RUN_NAME": "Morning"})
    assert named.config.name == "Morning run"


def test_missing_variable_outside_connections_fails_at_load(tmp_path: Path) -> None:
    with pytest.raises(MissingEnvironmentVariable) as caught:
        load_config(write(tmp_path, "execution:\n  batch_size: ${BATCH}\n"), environ={})
    assert "execution.batch_size: environment variable BATCH is not set" in caught.value.message


def test_missing_variable_in_a_connection_fails_when_needed(tmp_path: Path) -> None:
    text = """\
odoo_connection:
  host: ${ODOO_HOST:-localhost}
  port: ${ODOO_PORT}
  database: ${ODOO_DB}
  username: admin
  password: ${ODOO_PASSWORD}
"""
    path = write(tmp_path, text)
    connection = load_config(path, environ={"ODOO_DB": "crm"}).config.odoo_connection
    assert connection is not None
    assert connection.resolved("host") == "localhost"
    assert connection.resolved("database") == "crm"
    with pytest.raises(MissingEnvironmentVariable) as caught:
        connection.resolved("password")
    assert caught.value.message == (
        f"{path}: odoo_connection.password: environment variable ODOO_PASSWORD is not set "
        "(and the value gives no default)"
    )
    with pytest.raises(MissingEnvironmentVariable, match=r"odoo_connection\.port: .*ODOO_PORT"):
        connection.resolved("port")

    full = load_config(
        path, environ={"ODOO_DB": "crm", "ODOO_PORT": "8070", "ODOO_PASSWORD": "s3cret"}
    )
    resolved = full.config.odoo_connection
    assert resolved is not None
    assert resolved.resolved("port") == 8070
    assert resolved.resolved("password") == "s3cret"


def test_passwords_never_show(tmp_path: Path) -> None:
    text = "database_connection:\n  password: ${PW}\nreporting:\n  email:\n    password: hunter2\n"
    config = load_config(write(tmp_path, text), environ={"PW": "s3cret"}).config
    assert config.database_connection is not None
    assert isinstance(config.database_connection.password, SecretStr)
    shown = repr(config) + str(config) + config.model_dump_json()
    assert "s3cret" not in shown and "hunter2" not in shown


def test_bad_port_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, "odoo_connection:\n  port: 99999\n")
    assert "odoo_connection.port" in message


def test_parse_config_rejects_non_mapping() -> None:
    with pytest.raises(ConfigError, match="inline: the configuration must be a mapping"):
        parse_config("text", "inline", {})


def test_log_levels_accept_either_case() -> None:
    config = parse_config(
        {
            "execution": {"log_level": "debug"},
            "lead_finding": {"sales_filter": {"log_level": "WARNING"}},
        },
        "inline",
        {},
    )
    assert config.execution.log_level == "DEBUG"
    assert config.lead_finding.sales_filter is not None
    assert config.lead_finding.sales_filter.log_level == "warning"
