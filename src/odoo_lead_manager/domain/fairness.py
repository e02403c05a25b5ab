"""How fair a distribution is: the measures odlm shows, each with one name and one formula.

Every output (the run's preview and report, the recommendations, the
history, `odlm compare`, the JSON) names a measure by its `Measure` here and
computes it with the function beside it:

- **utilisation std dev** (points): the population standard deviation,
  across the salespeople who have a target, of each one's utilisation after
  the run (leads held after / target x 100). The fairness goal is under 10
  points.
- **workload variation** (%): without targets, the population standard
  deviation of the leads each salesperson holds after the run / their mean
  x 100. It stands for the goal when nobody has a target.
- **received range** (leads): the most leads one salesperson received less
  the fewest another received.
- **Gini of received**: the Gini coefficient of the leads each salesperson
  received (0: all received the same; towards 1: one received everything).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

GOAL_POINTS = 10.0


@dataclass(frozen=True)
class Measure:
    """One fairness measure: its key (JSON), its name (text) and unit, and its formula."""

    key: str
    name: str
    unit: str
    formula: str

    def shown(self, value: float | None) -> str:
        """``value`` with the measure's name and unit: "utilisation std dev 10.5 points"."""
        if value is None:
            return f"{self.name} not measured"
        number = f"{value:,}" if isinstance(value, int) else f"{value:.1f}"
        if self.unit == "%":
            return f"{self.name} {number}%"
        unit = self.unit[:-1] if value == 1 and self.unit.endswith("s") else self.unit
        return f"{self.name} {number}{f' {unit}' if unit else ''}"


UTILISATION_STDEV = Measure(
    "utilisation_stdev",
    "utilisation std dev",
    "points",
    "population standard deviation, across the salespeople with a target, of leads held "
    "after the run / target x 100",
)
WORKLOAD_VARIATION = Measure(
    "workload_variation",
    "workload variation",
    "%",
    "population standard deviation of the leads held after the run / their mean x 100 "
    "(the goal figure when nobody has a target)",
)
RECEIVED_RANGE = Measure(
    "received_range",
    "received range",
    "leads",
    "most leads received by one salesperson - fewest received by another",
)
RECEIVED_GINI = Measure(
    "received_gini",
    "Gini of received",
    "",
    "Gini coefficient of the leads received: 0 all equal, towards 1 one receives everything",
)
MEASURES = (UTILISATION_STDEV, WORKLOAD_VARIATION, RECEIVED_RANGE, RECEIVED_GINI)


def utilisation_stdev(utilisations: Sequence[float]) -> float | None:
    """`UTILISATION_STDEV` of the utilisations (percent) of those with a target."""
    return statistics.pstdev(utilisations) if len(utilisations) > 1 else None


def workload_variation(held: Sequence[int]) -> float | None:
    """`WORKLOAD_VARIATION` of the leads each salesperson holds after the run."""
    mean = statistics.fmean(held) if held else 0.0
    return 100.0 * statistics.pstdev(held) / mean if len(held) > 1 and mean else None


def received_range(received: Sequence[int]) -> int:
    """`RECEIVED_RANGE`: most received less fewest received (0 for nobody)."""
    return max(received) - min(received) if received else 0


def gini(values: Sequence[int]) -> float:
    """`RECEIVED_GINI` of ``values`` (0: all equal; towards 1: one holds everything)."""
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum((2 * rank - n - 1) * x for rank, x in enumerate(ordered, start=1))
    return weighted / (n * total)


@dataclass(frozen=True)
class Balance:
    """A run's fairness after it; None where there is nothing to measure."""

    utilisation_stdev: float | None
    workload_variation: float | None
    received_min: int
    received_max: int
    received_gini: float = 0.0

    @property
    def received_range(self) -> int:
        return self.received_max - self.received_min

    @property
    def goal_measure(self) -> Measure:
        """The measure the goal is judged on: utilisation std dev when targets exist."""
        return UTILISATION_STDEV if self.utilisation_stdev is not None else WORKLOAD_VARIATION

    @property
    def figure(self) -> float | None:
        """The goal measure's value."""
        return (
            self.utilisation_stdev
            if self.utilisation_stdev is not None
            else self.workload_variation
        )

    @property
    def within_goal(self) -> bool | None:
        figure = self.figure
        return None if figure is None else figure < GOAL_POINTS

    def goal_sentence(self) -> str | None:
        """ "utilisation std dev 10.5 points (above the goal: under 10)", or None."""
        if self.figure is None:
            return None
        verdict = "within" if self.within_goal else "above"
        unit = "points" if self.goal_measure is UTILISATION_STDEV else "%"
        shown = self.goal_measure.shown(self.figure)
        return f"{shown} ({verdict} the goal: under {GOAL_POINTS:g} {unit})"


def measure_balance(people: Sequence[tuple[int, int, int | None]]) -> Balance:
    """``people`` as (leads held after the run, leads received, target or None)."""
    after = [held for held, _, _ in people]
    received = [r for _, r, _ in people]
    return Balance(
        utilisation_stdev=utilisation_stdev(
            [100.0 * held / target for held, _, target in people if target]
        ),
        workload_variation=workload_variation(after),
        received_min=min(received, default=0),
        received_max=max(received, default=0),
        received_gini=gini(received),
    )
