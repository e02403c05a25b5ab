"""A fuzz test of the front door: whatever the files hold, odlm answers 0 or 2.

Configurations (a setting of the schema given a mutated value), campaign
tables and plan files are generated with wrong types, huge numbers, odd
unicode, NUL bytes and deep nesting. For each: the command returns 0 or 2
(never a traceback), and after a 2 the CRM file is byte for byte what it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import typing
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.config.loading import union_members
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Settings that would send the run elsewhere than the demo's own files: to an
# Odoo or a database server, a mail server or a chat webhook (whose retries pause for
# seconds), or to write reports and state outside the test.
AWAY = (
    "odoo_connection",
    "database_connection",
    "crm.backend",
    "reporting.email",
    "reporting.digests.webhook",
)


def setting_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every dotted key of the schema, nested sections included."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        for member in union_members(info.annotation):
            if isinstance(member, type) and issubclass(member, BaseModel):
                yield from setting_paths(member, f"{path}.")


PATHS = sorted({p for p in setting_paths(DistributionConfig) if not p.startswith(AWAY)})

odd_text = st.text(
    alphabet=st.characters(codec="utf-8")
    | st.sampled_from(["\x00", "\t", "\r", "\n", "$", "{", "}", "é", "\u202e"]),
    max_size=40,
) | st.sampled_from(["${HOME}", "${NOPE}", "$${x}", "${", "=cmd|' /C calc'!A0"])
huge = st.integers(min_value=-(10**40), max_value=10**40) | st.sampled_from(
    [0, -1, 2**31, 2**63, 10**23]
)
scalars = (
    huge
    | st.floats(allow_nan=True, allow_infinity=True)
    | odd_text
    | st.booleans()
    | st.none()
    | st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-30", "round_robin", "Voice"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


mutated_values = values | st.integers(min_value=30, max_value=80).map(deep)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dated today, with a saved plan, copied for each example."""
    directory = tmp_path_factory.mktemp("pristine") / "demo"
    create_demo(directory, today=date.today())
    write_demo_config(directory)
    plan = directory / "plan.json"
    assert main(["dailydist", "--config", str(directory / "config.yaml"), "--dry-run",
                 "--plan-out", str(plan)]) == 0  # fmt: skip
    return directory


def fresh(pristine: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="fuzz-")) / "demo"
    shutil.copytree(pristine, target)
    return target


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def status_of(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse's own refusals
        return int(exc.code or 0)


def set_path(document: dict[str, Any], dotted: str, value: Any) -> None:
    node = document
    *parents, last = dotted.split(".")
    for name in parents:
        child = node.get(name)
        if not isinstance(child, dict):
            child = node[name] = {}
        node = child
    node[last] = value


def check(directory: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    crm = directory / "crm.sqlite"
    before = digest(crm)
    try:
        status = status_of(args)
        event(f"exit status {status}")
        err = capsys.readouterr().err
        assert status in (0, 2), err
        assert "Traceback" not in err
        if status == 2:
            assert err.strip(), "a refusal says why"
            assert digest(crm) == before
    finally:
        shutil.rmtree(directory.parent, ignore_errors=True)


@FUZZ
@given(
    changes=st.lists(st.tuples(st.sampled_from(PATHS), mutated_values), min_size=1, max_size=3),
    as_json=st.booleans(),
)
def test_mutated_configurations(
    pristine: Path,
    capsys: pytest.CaptureFixture[str],
    changes: list[tuple[str, Any]],
    as_json: bool,
) -> None:
    directory = fresh(pristine)
    document = yaml.safe_load((directory / "config.yaml").read_text())
    for path, value in changes:
        set_path(document, path, value)
    execution = document.get("execution")
    if isinstance(execution, dict):  # else the mutation replaced the section: keep it so
        execution["state_dir"] = ".odlm-state"
    config = directory / ("config.json" if as_json else "fuzz.yaml")
    text = json.dumps(document, default=str) if as_json else yaml.safe_dump(document)
    config.write_text(text, encoding="utf-8", errors="surrogatepass")
    check(directory, ["dailydist", "--config", str(config)], capsys)


@FUZZ
@given(raw=st.binary(max_size=300), where=st.integers(min_value=0, max_value=2000))
def test_damaged_configuration_text(
    pristine: Path, capsys: pytest.CaptureFixture[str], raw: bytes, where: int
) -> None:
    directory = fresh(pristine)
    config = directory / "config.yaml"
    text = config.read_bytes()
    config.write_bytes(text[:where] + raw + text[where:])
    check(directory, ["dailydist", "--config", str(config)], capsys)


COLUMNS = ["salesperson_name", "campaign_name", "active", "team", "level", "target_leads"]
cells = (
    odd_text
    | huge.map(str)
    | st.sampled_from(["Alice Smith", "Voice", "true", "false", "senior", "", "1e23", '"'])
)


@FUZZ
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=8), min_size=1, max_size=6),
    keep=st.integers(min_value=0, max_value=14),
)
def test_mutated_campaign_tables(
    pristine: Path, capsys: pytest.CaptureFixture[str], rows: list[list[str]], keep: int
) -> None:
    directory = fresh(pristine)
    table = directory / "salesperson_campaigns.csv"
    lines = list(csv.reader(io.StringIO(table.read_text())))
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS, *lines[1 : keep + 1], *rows])
    table.write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
    check(directory, ["dailydist", "--config", str(directory / "config.yaml")], capsys)


def plan_paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Paths into a plan document, a few per list so that big plans stay quick to walk."""
    yield prefix
    if isinstance(node, dict):
        for key, value in list(node.items())[:6]:
            yield from plan_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:3]):
            yield from plan_paths(value, (*prefix, index))


@FUZZ
@given(data=st.data())
def test_mutated_plan_files(
    pristine: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    directory = fresh(pristine)
    plan_file = directory / "plan.json"
    plan = json.loads(plan_file.read_text())
    paths = [p for p in plan_paths(plan) if p]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(paths))
        node: Any = plan
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = data.draw(mutated_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced a parent of this path
    plan_file.write_text(json.dumps(plan, default=str), encoding="utf-8", errors="surrogatepass")
    args = ["apply", str(plan_file), "--config", str(directory / "config.yaml")]
    check(directory, args, capsys)


def test_paths_cover_the_schema() -> None:
    # The configuration fuzz reaches every section a run reads from the files.
    sections = {path.split(".")[0] for path in PATHS}
    assert {"distribution", "lead_finding", "salesperson_selection", "execution"} <= sections
    assert len(PATHS) > 200
    assert all(typing.get_type_hints(DistributionConfig))
