"""Reading a configuration file into a validated `DistributionConfig`.

Every problem becomes one `ConfigError` whose message names the file and
the dotted key (or the line, for a file that does not parse), so that a bad
configuration stops the command with exit status 2 before anything runs.
"""

from __future__ import annotations

import difflib
import json
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from odoo_lead_manager.config.env import Substituted, malformed_reference, substitute_tree
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.config.schema.base import summary
from odoo_lead_manager.config.schema.connections import DeferredSection
from odoo_lead_manager.config.secrets import secrets_of
from odoo_lead_manager.config.source import ConfigSource
from odoo_lead_manager.errors import ConfigError, MissingEnvironmentVariable
from odoo_lead_manager.ops.limits import (
    MAX_CONFIG_BYTES,
    MAX_CONFIG_NODES,
    MAX_NESTING,
    read_bounded,
)
from odoo_lead_manager.ops.redaction import secret_values

# Sections read only when a connection is made: an unset variable there is
# reported then (by `DeferredSection.resolved`), not when the file loads.
DEFERRED_SECTIONS = (("odoo_connection",), ("database_connection",), ("reporting", "email"))

MAX_LISTED_ERRORS = 10

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedConfig:
    """A validated configuration and where it came from."""

    config: DistributionConfig
    path: Path
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def source(self) -> ConfigSource:
        """Where it came from: its file and the environment it was read against."""
        return ConfigSource(self.path, self.environ)

    @property
    def base_dir(self) -> Path:
        """The directory relative paths in the configuration start from."""
        return self.source.base_dir

    def resolve_path(self, value: str | Path) -> Path:
        """A path from the configuration, relative ones taken from the config file's folder."""
        return self.source.resolve_path(value)

    def secrets(self) -> tuple[str, ...]:
        """Every value to hide from output: the secret variables of its environment and the
        configuration's own passwords, API key and webhook addresses, longest first."""
        return secret_values(self.environ, secrets_of(self.config))


def load_config(
    path: str | os.PathLike[str], environ: Mapping[str, str] | None = None
) -> LoadedConfig:
    """Read, substitute and validate the YAML or JSON file at ``path``."""
    path = Path(path)
    text = read_bounded(path, "configuration file", MAX_CONFIG_BYTES, ConfigError)
    data = _parse_json(text, path) if path.suffix.lower() == ".json" else _parse_yaml(text, path)
    env = dict(os.environ if environ is None else environ)
    return LoadedConfig(parse_config(data, str(path), env), path, env)


def parse_config(
    data: Any, source: str = "configuration", environ: Mapping[str, str] | None = None
) -> DistributionConfig:
    """Validate an already parsed document; ``source`` names it in error messages."""
    if data is None or data == {}:
        # An empty file is a mistake (a truncated copy, /dev/null), never a
        # request for an all-defaults run against whatever CRM is reachable.
        raise ConfigError(
            f"{source}: the configuration is empty (`odlm dailydist --generate-config` writes a "
            "starting point)"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the configuration must be a mapping of sections, not {type(data).__name__}"
        )
    env = os.environ if environ is None else environ
    substituted = substitute_tree(data, env)
    _check_references(substituted.document, source, substituted.unresolved)
    try:
        config = DistributionConfig.model_validate(substituted.document)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source, substituted)) from None
    for location in DEFERRED_SECTIONS:
        section: Any = config
        for name in location:
            section = getattr(section, name, None)
        if isinstance(section, DeferredSection):
            section.bind(source, ".".join(location))
    return config


def _check_references(document: Any, source: str, unresolved: dict[Path_, list[str]]) -> None:
    for where, names in unresolved.items():
        if not any(where[: len(d)] == d for d in DEFERRED_SECTIONS):
            raise MissingEnvironmentVariable(
                f"{source}: {dotted(where)}: environment variable {names[0]} is not set "
                "(set it, or write ${" + names[0] + ":-default} to give a default)"
            )
    for where, text in _strings(document):
        if malformed_reference(text):
            raise ConfigError(
                f"{source}: {dotted(where)}: {text!r} holds a malformed environment "
                "reference (write ${VAR} or ${VAR:-default})"
            )


def _strings(node: Any, where: Path_ = ()) -> typing.Iterator[tuple[Path_, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*where, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*where, index))


def dotted(where: Path_) -> str:
    """``('a', 'b', 0, 'c')`` as ``a.b[0].c``."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping, and
    documents nested too deeply or whose aliases expand too far.

    PyYAML would keep the last of two values silently, hiding a copy-paste
    mistake; it would recurse until the stack ends on deep nesting; and it
    shares aliased nodes, so a few hundred bytes of aliases of aliases stand
    for billions of values that every later walk of the document visits.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        nests = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        self._depth += nests
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"lists and mappings nested deeper than {MAX_NESTING} levels",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= nests

    def get_single_node(self) -> yaml.Node | None:
        node: yaml.Node | None = super().get_single_node()
        if node is not None:
            _expanded_size(node, {}, set())
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many values ``node`` stands for with every alias expanded, refused past the limit.

    Each node is measured once (``sizes``), so the check costs the size of
    the file, not of the expansion.
    """
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise yaml.composer.ComposerError(
            None, None, "an alias refers to a value that contains it", node.start_mark
        )
    open_nodes.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes, open_nodes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(
            _expanded_size(k, sizes, open_nodes) + _expanded_size(v, sizes, open_nodes)
            for k, v in node.value
        )
    open_nodes.discard(key)
    if size > MAX_CONFIG_NODES:
        raise yaml.composer.ComposerError(
            None,
            None,
            f"aliases expand to more than {MAX_CONFIG_NODES:,} values",
            node.start_mark,
        )
    sizes[key] = size
    return size


