"""Counts in sentences: "1 lead", "2 leads", "1,204 leads"."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` (with thousands separators) and ``noun``, in the plural unless one."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
