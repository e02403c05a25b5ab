"""Text matching shared by every rule that compares names: statuses, tags, sources.

A matcher is built once per run (regexes compiled once) and then asked about
many leads, so the per-lead cost is a set lookup or a precompiled search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from odoo_lead_manager.errors import ConfigError

MatchMode = Literal["exact", "partial", "regex"]


class TextMatcher:
    """Does a value match any of a set of configured values?

    ``exact`` compares whole values, ``partial`` looks for a configured value
    inside the lead's value, ``regex`` searches with each configured value as
    a regular expression. Without ``case_sensitive`` both sides are
    case-folded. Surrounding whitespace is significant unless
    ``strip_whitespace`` is set, because the legacy pipeline distinguishes
    ``"Full Pitch Follow Up"`` from ``"Full Pitch Follow Up "``.
    """

    __slots__ = (
        "_exact",
        "_partial",
        "_patterns",
        "case_sensitive",
        "mode",
        "strip_whitespace",
        "values",
    )

    def __init__(
        self,
        values: Iterable[str],
        mode: MatchMode = "exact",
        case_sensitive: bool = False,
        strip_whitespace: bool = False,
    ) -> None:
        self.values = tuple(values)
        self.mode = mode
        self.case_sensitive = case_sensitive
        self.strip_whitespace = strip_whitespace
        normalised = tuple(self._normalise(v) for v in self.values)
        self._exact = frozenset(normalised)
        self._partial = normalised
        flags = 0 if case_sensitive else re.IGNORECASE
        self._patterns: tuple[re.Pattern[str], ...] = ()
        if mode == "regex":
            patterns = []
            for value in self.values:
                try:
                    patterns.append(re.compile(value, flags))
                except re.error as exc:
                    raise ConfigError(f"invalid regular expression {value!r}: {exc}") from exc
            self._patterns = tuple(patterns)

    def _normalise(self, value: str) -> str:
        if self.strip_whitespace:
            value = value.strip()
        return value if self.case_sensitive else value.casefold()

    def matches(self, value: str | None) -> bool:
        """True when ``value`` matches one of the configured values; unset never matches."""
        if value is None:
            return False
        if self.mode == "regex":
            text = value.strip() if self.strip_whitespace else value
            return any(p.search(text) for p in self._patterns)
        norm = self._normalise(value)
        if self.mode == "exact":
            return norm in self._exact
        return any(v in norm for v in self._partial)

    def matches_any(self, values: Iterable[str]) -> bool:
        """True when at least one of ``values`` matches (for tags)."""
        return any(self.matches(v) for v in values)

    def __repr__(self) -> str:
        return (
            f"TextMatcher({self.values!r}, mode={self.mode!r}, "
            f"case_sensitive={self.case_sensitive}, strip_whitespace={self.strip_whitespace})"
        )
