"""Where round robin stands in a campaign's cycle: its turn order and who takes the next turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from odoo_lead_manager.domain.model import Salesperson


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
