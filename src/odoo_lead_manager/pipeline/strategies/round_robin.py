"""``round_robin`` (spec §4.2, §17.3): equal shares, dealt in turn, resuming across runs.

The R function ``dist_round_robin`` shuffles the salespeople once and lets
each in turn take one random lead it does not own. Here every salesperson's
share is equal (differing by at most one); the extra leads of an uneven
split go to the first in turn. Within a cycle (``cycle_reset``: a day, an
ISO week or a month) the turn order stays fixed and each run starts where
the previous one stopped, so those extras rotate and everyone's total over
the cycle stays within one of the others'. The position is a `Rotation`,
kept in the tracking database with the completed run that left it
(`Journal.finish`); versions before that kept it in a JSON file in
``execution.state_dir``, which `load_rotation` still reads once.
"""

from __future__ import annotations

from collections.abc import Sequence

from odoo_lead_manager.domain.model import Salesperson
from odoo_lead_manager.pipeline.strategies.shares import Shares, water_fill


def round_robin_shares(people: Sequence[Salesperson], total: int) -> Shares:
    """Equal quotas for ``people`` in turn order; the first ``total % n`` get one more."""
    parts = water_fill(total, [None] * len(people), [0] * len(people))
    count = len(people)
    return Shares(
        quota={p.user_id: n for p, n in zip(people, parts, strict=True)},
        cap={p.user_id: None for p in people},
        basis={p.user_id: f"turn {i} of {count}" for i, p in enumerate(people, start=1)},
        unplaced="",
    )
