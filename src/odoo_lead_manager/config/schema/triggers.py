"""The round-robin override's trigger conditions, read as data.

A configuration writes them as text such as ``"when_lead_count < 10"``; each
is parsed when the configuration loads into a `Trigger` (a quantity, an
operator, a value), so a typo is a configuration error naming the
condition rather than a rule that silently never fires.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# What a condition can be about, and whether its value is a count or a flag.
QUANTITIES: Mapping[str, type] = {
    "lead_count": int,
    "salespeople_count": int,
    "manual_override": bool,
}

_OPERATORS: Mapping[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}

_CONDITION = re.compile(r"^\s*when_(\w+)\s*(<=|>=|==|!=|<|>|=)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Trigger:
    """One condition: ``quantity`` compared with ``value`` by ``op``."""

    text: str
    quantity: str
    op: str
    value: int

    def holds(self, values: Mapping[str, int]) -> bool:
        """Whether the condition is true for these values (flags as 0 or 1)."""
        return _OPERATORS[self.op](values[self.quantity], self.value)


def parse_trigger(text: str) -> Trigger:
    """``"when_lead_count < 10"`` as a `Trigger`; anything else is a ValueError saying why."""
    match = _CONDITION.match(text)
    known = ", ".join(f"when_{name}" for name in QUANTITIES)
    if match is None:
        raise ValueError(
            f"{text!r} is not a condition like 'when_lead_count < 10' (one of {known}, "
            f"an operator {' '.join(_OPERATORS)} and a value)"
        )
    quantity, op, raw = match.groups()
    kind = QUANTITIES.get(quantity)
    if kind is None:
        raise ValueError(f"{text!r}: unknown condition when_{quantity} (known: {known})")
    if kind is bool:
        flag = raw.lower()
        if flag not in ("true", "false") or op not in ("=", "==", "!="):
            raise ValueError(f"{text!r}: when_{quantity} takes = true or = false")
        return Trigger(text, quantity, op, int(flag == "true"))
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{text!r}: {raw!r} is not a whole number") from None
    return Trigger(text, quantity, op, value)
