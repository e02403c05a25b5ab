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

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from odoo_lead_manager.errors import DataFileError, reading
from odoo_lead_manager.model import Salesperson, campaign_slug
from odoo_lead_manager.strategies.shares import Shares, water_fill


@dataclass(frozen=True)
class Rotation:
    """A round-robin cycle: its turn order (user ids) and who takes the next turn."""

    cycle: str
    order: tuple[int, ...]
    next_user: int | None = None

    def arrange(self, people: Sequence[Salesperson]) -> list[Salesperson]:
        """``people`` in this cycle's order, starting at the next turn; newcomers at the end."""
        by_id = {p.user_id: p for p in people}
        known = [by_id[uid] for uid in self.order if uid in by_id]
        members = set(self.order)
        newcomers = [p for p in people if p.user_id not in members]
        ordered = known + newcomers
        start = 0
        if self.next_user is not None and self.next_user in self.order:
            # The next taker, or the first one after it who is still here.
            at = self.order.index(self.next_user)
            for uid in (*self.order[at:], *self.order[:at]):
                if uid in by_id:
                    start = ordered.index(by_id[uid])
                    break
        return ordered[start:] + ordered[:start]

    def after(self, ordered: Sequence[Salesperson], dealt: int) -> Rotation:
        """The rotation once ``dealt`` leads went round ``ordered`` (this run's turn order)."""
        ids = tuple(p.user_id for p in ordered)
        if not ids:
            return Rotation(self.cycle, self.order, self.next_user)
        members = set(self.order)
        keep = (*self.order, *(uid for uid in ids if uid not in members))
        return Rotation(self.cycle, keep, ids[dealt % len(ids)])


def cycle_key(today: date, reset: str) -> str:
    """The cycle ``today`` belongs to: ``2024-06-14``, ``2024-W24`` or ``2024-06``."""
    if reset == "weekly":
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    if reset == "monthly":
        return f"{today:%Y-%m}"
    return today.isoformat()


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


def state_path(state_dir: Path, campaign: str | None) -> Path:
    """Where versions before the journal's rotation table kept a campaign's rotation."""
    return state_dir / f"round-robin-{campaign_slug(campaign)}.json"


def load_rotation(path: Path, cycle: str) -> Rotation | None:
    """The rotation in an older version's state file when it belongs to ``cycle``; None
    when there is none or its cycle ended."""
    if not path.exists():
        return None
    with reading(path, "round-robin state", DataFileError):
        text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
        rotation = Rotation(
            cycle=str(data["cycle"]),
            order=tuple(int(uid) for uid in data["order"]),
            next_user=None if data.get("next_user") is None else int(data["next_user"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DataFileError(
            f"{path}: not a round-robin state file ({exc}); delete it to start a new cycle"
        ) from None
    return rotation if rotation.cycle == cycle else None
