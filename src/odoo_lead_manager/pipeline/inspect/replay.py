"""`odlm replay RUN_ID`: plan a recorded run again, offline, and show what differs.

Pure over a kept run (`domain.runs.Recorded`): the snapshot is planned
again under the given configuration and seed (by default the run's own),
and each lead whose fate differs from the recorded plan is listed. For a
real run, what the journal says became of each lead written is shown too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import Recorded
from odoo_lead_manager.pipeline.planning import plan_snapshot
from odoo_lead_manager.pipeline.settings import PlanSettings


@dataclass(frozen=True)
class Difference:
    """A lead handled differently: in the recorded plan, and in the replay."""

    lead_id: int
    then: str
    now: str


@dataclass(frozen=True)
class Replay:
    """A recorded run planned again."""

    recorded: Recorded
    plan: Plan
    differences: tuple[Difference, ...]
    # (what, recorded, replayed) for the run's totals and each salesperson's leads received.
    figures: tuple[tuple[str, int, int], ...]

    @property
    def identical(self) -> bool:
        """The replay decided every lead as the recorded plan did."""
        return not self.differences and all(then == now for _, then, now in self.figures)


def replay(
    settings: PlanSettings,
    recorded: Recorded,
    seed: int | None = None,
    applied: Mapping[int, str] | None = None,
) -> Replay:
    """Plan ``recorded`` again under ``settings`` (with ``seed``, else the run's own)."""
    then_plan = recorded.plan
    plan = plan_snapshot(settings, recorded.snapshot, then_plan.seed if seed is None else seed).plan
    then, now = then_plan.fates(), plan.fates()
    differences = []
    for lead_id in sorted(then.keys() | now.keys()):
        before = then.get(lead_id, "not distributable")
        if applied is not None and lead_id in applied:
            before = f"{before} ({applied[lead_id]})"
        after = now.get(lead_id, "not distributable")
        if then.get(lead_id) != now.get(lead_id):
            differences.append(Difference(lead_id, before, after))
    return Replay(recorded, plan, tuple(differences), _figures(then_plan, plan))


def _figures(then: Plan, now: Plan) -> tuple[tuple[str, int, int], ...]:
    rows = [
        ("leads examined", then.examined, now.examined),
        ("distributable", then.distributable, now.distributable),
        ("handed out", len(then.handed_out), len(now.handed_out)),
        ("left undistributed", then.undistributed, now.undistributed),
    ]
    for rule in dict.fromkeys([*then.excluded, *now.excluded]):
        rows.append((f"excluded: {rule}", then.excluded.get(rule, 0), now.excluded.get(rule, 0)))
    names = {**then.user_names, **now.user_names}
    received_then, received_now = then.received, now.received
    for user_id in dict.fromkeys([*received_then, *received_now]):
        rows.append(
            (
                f"received: {names.get(user_id, f'user {user_id}')}",
                received_then.get(user_id, 0),
                received_now.get(user_id, 0),
            )
        )
    return tuple(rows)
