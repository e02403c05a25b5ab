"""``${VAR}`` and ``${VAR:-default}`` references to environment variables.

Substitution happens on the raw document before validation, so a number or
a boolean can come from the environment too. ``$${`` writes a literal ``${``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
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


Where = tuple[str | int, ...]


@dataclass(frozen=True)
class Substituted:
    """A parsed document after substitution.

    ``unresolved``: per path, the variables left unresolved. ``references``:
    per path whose text came (partly) from the environment, the text as
    written and as resolved, so that a message about that value can show
    ``${VAR}`` instead of what may be a secret.
    """

    document: Any
    unresolved: dict[Where, list[str]]
    references: dict[Where, tuple[str, str]]

    def conceal(self, message: str) -> str:
        """``message`` with every value that came from the environment written as referenced.

        Values shorter than four characters are left: replacing them would
        garble the message, and nothing that short is a secret.
        """
        for written, value in sorted(self.references.values(), key=lambda r: -len(r[1])):
            if len(value) >= 4:
                message = message.replace(value, written)
        return message


def substitute_tree(data: Any, environ: Mapping[str, str]) -> Substituted:
    """Substitute in every string of a parsed document."""
    unresolved: dict[Where, list[str]] = {}
    references: dict[Where, tuple[str, str]] = {}

    def walk(node: Any, where: Where) -> Any:
        if isinstance(node, str):
            text, missing = substitute(node, environ)
            if missing:
                unresolved[where] = missing
                return text
            text = unescape(text)
            if text != unescape(node):
                references[where] = (node, text)
            return text
        if isinstance(node, dict):
            return {key: walk(value, (*where, str(key))) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value, (*where, index)) for index, value in enumerate(node)]
        return node

    return Substituted(walk(data, ()), unresolved, references)
