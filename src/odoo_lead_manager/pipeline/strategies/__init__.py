"""Distribution strategies (spec §4): pure functions from leads and salespeople to a plan.

A strategy only decides how many leads each salesperson gets (`Shares`):
``round_robin`` equal shares, ``proportional`` shares by weight,
``capacity_based`` shares by room below target, ``level_based`` deficits
filled level by level. Workload balancing then bounds the shares, and one
engine picks which lead goes to whom (`engine`). Nothing here reads the
clock, the CRM or global randomness: the same inputs and seed give the same
plan, and every assignment carries its reason.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.domain.model import Assignment, Capacity, Lead, Salesperson, Workload
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.pipeline.strategies.balancing import balance, limit_shares
from odoo_lead_manager.pipeline.strategies.caps import Room, apply_caps, within_capacity
from odoo_lead_manager.pipeline.strategies.catch_up import shift_shares
from odoo_lead_manager.pipeline.strategies.engine import OVER_LIMIT, Matching, assign
from odoo_lead_manager.pipeline.strategies.ledger import SETTLED, settle
from odoo_lead_manager.pipeline.strategies.level_based import level_based_shares
from odoo_lead_manager.pipeline.strategies.people import Levels, turn_order
from odoo_lead_manager.pipeline.strategies.proportional import capacity_shares, proportional_shares
from odoo_lead_manager.pipeline.strategies.round_robin import round_robin_shares
from odoo_lead_manager.pipeline.strategies.shares import Shares, StrategyUnavailable

__all__ = [
    "STRATEGIES",
    "StrategyInput",
    "StrategyResult",
    "StrategyUnavailable",
    "choose_strategy",
    "distribute",
]


@dataclass(frozen=True)
class StrategyInput:
    """What a distribution needs besides the strategy's name and the random generator.

    ``salespeople`` carry their resolved level and target; ``rotation`` is
    the saved round-robin position of the current ``cycle``, if any.
    ``owner_field`` says who holds a lead (a lead never goes back to its
    holder); ``releasing`` counts, per salesperson, the leads of ``leads``
    that leave their workload once handed to someone else, so that
    target-based strategies measure deficits from what each one keeps.
    """

    leads: Sequence[Lead]
    salespeople: Sequence[Salesperson]
    workloads: Mapping[int, Workload]
    settings: Distribution
    levels: Levels
    max_leads: int | None = None
    rotation: Rotation | None = None
    cycle: str = ""
    owner_field: str = "user_id"
    releasing: Mapping[int, int] = field(default_factory=dict)
    # Each capped salesperson's room in this run (``distribution.caps``), and the
    # weekend's deliveries that count toward a Monday's bounds.
    rooms: Mapping[int, Room] = field(default_factory=dict)
    weekend: Mapping[int, int] = field(default_factory=dict)
    # Salespeople there for part of the day: the fraction of their share they may take.
    present_share: Mapping[int, float] = field(default_factory=dict)
    # Salespeople back from an absence: the most extra leads this run may give them.
    catch_up: Mapping[int, int] = field(default_factory=dict)
    # Salespeople with an assignment domain (``source_type: odoo_team``): the leads it accepts.
    accepts: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # Salespeople with Odoo 19's preferred domain: the leads it prefers (among those their
    # assignment domain accepts, they are chosen first for these).
    prefers: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # Members of an Odoo sales team (``source_type: odoo_team``): Odoo's 30-day capacity,
    # which no strategy takes anyone past.
    capacity: Mapping[int, Capacity] = field(default_factory=dict)
    # Per lead, its earlier holders (not the current one), whom it never goes back to
    # (``distribution.never_back_to_last``).
    earlier: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # The fairness ledger (``distribution.fairness_window_days``): each salesperson's stake
    # in the run and balance over the window's ``ledger_days`` run days (empty: off).
    stakes: Mapping[int, float] = field(default_factory=dict)
    balances: Mapping[int, float] = field(default_factory=dict)
    ledger_days: int = 0


@dataclass(frozen=True)
class StrategyResult:
    """Assignments, the leads left by reason, each share, the rotation to keep, and who
    a cap held back (user id: the cap)."""

    assignments: list[Assignment]
    unassigned: dict[str, list[int]]
    quotas: dict[int, int]
    rotation: Rotation | None = None
    warnings: tuple[str, ...] = field(default=())
    capped: dict[int, str] = field(default_factory=dict)
    caught_up: dict[int, int] = field(default_factory=dict)


PARTLY_AWAY = "the salespeople who are there have no room left (availability)"

ShareRule = Callable[[StrategyInput, Sequence[Salesperson], int], Shares]


def _current(data: StrategyInput) -> dict[int, int]:
    """What each salesperson keeps: current leads less those this run hands to others."""
    return {
        uid: workload.total - data.releasing.get(uid, 0) for uid, workload in data.workloads.items()
    }


def _level_based(data: StrategyInput, people: Sequence[Salesperson], total: int) -> Shares:
    settings = data.settings.level_based
    if settings is None:
        raise StrategyUnavailable("level_based needs distribution.level_based")
    return level_based_shares(people, _current(data), total, settings, data.levels, data.capacity)


STRATEGIES: dict[str, ShareRule] = {
    "round_robin": lambda data, people, total: round_robin_shares(people, total),
    "proportional": lambda data, people, total: proportional_shares(
        people, total, data.settings.proportional
    ),
    "capacity_based": lambda data, people, total: capacity_shares(
        people, _current(data), total, data.capacity
    ),
    "level_based": _level_based,
}


def choose_strategy(
    settings: Distribution, forced: bool, lead_count: int, salespeople_count: int
) -> tuple[str, str | None]:
    """The strategy this run uses, and why it is not the configured one (None when it is).

    ``--force-round-robin`` always switches. An enabled round-robin override
    switches when any trigger condition holds, and always when it lists
    none (enabled alone is the user asking for the override).
    """
    if forced:
        return "round_robin", "round robin forced (--force-round-robin)"
    override = settings.round_robin_override
    if not override.enabled or settings.strategy == "round_robin":
        return settings.strategy, None
    values = {
        "lead_count": lead_count,
        "salespeople_count": salespeople_count,
        "manual_override": 0,
    }
    if not override.triggers:
        return "round_robin", "round_robin_override is enabled with no trigger conditions"
    for trigger in override.triggers:
        if trigger.holds(values):
            return "round_robin", (
                f"round_robin_override: {trigger.text} ({plural(lead_count, 'lead')}, "
                f"{plural(salespeople_count, 'salesperson', 'salespeople')})"
            )
    return settings.strategy, None


def matching_rules(settings: Distribution) -> Matching:
    """The §4.3 rules as the engine applies them."""
    rules = settings.advanced_rules
    if rules is None:
        return Matching()
    skills, geo, priority = (
        rules.skill_matching,
        rules.geographic_distribution,
        rules.priority_handling,
    )
    return Matching(
        high=priority.high_priority_leads,
        medium=priority.medium_priority_leads,
        low=priority.low_priority_leads,
        skills=tuple(s.casefold() for s in skills.required_skills) if skills.enabled else (),
        skill_weights=tuple(skills.skill_weights) if skills.enabled else (),
        region=geo.enabled and geo.region_matching,
        timezone=geo.enabled and geo.timezone_consideration,
    )


def distribute(name: str, data: StrategyInput, rng: random.Random) -> StrategyResult:
    """Distribute ``data.leads`` with strategy ``name``; `StrategyUnavailable` if it cannot run."""
    settings = data.settings
    order = (
        settings.round_robin_override.distribution_order
        if settings.randomize_order
        else "alphabetical"
    )
    people = turn_order(data.salespeople, order, data.levels, rng)
    base: Rotation | None = None
    if name == "round_robin":
        base = data.rotation or Rotation(data.cycle, tuple(p.user_id for p in people))
        people = base.arrange(people)
    total = len(data.leads) if data.max_leads is None else min(data.max_leads, len(data.leads))
    shares = STRATEGIES[name](data, people, total)
    turn = [p.user_id for p in people]
    if name in SETTLED and any(data.balances.values()):
        # The stakes already weigh in the part of the day each one is there.
        shares = settle(shares, turn, data.stakes, data.balances, data.ledger_days)
    elif data.present_share:
        part = {
            uid: math.floor(round(f * shares.quota[uid], 9))
            for uid, f in data.present_share.items()
        }
        shares = limit_shares(shares, turn, part, PARTLY_AWAY, "availability")
    caught_up: dict[int, int] = {}
    if data.catch_up:
        shares, caught_up = shift_shares(shares, turn, data.catch_up)
    shares, capped = apply_caps(shares, turn, data.rooms)
    if data.capacity:
        shares, held = within_capacity(shares, turn, data.capacity)
        capped = {**capped, **held}
    rules = settings.advanced_rules
    if rules is not None and rules.workload_balancing.enabled:
        shares = balance(shares, turn, rules.workload_balancing, data.weekend)
    full_reason = shares.unplaced if shares.total < total else OVER_LIMIT
    matching = matching_rules(settings)
    assignments, unassigned = assign(
        data.leads,
        people,
        shares,
        matching,
        data.levels,
        name,
        rng,
        full_reason,
        data.owner_field,
        data.accepts,
        data.prefers,
        data.earlier,
    )
    return StrategyResult(
        assignments=assignments,
        unassigned=unassigned,
        quotas=dict(shares.quota),
        rotation=base.after(people, shares.total) if base is not None else None,
        warnings=(*shares.warnings, *_missing_data(matching, data)),
        capped=capped,
        caught_up=caught_up,
    )


def _missing_data(matching: Matching, data: StrategyInput) -> list[str]:
    """Matching rules that are on but have nothing to compare, said once each."""
    checks = (
        (bool(matching.skills), "skill_matching", "skill", "skills"),
        (matching.region, "geographic_distribution.region_matching", "region", "region"),
        (
            matching.timezone,
            "geographic_distribution.timezone_consideration",
            "timezone",
            "timezone",
        ),
    )
    warnings = []
    for on, key, lead_field, attribute in checks:
        if not on:
            continue
        if data.leads and not any(getattr(lead, attribute) for lead in data.leads):
            warnings.append(
                f"{key}: no lead has a {lead_field} (map crm.field_mapping.{lead_field}); "
                "leads were distributed without it"
            )
        if not any(getattr(person, attribute) for person in data.salespeople):
            warnings.append(
                f"{key}: no salesperson has a {attribute} (campaign table column {attribute}); "
                "leads were distributed without it"
            )
    return warnings
