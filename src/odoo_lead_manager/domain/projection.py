"""The workload counts a plan leaves behind: what each salesperson holds once its leads
are written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from odoo_lead_manager.domain.model import Workload


@dataclass(frozen=True)
class Projection:
    """The workload counts once a plan's leads are written.

    ``by_status`` holds each measured salesperson's leads after the run;
    ``taken`` how many leads leave each user's count (anyone who held a lead
    handed out, salesperson or not) and ``gained`` how many join it, so
    that after = current - taken + gained for every measured salesperson.
    """

    by_status: Mapping[int, Mapping[str, int]]
    taken: Mapping[int, int]
    gained: Mapping[int, int]

    def total(self, user_id: int) -> int:
        return sum(self.by_status.get(user_id, {}).values())


def project(
    workloads: Mapping[int, Workload],
    moves: Iterable[tuple[int | None, str | None, int | None, str | None]],
) -> Projection:
    """Apply ``moves`` (leaves, status before, joins, status after) to the current counts."""
    after = {uid: dict(workload.by_status) for uid, workload in workloads.items()}
    taken: dict[int, int] = {}
    gained: dict[int, int] = {}
    for leaves, before, joins, now in moves:
        if leaves is not None:
            taken[leaves] = taken.get(leaves, 0) + 1
            counts = after.get(leaves)
            if counts is not None and counts.get(before or "", 0) > 0:
                counts[before or ""] -= 1
        if joins is not None:
            gained[joins] = gained.get(joins, 0) + 1
            counts = after.get(joins)
            if counts is not None:
                counts[now or ""] = counts.get(now or "", 0) + 1
    return Projection(
        {uid: {k: n for k, n in sorted(c.items()) if n} for uid, c in after.items()},
        taken,
        gained,
    )
