"""Salespeople as the strategies see them: level, rank, target, turn order.

A salesperson's level is the one a ``distribution.level_based`` level lists
them under (by name), else the campaign table's ``level`` column; the
target is their own ``target_leads``, else their level's. Ranks count from
the most senior level (0): the level-based levels by priority when they
are configured, else ``salesperson_selection.filters.level_order``;
salespeople with no known level rank after every level.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.domain.model import Salesperson


@dataclass(frozen=True)
class Levels:
    """The levels, most senior first, and each level's target."""

    order: tuple[str, ...]
    targets: Mapping[str, int]
    members: Mapping[str, str]  # casefolded salesperson name -> level
    priorities: Mapping[str, int]

    def rank(self, level: str | None) -> int:
        """0 for the most senior level, ``len(order)`` for none or an unknown one."""
        if level is None:
            return len(self.order)
        folded = [name.casefold() for name in self.order]
        key = level.casefold()
        return folded.index(key) if key in folded else len(self.order)

    def priority(self, level: str | None) -> int:
        """The level's fill priority (1 first); levels without one come last."""
        last = max(self.priorities.values(), default=0) + 1
        return last if level is None else self.priorities.get(level.casefold(), last)


def levels_from(settings: Distribution, level_order: Sequence[str]) -> Levels:
    """The levels of ``settings.level_based``, or ``level_order`` when it has none."""
    configured = settings.level_based.levels if settings.level_based else {}
    if configured:
        order = tuple(sorted(configured, key=lambda name: (configured[name].priority, name)))
    else:
        order = tuple(level_order)
    return Levels(
        order=order,
        targets={name.casefold(): level.target_leads for name, level in configured.items()},
        members={
            member.casefold(): name
            for name, level in configured.items()
            for member in level.salespeople
        },
        priorities={name.casefold(): level.priority for name, level in configured.items()},
    )


def with_levels(salespeople: Sequence[Salesperson], levels: Levels) -> tuple[Salesperson, ...]:
    """Each salesperson with the level and target the configuration gives them."""
    resolved = []
    for person in salespeople:
        level = levels.members.get(person.name.casefold(), person.level)
        target = person.target_leads
        if target is None and level is not None:
            target = levels.targets.get(level.casefold())
        resolved.append(replace(person, level=level, target_leads=target))
    return tuple(resolved)


def turn_order(
    salespeople: Sequence[Salesperson], order: str, levels: Levels, rng: random.Random
) -> list[Salesperson]:
    """The turn order: random (the R pipeline's), alphabetical, or by seniority then name."""
    people = sorted(salespeople, key=lambda p: (p.name.casefold(), p.user_id))
    if order == "alphabetical":
        return people
    if order == "seniority":
        return sorted(people, key=lambda p: levels.rank(p.level))
    rng.shuffle(people)
    return people
