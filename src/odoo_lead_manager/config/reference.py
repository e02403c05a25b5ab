"""The configuration reference (docs/configuration-reference.md), written from the schema.

The reference is generated rather than written by hand so that it cannot
drift from what the loader accepts: every key of every section comes from
the pydantic models, with the type, the default and the allowed values the
models enforce, each section's docstring, each key's description (the
docstring under the field), and the settings registry's word on keys odlm
refuses, warns about, only describes or reads when loading.
``odlm schema --format markdown`` prints it; a test compares the committed
file with it.
"""

from __future__ import annotations

import inspect
import json
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from odoo_lead_manager.config.registry import AT_LOAD, DESCRIPTIVE, REFUSED, WARNED
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.config.schema.base import as_markdown
from odoo_lead_manager.config.schema.connections import Port

REGENERATE = "odlm schema --format markdown --output docs/configuration-reference.md"

_HEADER = f"""\
# Configuration reference

<!-- Generated from the configuration schema by `{REGENERATE}`.
     Do not edit: change the schema's docstrings instead, then regenerate. -->

Every key a configuration file may hold, section by section, as the schema
(`src/odoo_lead_manager/config/schema/`) defines it. Keys are dotted paths:
`*` stands for any entry of a mapping (a name you choose), `[]` for any item
of a list. Unknown keys are errors. A default of `null` often means that odlm
decides when the run starts (see the defaults in [Configuration](configuration.md),
which also says how the settings behave together). Each key's description
is the one editors show; notes marked **refused**, **warned**,
**descriptive** or **read when loading** after it come from the settings
registry (`config/registry.py`; see
[Settings odlm does not carry out](configuration.md#settings-odlm-does-not-carry-out)).
The same schema, as JSON Schema for editors, is `odlm schema`.
"""

_NOTES: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("refused", REFUSED),
    ("warned", WARNED),
    ("descriptive", DESCRIPTIVE),
)

# A port field's own validator, which pydantic moves into the field's metadata.
_PORT_CHECKS: tuple[Any, ...] = get_args(Port)[1:]

_SCALARS: Mapping[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    date: "date (YYYY-MM-DD)",
    SecretStr: "string (secret)",
    type(None): "null",
}


@dataclass(frozen=True)
class _Rendered:
    """A type as the reference shows it, and the nested sections it holds."""

    text: str
    allowed: tuple[str, ...] = ()
    sections: tuple[tuple[str, type[BaseModel]], ...] = ()


def _constraints(metadata: list[Any], counted: str = "item(s)") -> tuple[str, ...]:
    """The bounds in a field's metadata, in the order a reader expects them; a length
    counts ``counted`` (characters for a text). Of several bounds on one side (a type's
    own and the field's), the tightest is the one that holds."""
    lower: list[tuple[Any, str]] = []
    upper: list[tuple[Any, str]] = []
    lengths: list[str] = []
    for item in _flat(metadata):
        if isinstance(item, annotated_types.Ge):
            lower.append((item.ge, f">= {_number(item.ge)}"))
        elif isinstance(item, annotated_types.Gt):
            lower.append((item.gt, f"> {_number(item.gt)}"))
        elif isinstance(item, annotated_types.Le):
            upper.append((item.le, f"<= {_number(item.le)}"))
        elif isinstance(item, annotated_types.Lt):
            upper.append((item.lt, f"< {_number(item.lt)}"))
        elif isinstance(item, annotated_types.MinLen):
            lengths.append(f"at least {item.min_length} {counted}")
        elif isinstance(item, annotated_types.MaxLen):
            lengths.append(f"at most {item.max_length} {counted}")
    bounds = [max(lower, key=lambda b: b[0])[1]] if lower else []
    bounds += [min(upper, key=lambda b: b[0])[1]] if upper else []
    return (*bounds, *lengths)


def _flat(metadata: list[Any]) -> list[Any]:
    """``metadata`` with the bounds of the `FieldInfo`s in it taken out of them."""
    return [
        inner
        for item in metadata
        for inner in (_flat(item.metadata) if isinstance(item, FieldInfo) else [item])
    ]


def _counted(annotation: Any) -> str:
    """What a length bound on ``annotation`` counts."""
    texts = (str, SecretStr)
    plain = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    return "character(s)" if all(a in texts for a in plain) else "item(s)"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Large bounds (a billion, 2**31 - 1) read better with separators.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


