"""Who held a lead before: the chain of its holders as odlm's runs recorded them, and the
earlier holders a lead must not go back to (``distribution.never_back_to_last``).

A lead handed A → B → A is work passed back and forth: the salesperson who
had it before gets it again, and the one who had it in between loses it. A
lead therefore never goes to any of its last N holders, the current one
included; N = 1 keeps only the current holder, as the R job did.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Per lead, its holders oldest first, as the history recorded them (previous, new, ...).
HolderChains = dict[int, tuple[int, ...]]

# The most holders a chain keeps per lead: the largest ``never_back_to_last``.
LONGEST_CHAIN = 10


def holder_chains(rows: Iterable[tuple[int, int | None, int]]) -> HolderChains:
    """The chains of ``rows`` (lead id, previous holder, new holder), given oldest first:
    consecutive repeats said once (a lead taken back by hand and moved again), the last
    `LONGEST_CHAIN` kept."""
    chains: dict[int, list[int]] = {}
    for lead_id, previous, new in rows:
        chain = chains.setdefault(lead_id, [])
        for user_id in (previous, new):
            if user_id is not None and (not chain or chain[-1] != user_id):
                chain.append(user_id)
    return {lead_id: tuple(chain[-LONGEST_CHAIN:]) for lead_id, chain in chains.items()}


def earlier_holders(chain: Sequence[int], current: int | None, count: int) -> frozenset[int]:
    """Of a lead's last ``count`` holders (``current`` first, then back along ``chain``),
    those other than ``current``: whom the lead must not go back to."""
    recent = [current] if current is not None else []
    for user_id in reversed(chain):
        if len(recent) >= count:
            break
        if not recent or recent[-1] != user_id:
            recent.append(user_id)
    return frozenset(recent[:count]) - {current}
