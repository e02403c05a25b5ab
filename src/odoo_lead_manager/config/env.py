"""``${VAR}`` and ``${VAR:-default}`` references to environment variables.

Substitution happens on the raw document before validation, so a number or
a boolean can come from the environment too. ``$${`` writes a literal ``${``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_MALFORMED = re.compile(r"(?<!\$)\$\{(?![A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})")


def substitute(text: str, environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """``text`` with every resolvable reference replaced, and the names left unresolved.

    A reference to an unset variable without default stays as written, so
    that it can be resolved or reported later.
    """
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "$${"
        name, default = match.group(1), match.group(2)
        value = environ.get(name)
        if value is not None:
            return value
        if default is not None:
            return default
        missing.append(name)
        return match.group(0)

    return _REFERENCE.sub(replace, text), missing


def unresolved_variables(text: str) -> list[str]:
    """Names of references in ``text`` that substitution left in place."""
    return [m.group(1) for m in _REFERENCE.finditer(text) if m.group(1)]


def unescape(text: str) -> str:
    """Turn the ``$${`` escape into a literal ``${`` once substitution is done."""
    return text.replace("$${", "${")


def malformed_reference(text: str) -> bool:
    """Whether ``text`` holds a ``${`` that is not a well-formed reference."""
    return _MALFORMED.search(text) is not None


def substitute_tree(
    data: Any, environ: Mapping[str, str], path: tuple[str | int, ...] = ()
) -> tuple[Any, dict[tuple[str | int, ...], list[str]]]:
    """Substitute in every string of a parsed document.

    Returns the new document and, per path, the variables left unresolved.
    """
    unresolved: dict[tuple[str | int, ...], list[str]] = {}

    def walk(node: Any, where: tuple[str | int, ...]) -> Any:
        if isinstance(node, str):
            text, missing = substitute(node, environ)
            if missing:
                unresolved[where] = missing
                return text
            return unescape(text)
        if isinstance(node, dict):
            return {key: walk(value, (*where, str(key))) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value, (*where, index)) for index, value in enumerate(node)]
        return node

    return walk(data, path), unresolved