def _render(annotation: Any, path: str) -> _Rendered:
    """How ``annotation`` reads in the reference; ``path`` names nested sections."""
    if annotation == Port:
        # A port is checked by a validator, not by bounds the schema can show;
        # a `${VAR}` is kept as written until the connection is used.
        return _Rendered("port", ("1 to 65535, or a `${VAR}` naming one",))
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        rendered = _render(inner, path)
        return _Rendered(
            rendered.text,
            rendered.allowed + _constraints(metadata, _counted(inner)),
            rendered.sections,
        )
    if origin is Literal:
        values = get_args(annotation)
        kind = "string" if all(isinstance(value, str) for value in values) else "value"
        shown = (value if isinstance(value, str) else json.dumps(value) for value in values)
        return _Rendered(kind, tuple(f"`{value}`" for value in shown))
    if origin is Union or origin is types.UnionType:
        parts = [_render(arg, path) for arg in get_args(annotation)]
        # A literal among other types keeps its values; "one of the values or null".
        return _Rendered(
            " or ".join(dict.fromkeys(part.text for part in parts)),
            tuple(item for part in parts for item in part.allowed),
            tuple(section for part in parts for section in part.sections),
        )
    if origin is list or origin is tuple:
        args = [arg for arg in get_args(annotation) if arg is not Ellipsis]
        item = _render(args[0], f"{path}[]") if args else _Rendered("any")
        return _Rendered(f"list of {item.text}", item.allowed, item.sections)
    if origin is dict:
        key, value = get_args(annotation)
        item = _render(value, f"{path}.*")
        return _Rendered(
            f"mapping of {_render(key, path).text} to {item.text}", item.allowed, item.sections
        )
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return _Rendered("section", (), ((path, annotation),))
    if annotation is Any:
        return _Rendered("any")
    if inspect.isclass(annotation) and annotation in _SCALARS:
        return _Rendered(_SCALARS[annotation])
    return _Rendered(getattr(annotation, "__name__", str(annotation)))


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    factory = field.default_factory
    value = factory() if factory is not None else field.default  # type: ignore[call-arg]
    if value is PydanticUndefined:
        return "required"
    if isinstance(value, BaseModel):
        # A section's defaults are its own keys', listed in its table.
        return "(its keys' defaults)"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    return f"`{json.dumps(value, default=str)}`"


def _note(path: str, field: FieldInfo) -> str:
    notes: list[str] = []
    if field.description:
        notes.append(as_markdown(field.description))
    for kind, keys in _NOTES:
        if path in keys:
            notes.append(f"**{kind}**: {keys[path]}")
    if path in AT_LOAD:
        reason = AT_LOAD[path].removeprefix("read when loading: ")
        notes.append(f"**read when loading**: {reason}")
    return " ".join(notes)


def _cell(text: str) -> str:
    """Table cells are one line, and a ``|`` would end the cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _sections(
    model: type[BaseModel], path: str, seen: tuple[type[BaseModel], ...]
) -> Iterator[str]:
    """The Markdown of ``model`` at ``path``, then of each section nested in it."""
    title = f"`{path}`" if path else "Top level"
    depth = 2 if path.count(".") == 0 and "[" not in path else 3
    lines = [f"{'#' * depth} {title}", ""]
    prose = as_markdown(model.__doc__)
    if prose and model.__doc__ != BaseModel.__doc__:
        lines += [prose, ""]
    lines += ["| Key | Type | Default | Allowed | Description |", "|---|---|---|---|---|"]
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        key = f"{path}.{name}" if path else name
        # pydantic moves a field's own Annotated[...] into field.metadata; the
        # annotation left may still nest Annotated types (list[PositiveInt]).
        annotation = field.annotation
        if any(item in _PORT_CHECKS for item in field.metadata):
            annotation = Port
        rendered = _render(annotation, key)
        allowed = rendered.allowed + _constraints(field.metadata, _counted(annotation))
        row = [
            f"`{key}`",
            rendered.text,
            _default(field),
            ", ".join(dict.fromkeys(allowed)),
            _note(key, field),
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
        nested.extend(rendered.sections)
    yield "\n".join(lines) + "\n"
    for sub_path, sub_model in nested:
        if sub_model in seen:
            continue  # a section nested in itself would never end
        yield from _sections(sub_model, sub_path, (*seen, sub_model))


def configuration_reference(root: type[BaseModel] = DistributionConfig) -> str:
    """The Markdown reference of every key of the configuration schema."""
    return _HEADER + "\n" + "\n".join(_sections(root, "", (root,)))
