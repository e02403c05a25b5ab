"""What a configuration may be: size, nesting, aliases, numbers, dates and ports.

Each refusal is one `ConfigError` naming the file and the key (exit status
2); none of them may take long or grow memory (timings in docs/performance.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.errors import ConfigError
from odoo_lead_manager.ops.limits import MAX_CONFIG_BYTES, MAX_NESTING, port_number

BASE = "campaign:\n  name: Voice\n"


def refused(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    assert caught.value.exit_status == 2
    assert str(path) in caught.value.message
    return caught.value.message


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def alias_bomb(levels: int = 10, width: int = 9) -> str:
    """The billion laughs: each level a list of ``width`` aliases of the level below."""
    lines = ["a: &a [" + ",".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        name, below = "abcdefghij"[level], "abcdefghij"[level - 1]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{below}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, alias_bomb())
    assert path.stat().st_size < 400  # 9**10 values: 3.5 billion
    assert "aliases expand to more than 200,000 values" in refused(path)


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    assert "an alias refers to a value that contains it" in refused(
        write(tmp_path, "a: &a [1, *a]\n")
    )


def test_aliases_that_stay_small_are_fine(tmp_path: Path) -> None:
    text = (
        "campaign: {name: Voice}\n"
        "lead_finding:\n"
        "  excluded_users: &people [Drew Cox, Patrick Adler]\n"
        "salesperson_selection:\n"
        "  campaign_filtering:\n"
        "    exclude_specific_users: *people\n"
    )
    config = load_config(write(tmp_path, text), environ={}).config
    assert config.lead_finding.excluded_users == ["Drew Cox", "Patrick Adler"]


@pytest.mark.parametrize("name", ["config.yaml", "config.json"])
def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "[" * 20_000 + "]" * 20_000, name)
    assert f"nested deeper than {MAX_NESTING} levels" in refused(path)


@pytest.mark.parametrize("name", ["config.yaml", "config.json"])
def test_nesting_up_to_the_limit_reaches_the_schema(tmp_path: Path, name: str) -> None:
    # Nested exactly MAX_NESTING deep: read, then refused by the schema as an unknown key.
    inner: object = 1
    for _ in range(MAX_NESTING - 1):
        inner = {"x": inner}
    path = write(tmp_path, json.dumps({"campaign": {"name": "Voice"}, "zzz": inner}), name)
    assert "zzz: unknown key in the top level" in refused(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("config.yaml", ""),
        ("config.yaml", "# only a comment\n"),
        ("config.yaml", "null\n"),
        ("config.yaml", "{}\n"),
        ("config.json", "null"),
        ("config.json", "{}"),
    ],
)
def test_an_empty_configuration_is_refused(tmp_path: Path, name: str, text: str) -> None:
    assert "the configuration is empty" in refused(write(tmp_path, text, name))


def test_dev_null_is_an_empty_configuration() -> None:
    with pytest.raises(ConfigError, match="/dev/null: the configuration is empty"):
        load_config("/dev/null", environ={})


def test_a_file_past_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(2 * MAX_CONFIG_BYTES)  # sparse: refused by its size alone
    assert "larger than 1 MiB, the limit" in refused(path)


def test_an_endless_device_is_refused_at_the_limit() -> None:
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        load_config("/dev/zero", environ={})


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("lead_finding:\n  date_range:\n    younger_than_days: 100000000000000000000000\n",
         "lead_finding.date_range.younger_than_days"),
        ("lead_finding:\n  date_range:\n    older_than_days: 36501\n",
         "lead_finding.date_range.older_than_days"),
        ("lead_finding:\n  date_range:\n    custom_start_date: 0001-01-01\n",
         "lead_finding.date_range.custom_start_date"),
        ("lead_finding:\n  date_range:\n    custom_end_date: 9999-12-31\n",
         "lead_finding.date_range.custom_end_date"),
        ("distribution:\n  level_based:\n    levels:\n      senior: {target_leads: 1e23}\n",
         "distribution.level_based.levels.senior.target_leads"),
        ("distribution:\n  level_based:\n    levels:\n"
         "      senior: {target_leads: 100000000000000000000000}\n",
         "distribution.level_based.levels.senior.target_leads"),
        ("execution:\n  batch_size: 10000000000\n", "execution.batch_size"),
        ("execution:\n  seed: 100000000000000000000000\n", "execution.seed"),
        ("odoo_connection:\n  timeout_seconds: .inf\n", "odoo_connection.timeout_seconds"),
        ("odoo_connection:\n  timeout_seconds: .nan\n", "odoo_connection.timeout_seconds"),
        ("error_handling:\n  retry_delay_seconds: 1e300\n", "error_handling.retry_delay_seconds"),
        ("distribution:\n  proportional:\n    weights: {senior: .inf}\n",
         "distribution.proportional.weights.senior"),
        ("tracking:\n  retention_days: 99999999\n", "tracking.retention_days"),
        ("database_connection:\n  type: postgresql\n  host: db\n  port: notaport\n",
         "database_connection.port: must be a port number from 1 to 65535"),
        ("database_connection:\n  type: postgresql\n  host: db\n  port: 70000\n",
         "database_connection.port: must be a port number from 1 to 65535"),
    ],
)  # fmt: skip
def test_numbers_and_dates_out_of_range_name_their_key(
    tmp_path: Path, setting: str, key: str
) -> None:
    assert key in refused(write(tmp_path, BASE + setting))


@pytest.mark.parametrize(
    "variable", ["TRACKING_DB_PASSWORD", "ODOO_PASSWORD", "SMTP_PASSWORD", "MY_TOKEN"]
)
def test_an_error_about_a_substituted_value_shows_the_reference(
    tmp_path: Path, variable: str
) -> None:
    secret = "S3cr3t-" + "x" * 100  # long enough that a cut quote would show a prefix
    text = BASE + (
        "database_connection:\n  type: postgresql\n  host: db\n"
        f"  port: ${{{variable}}}\n"
        "odoo_connection:\n"
        f"  timeout_seconds: ${{{variable}}}\n"
        "distribution:\n"
        f"  strategy: ${{{variable}}}\n"
    )
    message = refused(write(tmp_path, text), {variable: secret})
    assert "S3cr3t" not in message
    assert f"(got '${{{variable}}}')" in message
    assert "database_connection.port" in message and "odoo_connection.timeout_seconds" in message


def test_a_reference_inside_text_is_shown_as_written(tmp_path: Path) -> None:
    text = BASE + "odoo_connection:\n  timeout_seconds: 'x${ODOO_PASSWORD}y'\n"
    message = refused(write(tmp_path, text), {"ODOO_PASSWORD": "hunter22"})
    assert "hunter22" not in message and "'x${ODOO_PASSWORD}y'" in message


def test_a_long_wrong_value_is_cut(tmp_path: Path) -> None:
    message = refused(write(tmp_path, BASE + f"execution:\n  batch_size: {'z' * 5000}\n"))
    assert "(5002 characters)" in message and len(message) < 400


@pytest.mark.parametrize("value", [0, 65536, "80a", "", " ", "١٢", True, 3.5, None, "9" * 50])
def test_port_number_refuses_without_quoting(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        port_number(value)
    assert str(caught.value) == "must be a port number from 1 to 65535"


@pytest.mark.parametrize(("value", "port"), [(1, 1), ("65535", 65535), (" 8069 ", 8069)])
def test_port_number_accepts_ports(value: object, port: int) -> None:
    assert port_number(value) == port
