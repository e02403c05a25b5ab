"""Fairness and speed of every strategy on generated campaigns (spec §16.2).

Run by hand (never in CI):

    .venv/bin/python benchmarks/strategies.py [--leads 1000 10000] [--repeat 5]

50 salespeople (10 senior, 15 mid-level, 25 junior, with the level targets
of §5.1 and current workloads drawn around 60% of target), leads of mixed
priority of which a tenth belong to the salespeople themselves. For each
strategy it prints the balance after distribution — the standard deviation
of utilisation (the §16.2 figure) — what each salesperson received, and the
median time of the strategy alone (share computation plus assignment).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.domain.fairness import measure_balance
from odoo_lead_manager.domain.model import Lead, Salesperson, Workload
from odoo_lead_manager.pipeline.strategies import StrategyInput, distribute
from odoo_lead_manager.pipeline.strategies.people import levels_from, with_levels

LEVELS = {"senior": (200, 1, 10), "mid_level": (150, 2, 15), "junior": (100, 3, 25)}
SETTINGS: dict[str, dict[str, Any]] = {
    "round_robin": {"strategy": "round_robin"},
    "proportional": {
        "strategy": "proportional",
        "proportional": {"weights": {"senior": 2, "mid_level": 1.5, "junior": 1}},
    },
    "capacity_based": {"strategy": "capacity_based"},
    "level_based": {
        "strategy": "level_based",
        "level_based": {
            "levels": {k: {"target_leads": t, "priority": p} for k, (t, p, _) in LEVELS.items()},
            "allow_overflow": True,
            "overflow_limit": 10,
        },
    },
}


def campaign(
    rng: random.Random, lead_count: int
) -> tuple[list[Salesperson], dict[int, int], list[Lead]]:
    people = []
    held = {}
    uid = 1
    for level, (target, _, count) in LEVELS.items():
        for _ in range(count):
            people.append(
                Salesperson(f"{level} {uid}", uid, "Voice", level=level, target_leads=target)
            )
            held[uid] = max(0, int(rng.gauss(0.6, 0.15) * target))
            uid += 1
    leads = [
        Lead(
            i,
            user_id=rng.randint(1, uid - 1) if rng.random() < 0.1 else None,
            priority=rng.choice((0, 0, 1, 1, 2, 3)),
        )
        for i in range(1, lead_count + 1)
    ]
    return people, held, leads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        "| Strategy | Leads | Assigned | Received min-max | Utilisation std dev after | Time (median) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for lead_count in args.leads:
        people, held, leads = campaign(random.Random(2024), lead_count)
        for name, values in SETTINGS.items():
            config = Distribution.model_validate(values)
            levels = levels_from(config, list(LEVELS))
            resolved = with_levels(people, levels)
            workloads = {
                p.user_id: Workload(p.user_id, held[p.user_id], target=p.target_leads)
                for p in resolved
            }
            data = StrategyInput(leads, resolved, workloads, config, levels, cycle="bench")
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = distribute(name, data, random.Random(7))
                times.append(time.perf_counter() - started)
            got = {p.user_id: 0 for p in resolved}
            for assignment in result.assignments:
                got[assignment.user_id] += 1
            balance = measure_balance(
                [
                    (held[p.user_id] + got[p.user_id], got[p.user_id], p.target_leads)
                    for p in resolved
                ]
            )
            print(
                f"| {name} | {lead_count:,} | {len(result.assignments):,} | "
                f"{balance.received_min}-{balance.received_max} | "
                f"{balance.utilisation_stdev:.1f} points | {statistics.median(times) * 1000:.0f} ms |"
            )


if __name__ == "__main__":
    main()
