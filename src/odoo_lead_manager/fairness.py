"""How fair a distribution is: the spread of workloads after it (spec §16.2).

§16.2 aims at a standard deviation below 10% across salespeople. With
targets, that is the standard deviation of utilisation (leads held after
the run as a percentage of target), in percentage points. Without targets
(round robin), it is the coefficient of variation of the leads held after
the run (standard deviation over mean, in percent), and the spread of what
each received this run.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

GOAL_PERCENT = 10.0


@dataclass(frozen=True)
class Balance:
    """Spread of workloads after a run; None where there is nothing to measure."""

    utilisation_stdev: float | None
    workload_variation: float | None
    received_min: int
    received_max: int

    @property
    def figure(self) -> float | None:
        """The §16.2 figure: utilisation spread when targets exist, else workload variation."""
        return (
            self.utilisation_stdev
            if self.utilisation_stdev is not None
            else self.workload_variation
        )

    @property
    def within_goal(self) -> bool | None:
        figure = self.figure
        return None if figure is None else figure < GOAL_PERCENT


def measure_balance(people: Sequence[tuple[int, int, int | None]]) -> Balance:
    """``people`` as (leads held after the run, leads received, target or None)."""
    after = [held for held, _, _ in people]
    utilisation = [100.0 * held / target for held, _, target in people if target]
    mean = statistics.fmean(after) if after else 0.0
    received = [r for _, r, _ in people]
    return Balance(
        utilisation_stdev=statistics.pstdev(utilisation) if len(utilisation) > 1 else None,
        workload_variation=100.0 * statistics.pstdev(after) / mean
        if len(after) > 1 and mean
        else None,
        received_min=min(received, default=0),
        received_max=max(received, default=0),
    )
