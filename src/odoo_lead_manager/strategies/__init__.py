"""Distribution strategies: pure functions from leads and salespeople to assignments.

A strategy gets the distributable leads, the eligible salespeople with their
current workload, its options and a seeded ``random.Random``; it returns the
assignments and the leads it could not place with the reason. It never reads
the clock, the CRM or any global randomness, so the same inputs and seed give
the same plan.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from odoo_lead_manager.errors import ConfigError
from odoo_lead_manager.model import Assignment, Lead, Salesperson, Workload
from odoo_lead_manager.strategies.round_robin import round_robin


@dataclass(frozen=True)
class StrategyInput:
    """What every strategy receives besides the random generator."""

    leads: Sequence[Lead]
    salespeople: Sequence[Salesperson]
    workloads: Mapping[int, Workload]
    max_leads: int | None = None
    order: str = "random"


@dataclass(frozen=True)
class StrategyResult:
    """Assignments, and the leads left unassigned keyed by the reason."""

    assignments: list[Assignment]
    unassigned: dict[str, list[int]] = field(default_factory=dict)


Strategy = Callable[[StrategyInput, random.Random], StrategyResult]


def _round_robin(data: StrategyInput, rng: random.Random) -> StrategyResult:
    assignments, unassigned = round_robin(
        data.leads, data.salespeople, rng, order=data.order, max_leads=data.max_leads
    )
    return StrategyResult(assignments, unassigned)


STRATEGIES: dict[str, Strategy] = {"round_robin": _round_robin}


def get_strategy(name: str) -> Strategy:
    """The strategy called ``name``; one this version lacks is a configuration error."""
    try:
        return STRATEGIES[name]
    except KeyError:
        available = ", ".join(sorted(STRATEGIES))
        raise ConfigError(
            f"distribution.strategy: {name!r} is not available in this version "
            f"(available: {available})"
        ) from None
