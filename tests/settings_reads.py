"""Which configuration settings odlm's own code reads, recorded while the tests run.

Installed by ``tests/conftest.py`` before any test: every read of a field of
a configuration section is recorded with the setting's dotted path
(``lead_finding.date_range.older_than_days``; dictionary entries as ``*``,
list items as ``[]``) when the reading code is odlm's and not the schema's
own validation or the settings registry, which only checks whether a key is
set. ``tests/test_settings_registry.py`` compares the paths read during the
whole suite with the schema: a setting neither read nor registered as
refused or warned is accepted and ignored, which the house rules forbid.

Paths are learnt as the code walks from a configuration's root to its
sections, so a section built by a test without a file is known too.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Iterator
from types import FrameType
from typing import Any

from pydantic import BaseModel

from odoo_lead_manager.config.loading import union_members
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.config.schema.base import Section

# Code whose reads do not count: the schema validating itself, and the
# registry asking whether a refused or warned setting is set.
_NOT_READERS = ("odoo_lead_manager.config.schema", "odoo_lead_manager.config.registry")

READS: set[str] = set()
_PATHS: dict[int, tuple[object, str]] = {}
_original = Section.__getattribute__


def _reader(frame: FrameType | None) -> str:
    """The module of the first caller outside the schema (its properties and `resolved`
    read for their caller) and outside this recorder (a property's read comes through it)."""
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith("odoo_lead_manager.config.schema") and module != __name__:
            return module
        frame = frame.f_back
    return ""


def _learn(node: object, path: str) -> None:
    """Remember the path of ``node`` and of every section below it."""
    if isinstance(node, BaseModel):
        known = _PATHS.get(id(node))
        if known is not None and known[0] is node:
            return
        _PATHS[id(node)] = (node, path)
        values = object.__getattribute__(node, "__dict__")
        for name in type(node).model_fields:
            _learn(values.get(name), f"{path}.{name}" if path else name)
    elif isinstance(node, dict):
        for value in node.values():
            _learn(value, f"{path}.*")
    elif isinstance(node, list | tuple):
        for value in node:
            _learn(value, f"{path}[]")


def _path_of(section: object) -> str | None:
    known = _PATHS.get(id(section))
    if known is not None and known[0] is section:
        return known[1]
    if isinstance(section, DistributionConfig):
        _learn(section, "")
        return ""
    return None


def _recording(self: Section, name: str) -> Any:
    value = _original(self, name)
    if name in type(self).model_fields:
        module = _reader(sys._getframe(1))
        if module.startswith("odoo_lead_manager") and not module.startswith(_NOT_READERS):
            path = _path_of(self)
            if path is None:
                READS.add(f"?{type(self).__name__}.{name}")
            else:
                full = f"{path}.{name}" if path else name
                READS.add(full)
                _learn(value, full)
    return value


def install() -> None:
    """Record reads from now on (idempotent)."""
    Section.__getattribute__ = _recording  # type: ignore[method-assign]


def schema_fields(
    model: type[BaseModel] = DistributionConfig, path: str = ""
) -> Iterator[tuple[str, str, str]]:
    """Every setting of the schema: its dotted path, its section's class and its name."""

    def models(kind: Any, suffix: str) -> Iterator[tuple[type[BaseModel], str]]:
        for member in union_members(kind):
            if isinstance(member, type) and issubclass(member, BaseModel):
                yield member, suffix
            origin = typing.get_origin(member)
            if origin is dict:
                yield from models(typing.get_args(member)[-1], suffix + ".*")
            elif origin is list:
                yield from models(typing.get_args(member)[0], suffix + "[]")

    for name, info in model.model_fields.items():
        full = f"{path}.{name}" if path else name
        yield full, model.__name__, name
        for child, suffix in models(info.annotation, ""):
            yield from schema_fields(child, full + suffix)
