"""Every configuration key is described once, in the schema, and shown everywhere.

The description is the docstring under each field of the pydantic models. It
reaches the JSON Schema editors read (the committed and packaged copies), the
generated configuration reference, and the did-you-mean hint for a mistyped
key. These tests fail when a key has no description, when a generated file
lost them, or when the hint stops saying what the suggested key does.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.config.editor import SCHEMA_FILE_NAME, config_json_schema
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.config.reference import configuration_reference
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.config.schema.base import as_markdown, summary
from odoo_lead_manager.errors import ConfigError

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "docs" / "configuration-reference.md"
SCHEMAS = (
    ROOT / "schema" / SCHEMA_FILE_NAME,
    ROOT / "src" / "odoo_lead_manager" / "config" / SCHEMA_FILE_NAME,
)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The sections an annotation holds, through Annotated, unions, lists and mappings."""
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, types.UnionType):
        for argument in typing.get_args(annotation):
            yield from _models_in(argument)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation


def _sections() -> list[type[BaseModel]]:
    """Every section reachable from the top of the configuration, each once."""
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [DistributionConfig]
    while pending:
        model = pending.pop()
        if model in found:
            continue
        found.append(model)
        for field in model.model_fields.values():
            pending.extend(_models_in(field.annotation))
    return found


def test_the_walk_reaches_sections_nested_in_mappings_lists_and_unions() -> None:
    names = {model.__name__ for model in _sections()}
    # A mapping's values (levels.*), a list's items (fallback_fields[]), a union
    # member (status: ValueMatch | None) and an optional section (odoo_connection).
    assert {"Level", "FallbackField", "ValueMatch", "OdooConnection"} <= names
    assert len(names) > 60


def test_every_key_of_every_section_has_a_description() -> None:
    missing = [
        f"{model.__name__}.{name}"
        for model in _sections()
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert missing == [], (
        "keys without a description (write a docstring under the field): " + ", ".join(missing)
    )


def test_every_section_has_its_own_docstring_and_no_section_numbers() -> None:
    for model in _sections():
        assert model.__doc__ and model.__doc__ != BaseModel.__doc__, model.__name__
        texts = [model.__doc__, *(f.description or "" for f in model.model_fields.values())]
        assert not any("§" in text for text in texts), model.__name__


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(object, property, its schema) for the top level and every definition."""
    objects = {"(top level)": schema, **schema.get("$defs", {})}
    for name, definition in objects.items():
        for key, prop in definition.get("properties", {}).items():
            yield name, key, prop


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_committed_json_schema_describes_every_property(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    schema = json.loads(text)
    properties = list(_properties(schema))
    assert len(properties) > 400
    undescribed = [f"{name}.{key}" for name, key, prop in properties if not prop.get("description")]
    assert undescribed == []
    sections = [
        name for name, definition in schema["$defs"].items() if definition["type"] == "object"
    ]
    assert all(schema["$defs"][name].get("description") for name in sections)
    # Editors get Markdown, one line per paragraph: no reStructuredText ``code`` left.
    assert "``" not in text and "§" not in text


def test_the_json_schema_carries_the_fields_descriptions() -> None:
    schema: Any = config_json_schema()
    described = schema["$defs"]["Distribution"]["properties"]["strategy"]["description"]
    assert described == as_markdown(_field("distribution", "strategy"))
    assert "`round_robin`" in described and "\n" not in described


def test_the_reference_shows_a_description_for_every_key_and_no_section_numbers() -> None:
    text = configuration_reference()
    assert REFERENCE.read_text(encoding="utf-8") == text
    assert "§" not in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) > 400
    # The last column is the description (with the registry's notes after it).
    empty = [row.split(" | ")[0] for row in rows if not row.rstrip(" |").rsplit(" | ", 1)[-1]]
    assert empty == []
    strategy = next(row for row in rows if row.startswith("| `distribution.strategy` |"))
    assert as_markdown(_field("distribution", "strategy")) in strategy


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    return raised.value.message


def _field(*path: str) -> str:
    """The description of the key at ``path`` (section names, then the key)."""
    model: Any = DistributionConfig
    for name in path[:-1]:
        (model,) = _models_in(model.model_fields[name].annotation)
    return str(model.model_fields[path[-1]].description)


@pytest.mark.parametrize(
    ("text", "typo", "meant", "path"),
    [
        (
            "distribution:\n  stratgey: level_based\n",
            "distribution.stratgey",
            "strategy",
            ("distribution", "strategy"),
        ),
        ("crm:\n  backnd: local\n", "crm.backnd", "backend", ("crm", "backend")),
        (
            "distribution:\n  level_based:\n    levels:\n      senior: {target_leads: 5, priorty: 1}\n",
            "distribution.level_based.levels.senior.priorty",
            "priority",
            ("distribution", "level_based", "levels", "priority"),
        ),
        (
            "lead_finding:\n  additional_filters:\n    status: {valeus: [New]}\n",
            "lead_finding.additional_filters.status.valeus",
            "values",
            ("lead_finding", "additional_filters", "status", "values"),
        ),
    ],
)
def test_a_mistyped_key_names_the_suggested_key_and_what_it_does(
    tmp_path: Path, text: str, typo: str, meant: str, path: tuple[str, ...]
) -> None:
    message = _refusal(tmp_path, text)
    line = next(line for line in message.splitlines() if typo in line)
    hint = summary(_field(*path))
    assert f"(did you mean {meant!r}?) - {meant}: {hint}" in line
    # One short line: the description's first sentence, not the whole text.
    assert hint and hint.endswith(".") and len(hint) < 170


def test_the_hint_is_the_descriptions_first_sentence() -> None:
    text = _field("crm", "odoo_auto_assignment")
    first = summary(text)
    assert as_markdown(text).startswith(first.rstrip("."))
    assert len(first) < len(as_markdown(text))


def test_an_unknown_key_with_nothing_close_gets_no_hint(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "zzz: 1\n")
    assert message.endswith("zzz: unknown key in the top level")


def test_the_command_line_shows_the_hint_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("execution:\n  dry_rn: true\n", encoding="utf-8")
    assert main(["dailydist", "--dry-run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    hint = summary(_field("execution", "dry_run"))
    assert re.search(
        r"execution\.dry_rn: unknown key in execution \(did you mean 'dry_run'\?\)", err
    )
    assert f"- dry_run: {hint}" in err
    assert len([line for line in err.splitlines() if "dry_rn" in line]) == 1
