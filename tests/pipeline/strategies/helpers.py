"""Running a strategy on literal data."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.domain.model import Capacity, Lead, Salesperson, Workload
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.pipeline.strategies import StrategyInput, StrategyResult, distribute
from odoo_lead_manager.pipeline.strategies.people import levels_from, with_levels

LEVEL_ORDER = ("senior", "mid_level", "junior")


def settings(**values: Any) -> Distribution:
    return Distribution.model_validate(values)


def run(
    name: str,
    leads: Sequence[Lead],
    people: Sequence[Salesperson],
    *,
    held: Mapping[int, int] | None = None,
    config: Distribution | None = None,
    seed: int = 1,
    max_leads: int | None = None,
    rotation: Rotation | None = None,
    cycle: str = "2024-06-14",
    owner_field: str = "user_id",
    releasing: Mapping[int, int] | None = None,
    accepts: Mapping[int, frozenset[int]] | None = None,
    prefers: Mapping[int, frozenset[int]] | None = None,
    capacity: Mapping[int, Capacity] | None = None,
    earlier: Mapping[int, frozenset[int]] | None = None,
) -> StrategyResult:
    config = config or settings(strategy=name)
    levels = levels_from(config, LEVEL_ORDER)
    resolved = with_levels(people, levels)
    held = held or {}
    workloads = {
        p.user_id: Workload(p.user_id, held.get(p.user_id, 0), target=p.target_leads)
        for p in resolved
    }
    data = StrategyInput(
        leads=leads,
        salespeople=resolved,
        workloads=workloads,
        settings=config,
        levels=levels,
        max_leads=max_leads,
        rotation=rotation,
        cycle=cycle,
        owner_field=owner_field,
        releasing=releasing or {},
        accepts=accepts or {},
        prefers=prefers or {},
        earlier=earlier or {},
        capacity=capacity or {},
    )
    return distribute(name, data, random.Random(seed))


def received(result: StrategyResult) -> Counter[int]:
    return Counter(a.user_id for a in result.assignments)


def left(result: StrategyResult) -> list[int]:
    return sorted(i for ids in result.unassigned.values() for i in ids)
