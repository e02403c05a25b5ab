"""Editor completion for configuration files: the JSON Schema beside them.

Editors with the YAML language server (VS Code's YAML extension, Neovim,
JetBrains, Helix) read a first line ``# yaml-language-server: $schema=...``
and then complete and check every key. A generated configuration starts with
that line, naming ``odlm-config.schema.json`` in its own folder, and the
command that writes it also writes the schema there, so completion works at
once without network access or editor settings. The line is a YAML comment:
the loader never sees it. JSON has no comments, and the schema forbids
unknown keys, so a JSON configuration cannot name its schema; map it in the
editor's settings instead.

Every key carries its description (the docstring under its field in the
schema), which editors show on hover and while completing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.config.schema.base import as_markdown

SCHEMA_FILE_NAME = "odlm-config.schema.json"


def modeline(schema: str = SCHEMA_FILE_NAME) -> str:
    """The first line of a configuration that tells the editor where its schema is.

    ``schema`` is a path relative to the configuration file (or a URL).
    """
    return f"# yaml-language-server: $schema={schema}\n"


def schema_text() -> str:
    """The JSON Schema as ``odlm schema`` prints it, and as the committed copies hold it."""
    return json.dumps(config_json_schema(), indent=2) + "\n"


def packaged_schema_text() -> str:
    """The copy of the schema shipped inside the package, for tools without odlm's code."""
    package = resources.files("odoo_lead_manager.config")
    return package.joinpath(SCHEMA_FILE_NAME).read_text(encoding="utf-8")


@dataclass(frozen=True)
class SchemaCopy:
    """What writing the schema beside a configuration did, for the command to say."""

    path: Path
    outcome: Literal["written", "unchanged", "replaced", "left", "failed"]
    error: str = ""

    def message(self) -> str:
        """One line for the command's output."""
        if self.outcome == "written":
            return f"Editor schema written: {self.path} (the file's first line points at it)"
        if self.outcome == "unchanged":
            return f"Editor schema already up to date: {self.path}"
        if self.outcome == "replaced":
            return f"Editor schema replaced (--overwrite): {self.path}"
        if self.outcome == "left":
            return (
                f"Editor schema left as it was: {self.path} differs from this odlm's schema "
                "(use --overwrite to replace it, or `odlm schema --output` it yourself)"
            )
        return f"warning: cannot write the editor schema {self.path}: {self.error}"


def write_schema_beside(config_path: Path, force: bool = False) -> SchemaCopy:
    """Write ``odlm-config.schema.json`` into ``config_path``'s folder.

    A file of that name that differs is somebody's (another odlm version's
    schema, or one edited by hand): it is replaced only with ``force``. A
    failure to write is reported, not raised: the configuration was written
    and is what the command was asked for.
    """
    path = config_path.parent / SCHEMA_FILE_NAME
    text = schema_text()
    try:
        existing = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        existing = f"unreadable: {exc}"
    if existing == text:
        return SchemaCopy(path, "unchanged")
    if existing is not None and not force:
        return SchemaCopy(path, "left")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        return SchemaCopy(path, "failed", str(exc.strerror or exc))
    return SchemaCopy(path, "written" if existing is None else "replaced")


def config_json_schema() -> dict[str, object]:
    """The JSON Schema of the configuration file, for editor completion and validation."""
    schema = DistributionConfig.model_json_schema()
    _descriptions_as_markdown(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "odlm daily distribution configuration"
    return schema


def _descriptions_as_markdown(node: Any) -> None:
    """Every ``description`` of the schema as editors render it (`as_markdown`); default
    values are data, left as they are."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = as_markdown(value)
            elif key != "default":
                _descriptions_as_markdown(value)
    elif isinstance(node, list):
        for item in node:
            _descriptions_as_markdown(item)