# Dates stay text until the schema reads them, so that an impossible date
# such as 2024-02-30 is reported with its key instead of failing the parse.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        problem = exc.problem or str(exc)
        hint = _alternatives_hint(text, mark.line if mark else None)
        raise ConfigError(f"{path}: {where}: invalid YAML: {problem}{hint}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None


def _alternatives_hint(text: str, line: int | None) -> str:
    """Explain the spec's ``"a" | "b"`` notation, which is not YAML, when it caused the error."""
    lines = text.splitlines()
    candidates = [
        lines[i] for i in (line, (line or 0) - 1) if i is not None and 0 <= i < len(lines)
    ]
    if any('" | "' in candidate for candidate in candidates):
        return (
            ' (the spec writes choices as "a" | "b"; pick one value, and write a '
            "default for a variable as ${VAR:-default})"
        )
    return ""


def _parse_json(text: str, path: Path) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise ConfigError(_too_deep(path, "JSON")) from None
    if nesting_exceeds(data, MAX_NESTING):
        raise ConfigError(_too_deep(path, "JSON"))
    return data


def _too_deep(path: Path, kind: str) -> str:
    return f"{path}: invalid {kind}: lists and mappings nested deeper than {MAX_NESTING} levels"


def nesting_exceeds(data: Any, limit: int) -> bool:
    """Whether lists and mappings in ``data`` nest deeper than ``limit`` (without recursing)."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            if depth >= limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, depth + 1) for child in children)
    return False


def format_validation_error(
    exc: ValidationError, source: str, substituted: Substituted | None = None
) -> str:
    """One message for all validation errors: file, dotted key and problem for each.

    A value that came from ``${VAR}`` is shown as ``${VAR}``: the variable
    may hold a password that landed in the wrong key.
    """
    problems = [_describe(error, substituted) for error in exc.errors()]
    unique = list(dict.fromkeys(problems))
    if len(unique) == 1:
        return f"{source}: {unique[0]}"
    listed = "\n".join(f"  {p}" for p in unique[:MAX_LISTED_ERRORS])
    more = len(unique) - MAX_LISTED_ERRORS
    tail = f"\n  ... and {more} more" if more > 0 else ""
    return f"{source}: {len(unique)} problems in the configuration:\n{listed}{tail}"


def _describe(error: ErrorDetails, substituted: Substituted | None) -> str:
    where = _field_path(error["loc"])

    def conceal(text: str) -> str:
        return substituted.conceal(text) if substituted is not None else text

    return f"{dotted(where)}: {conceal(_problem(error, where, conceal))}"


def _problem(error: ErrorDetails, where: Path_, conceal: typing.Callable[[str], str]) -> str:
    if error["type"] == "extra_forbidden":
        key = str(where[-1]) if where else "?"
        parent = where[:-1]
        model = _model_at(parent)
        known = model.model_fields if model is not None else {}
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if close and known[close[0]].description:
            # What the suggested key does, so the reader can tell it is the one meant.
            hint += f" - {close[0]}: {summary(known[close[0]].description)}"
        section = dotted(parent) if parent else "the top level"
        return f"unknown key in {section}{hint}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] not in {"missing", "value_error", "assertion_error"} and "input" in error:
        shown = error["input"]
        if not isinstance(shown, dict | list):
            message += f" (got {_shown(conceal(repr(shown)))})"
    return message


def _shown(text: str) -> str:
    """A wrong value as the message quotes it: a long one cut, so one bad value stays one line."""
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def _field_path(loc: tuple[int | str, ...]) -> Path_:
    """The part of a pydantic location that names keys of the document.

    Pydantic adds the names of union members and validators to locations
    (``'list[str]'``, ``'function-after[...]'``); they are dropped by
    following the schema's own structure.
    """
    result: list[str | int] = []
    kind: Any = DistributionConfig
    for part in loc:
        model = _model_in(kind)
        container = _container_in(kind)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            result.append(part)
            kind = model.model_fields[part].annotation
        elif container is dict and isinstance(part, str):
            result.append(part)
            kind = _item_type(kind, dict)
        elif container is list and isinstance(part, int):
            result.append(part)
            kind = _item_type(kind, list)
        elif model is not None and isinstance(part, str) and _is_extra(model, part, loc):
            result.append(part)
            kind = None
        # anything else is a union member or validator name: skip it
    return tuple(result)


def _is_extra(model: type[BaseModel], part: str, loc: tuple[int | str, ...]) -> bool:
    return part == loc[-1] and model.model_config.get("extra") == "forbid"


def union_members(kind: Any) -> list[Any]:
    """The types a field's annotation admits, unions and ``Annotated`` unwrapped."""
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return union_members(typing.get_args(kind)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(kind) for m in union_members(arg)]
    return [kind]


def _model_in(kind: Any) -> type[BaseModel] | None:
    for member in union_members(kind):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def _container_in(kind: Any) -> type | None:
    for member in union_members(kind):
        origin = typing.get_origin(member)
        if origin in (dict, list):
            return typing.cast(type, origin)
    return None


def _item_type(kind: Any, container: type) -> Any:
    for member in union_members(kind):
        if typing.get_origin(member) is container:
            return typing.get_args(member)[-1]
    return None


def _model_at(where: Path_) -> type[BaseModel] | None:
    """The section at the document path ``where``, or None when it is not a section."""
    kind: Any = DistributionConfig
    for part in where:
        model = _model_in(kind)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            kind = model.model_fields[part].annotation
        elif _container_in(kind) is not None:
            kind = _item_type(kind, _container_in(kind) or dict)
        else:
            return None
    return _model_in(kind)
