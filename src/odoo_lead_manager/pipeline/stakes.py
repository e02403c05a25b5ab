"""Each salesperson's stake in a run's leads, for the fairness ledger (`domain.ledger`).

A stake is the strategy's own notion of a fair part — 1 for round robin and
level-based, the weight for proportional, the target for capacity-based — times
the part of the day the salesperson is there (0 when away).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.domain.model import Salesperson
from odoo_lead_manager.pipeline.strategies.proportional import proportional_weight


def strategy_weight(strategy: str, person: Salesperson, settings: Distribution) -> float:
    """What ``strategy`` weighs ``person`` by."""
    if strategy == "proportional":
        return proportional_weight(person, settings.proportional)
    if strategy == "capacity_based":
        return float(person.target_leads or 0)
    return 1.0


def run_stakes(
    strategy: str,
    settings: Distribution,
    eligible: Sequence[Salesperson],
    there: Mapping[int, float],
) -> dict[int, float]:
    """Every eligible salesperson's stake; ``there`` is the part of the day each one is
    there (1 when absent from it: nobody said they were away)."""
    return {
        p.user_id: strategy_weight(strategy, p, settings) * there.get(p.user_id, 1.0)
        for p in eligible
    }
