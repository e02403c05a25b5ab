"""Text matching shared by every rule that compares names: statuses, tags, sources.

A matcher is built once per run (regexes compiled once) and then asked about
many leads, so the per-lead cost is a set lookup or a precompiled search.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from typing import Literal

from odoo_lead_manager.errors import ConfigError

MatchMode = Literal["exact", "partial", "regex"]
MATCH_MODES: tuple[MatchMode, ...] = ("exact", "partial", "regex")


class TextMatcher:
    """Does a value match any of a set of configured values or patterns?

    ``exact`` compares whole values, ``partial`` looks for a configured value
    inside the lead's value, ``regex`` searches with each configured value as
    a regular expression. ``wildcards`` (``facebook*``, ``?`` for one
    character) must match the whole value, and ``regexes`` are searched,
    whatever the mode. Without ``case_sensitive`` both sides are case-folded.
    Surrounding whitespace is significant unless ``strip_whitespace`` is set,
    because the legacy pipeline distinguishes ``"Full Pitch Follow Up"`` from
    ``"Full Pitch Follow Up "``. ``key`` names the configuration setting in
    error messages.
    """

    __slots__ = (
        "_exact",
        "_partial",
        "_patterns",
        "case_sensitive",
        "mode",
        "strip_whitespace",
        "values",
        "wildcards",
    )

    def __init__(
        self,
        values: Iterable[str],
        mode: MatchMode = "exact",
        case_sensitive: bool = False,
        strip_whitespace: bool = False,
        *,
        wildcards: Iterable[str] = (),
        regexes: Iterable[str] = (),
        key: str = "match",
    ) -> None:
        if mode not in MATCH_MODES:
            raise ConfigError(
                f"{key}: unknown match mode {mode!r} (known: {', '.join(MATCH_MODES)})"
            )
        self.values = tuple(values)
        self.wildcards = tuple(wildcards)
        self.mode = mode
        self.case_sensitive = case_sensitive
        self.strip_whitespace = strip_whitespace
        normalised = tuple(self._normalise(v) for v in self.values)
        self._exact = frozenset(normalised) if mode == "exact" else frozenset()
        self._partial = normalised if mode == "partial" else ()
        expressions = list(regexes)
        if mode == "regex":
            expressions[:0] = self.values
        # fnmatch.translate anchors the end only; the caret makes a wildcard cover the whole value.
        expressions.extend("^" + fnmatch.translate(w) for w in self.wildcards)
        flags = 0 if case_sensitive else re.IGNORECASE
        patterns = []
        for expression in expressions:
            try:
                patterns.append(re.compile(expression, flags))
            except re.error as exc:
                raise ConfigError(
                    f"{key}: invalid regular expression {expression!r}: {exc}"
                ) from None
        self._patterns: tuple[re.Pattern[str], ...] = tuple(patterns)

    def _normalise(self, value: str) -> str:
        if self.strip_whitespace:
            value = value.strip()
        return value if self.case_sensitive else value.casefold()

    def describe(self, most: int = 8) -> str:
        """What a value must be to match, for a sentence: "is not one of 'New', 'Utr'"."""
        shown = ", ".join(repr(v) for v in self.values[:most])
        if len(self.values) > most:
            shown += f" and {len(self.values) - most} more"
        how = {"exact": "one of", "partial": "containing one of", "regex": "matching one of"}
        parts = [f"{how[self.mode]} {shown}"] if self.values else []
        if self.wildcards:
            parts.append("like " + ", ".join(repr(w) for w in self.wildcards[:most]))
        if self._patterns and self.mode != "regex":
            parts.append("matching a configured pattern")
        case = "" if self.case_sensitive else " (case ignored)"
        return f"is not {' or '.join(parts) or 'any configured value'}{case}"

    @property
    def is_plain_exact(self) -> bool:
        """Whether matching is whole-value, case-sensitive equality with nothing else.

        Only then does Odoo's ``in`` operator select exactly what this matcher
        accepts, so only then may a filter push it to the server.
        """
        return (
            self.mode == "exact"
            and self.case_sensitive
            and not self.strip_whitespace
            and not self._patterns
        )

    def matches(self, value: str | None) -> bool:
        """True when ``value`` matches a configured value or pattern; unset never matches."""
        if value is None:
            return False
        norm = self._normalise(value)
        if norm in self._exact or any(v in norm for v in self._partial):
            return True
        text = value.strip() if self.strip_whitespace else value
        return any(p.search(text) for p in self._patterns)

    def matches_any(self, values: Iterable[str]) -> bool:
        """True when at least one of ``values`` matches (for tags)."""
        return any(self.matches(v) for v in values)

    def __bool__(self) -> bool:
        return bool(self.values or self._patterns)

    def __repr__(self) -> str:
        return (
            f"TextMatcher({self.values!r}, mode={self.mode!r}, "
            f"case_sensitive={self.case_sensitive}, strip_whitespace={self.strip_whitespace}, "
            f"wildcards={self.wildcards!r})"
        )
