"""`odlm compare`: recorded days replayed under two (or more) configurations, side by side.

Pure over kept runs: each snapshot is planned under each configuration with
the run's own seed, and the same figures are measured on every plan: leads
moved, what each salesperson receives and holds after, fairness (the
measures of `fairness`: utilisation std dev, received range, Gini of
received), leads left by reason, salespeople over or under target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from odoo_lead_manager.domain.fairness import (
    RECEIVED_GINI,
    RECEIVED_RANGE,
    UTILISATION_STDEV,
    gini,
    received_range,
    utilisation_stdev,
)
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import Recorded
from odoo_lead_manager.pipeline.planning import plan_snapshot
from odoo_lead_manager.pipeline.settings import PlanSettings


@dataclass(frozen=True)
class Person:
    """One salesperson's figures in one plan."""

    name: str
    received: int
    after: int
    target: int | None


@dataclass(frozen=True)
class Figures:
    """What one configuration does with one recorded day."""

    moved: int
    people: tuple[Person, ...]
    utilisation_stdev: float | None
    received_range: int
    received_gini: float
    left: dict[str, int] = field(default_factory=dict)

    @property
    def over(self) -> tuple[str, ...]:
        """The salespeople holding more than their target after the run."""
        return tuple(p.name for p in self.people if p.target is not None and p.after > p.target)

    @property
    def under(self) -> tuple[str, ...]:
        """The salespeople holding less than their target after the run."""
        return tuple(p.name for p in self.people if p.target is not None and p.after < p.target)

    @property
    def over_target(self) -> int:
        return len(self.over)

    @classmethod
    def of(cls, plan: Plan) -> Figures:
        projection = plan.projection()
        received = plan.received
        people = tuple(
            Person(p.name, received.get(p.user_id, 0), projection.total(p.user_id), p.target_leads)
            for p in plan.salespeople
        )
        utilisations = [100.0 * x.after / x.target for x in people if x.target]
        counts = [x.received for x in people]
        stdev = utilisation_stdev(utilisations)
        left = {f"excluded: {rule}": n for rule, n in plan.excluded.items() if n}
        left.update((f"left: {why}", len(ids)) for why, ids in plan.unassigned.items() if ids)
        return cls(
            moved=len(plan.assignments) + (len(plan.dropback) if plan.dropback_applied else 0),
            people=people,
            utilisation_stdev=round(stdev, 2) if stdev is not None else None,
            received_range=received_range(counts),
            received_gini=round(gini(counts), 4),
            left=left,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "moved": self.moved,
            "salespeople": [
                {"name": p.name, "received": p.received, "after": p.after, "target": p.target}
                for p in self.people
            ],
            UTILISATION_STDEV.key: self.utilisation_stdev,
            RECEIVED_RANGE.key: self.received_range,
            RECEIVED_GINI.key: self.received_gini,
            "left": self.left,
            "over_target": self.over_target,
            "over_target_names": list(self.over),
            "under_target_names": list(self.under),
        }


@dataclass(frozen=True)
class Day:
    """One recorded run under each configuration."""

    run_id: str
    day: date
    campaign: str
    figures: tuple[Figures, ...]


@dataclass(frozen=True)
class Comparison:
    """Recorded runs replayed under each configuration."""

    names: tuple[str, ...]
    days: tuple[Day, ...]

    def totals(self) -> tuple[Figures, ...]:
        """Each configuration's figures over all days (received and moved summed; the
        after-counts and fairness those of the last day)."""
        result = []
        for index in range(len(self.names)):
            last = self.days[-1].figures[index]
            received: dict[str, int] = {}
            left: dict[str, int] = {}
            for day in self.days:
                for person in day.figures[index].people:
                    received[person.name] = received.get(person.name, 0) + person.received
                for reason, n in day.figures[index].left.items():
                    left[reason] = left.get(reason, 0) + n
            counts = list(received.values())
            result.append(
                Figures(
                    moved=sum(day.figures[index].moved for day in self.days),
                    people=tuple(
                        Person(p.name, received.get(p.name, 0), p.after, p.target)
                        for p in last.people
                    ),
                    utilisation_stdev=last.utilisation_stdev,
                    received_range=received_range(counts),
                    received_gini=round(gini(counts), 4),
                    left=left,
                )
            )
        return tuple(result)

    def to_dict(self) -> dict[str, Any]:
        return {
            "configurations": list(self.names),
            "days": [
                {
                    "run_id": day.run_id,
                    "date": day.day.isoformat(),
                    "campaign": day.campaign,
                    "figures": [f.to_dict() for f in day.figures],
                }
                for day in self.days
            ],
            "total": [f.to_dict() for f in self.totals()] if self.days else [],
        }


def compare(configs: Sequence[tuple[str, PlanSettings]], runs: Sequence[Recorded]) -> Comparison:
    """Replay every run under every configuration (each run with its own seed)."""
    days = tuple(
        Day(
            run.run.run_id,
            run.run.run_date,
            run.run.campaign,
            tuple(
                Figures.of(plan_snapshot(settings, run.snapshot, run.plan.seed).plan)
                for _, settings in configs
            ),
        )
        for run in runs
    )
    return Comparison(tuple(name for name, _ in configs), days)
