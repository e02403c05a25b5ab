"""``distribution`` (spec §4, §5.1, §17.2): how leads are shared out and what is written."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from odoo_lead_manager.config.schema.base import NonNegativeInt, PositiveInt, Section, Weight
from odoo_lead_manager.config.schema.triggers import Trigger, parse_trigger

StrategyName = Literal["level_based", "round_robin", "proportional", "capacity_based"]
OwnerField = Literal["user_id", "open_user_id", "closer_id"]


class Level(Section):
    """A salesperson level and its lead target (§4.1)."""

    target_leads: NonNegativeInt
    priority: PositiveInt = 1
    salespeople: list[str] = Field(default_factory=list)


class LevelBased(Section):
    """Fill each level up to its target, highest priority first (§4.1)."""

    levels: dict[str, Level] = Field(default_factory=dict)
    fill_strategy: Literal["highest_priority_first", "round_robin_within_level"] = (
        "highest_priority_first"
    )
    allow_overflow: bool = False
    overflow_limit: NonNegativeInt = 10


class RoundRobinOverride(Section):
    """Switch to round robin under given conditions (§4.2), and how round robin turns.

    ``distribution_order`` and ``cycle_reset`` apply to every round-robin run,
    whether configured as the strategy or switched to: the turn order is
    fixed for a cycle (a day, an ISO week or a month) and each real run
    resumes it where the previous one stopped (state in ``execution.state_dir``).
    """

    enabled: bool = False
    trigger_conditions: list[str] = Field(default_factory=list)
    distribution_order: Literal["random", "alphabetical", "seniority"] = "random"
    cycle_reset: Literal["daily", "weekly", "monthly"] = "daily"

    @field_validator("trigger_conditions")
    @classmethod
    def _conditions_parse(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_trigger(text)
        return value

    @property
    def triggers(self) -> list[Trigger]:
        """The conditions as data."""
        return [parse_trigger(text) for text in self.trigger_conditions]


class Proportional(Section):
    """Leads shared in proportion to weights (``strategy: proportional``).

    ``weights`` maps a salesperson's name or a level's name to a weight (a
    salesperson's own entry wins over its level's); everyone else weighs
    ``default_weight``.
    """

    weights: dict[str, Weight] = Field(default_factory=dict)
    default_weight: Weight = 1.0


class SkillMatching(Section):
    """Match leads to salespeople by skill (§4.3)."""

    enabled: bool = False
    required_skills: list[str] = Field(default_factory=list)
    skill_weights: list[Weight] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_weight_per_skill(self) -> SkillMatching:
        if self.skill_weights and len(self.skill_weights) != len(self.required_skills):
            raise ValueError(
                f"skill_weights has {len(self.skill_weights)} values for "
                f"{len(self.required_skills)} required_skills"
            )
        return self


class WorkloadBalancing(Section):
    """Per-run bounds on what one salesperson receives (§4.3).

    ``consider_weekend_workload``: on a Monday, the leads each salesperson
    received on the Saturday and Sunday before (real runs, from the tracking
    history) count toward that day's ``max_daily_distribution`` and
    ``min_daily_distribution``, and toward ``caps`` ``per_day``; on other days
    it changes nothing. Needs ``tracking.enabled``.
    """

    enabled: bool = False
    max_daily_distribution: PositiveInt | None = None
    min_daily_distribution: NonNegativeInt | None = None
    consider_weekend_workload: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> WorkloadBalancing:
        low, high = self.min_daily_distribution, self.max_daily_distribution
        if low is not None and high is not None and low > high:
            raise ValueError(
                f"min_daily_distribution ({low}) is greater than max_daily_distribution ({high})"
            )
        return self


class PriorityHandling(Section):
    """Which levels receive leads of each priority (§4.3)."""

    high_priority_leads: Literal["senior_only", "all_levels", "junior_first"] = "all_levels"
    medium_priority_leads: Literal["senior_only", "all_levels", "junior_first"] = "all_levels"
    low_priority_leads: Literal["senior_only", "all_levels", "junior_first"] = "all_levels"


class GeographicDistribution(Section):
    """Match leads to salespeople by region (§4.3)."""

    enabled: bool = False
    region_matching: bool = True
    timezone_consideration: bool = True


class AdvancedRules(Section):
    """§4.3 rules."""

    skill_matching: SkillMatching = Field(default_factory=SkillMatching)
    workload_balancing: WorkloadBalancing = Field(default_factory=WorkloadBalancing)
    priority_handling: PriorityHandling = Field(default_factory=PriorityHandling)
    geographic_distribution: GeographicDistribution = Field(default_factory=GeographicDistribution)


class CapLimits(Section):
    """The most leads one salesperson receives in a run, a day, a week and a month.

    A day, a week and a month are calendar periods of the run's date (the
    ISO week, Monday to Sunday; the month from its first day), counted from
    the tracking history over every campaign: leads of real runs, less those
    undone. Unset: no limit for that period.
    """

    per_run: NonNegativeInt | None = None
    per_day: NonNegativeInt | None = None
    per_week: NonNegativeInt | None = None
    per_month: NonNegativeInt | None = None

    def merged(self, fallback: CapLimits) -> CapLimits:
        """These limits, each unset one taken from ``fallback``."""
        return CapLimits(
            **{name: own if own is not None else getattr(fallback, name) for name, own in self}
        )


class Caps(Section):
    """Caps over time (per run, day, week, month), for everyone, a level or a salesperson.

    Each period's limit is the salesperson's own (``salespeople``, by name),
    else their level's (``levels``), else ``default``'s; names and levels
    match without regard to case. A salesperson at a cap receives nothing
    more; what the cap holds back goes to the others with room, and stays
    undistributed when nobody has. Needs ``tracking.enabled`` (the history
    of what each salesperson received).
    """

    default: CapLimits = Field(default_factory=CapLimits)
    levels: dict[str, CapLimits] = Field(default_factory=dict)
    salespeople: dict[str, CapLimits] = Field(default_factory=dict)


class Distribution(Section):
    """The strategy and what an assignment writes on the lead (§17.2).

    ``owner_fields`` are the user fields set to the new salesperson; unset,
    every one of ``user_id``, ``open_user_id`` and ``closer_id`` that
    ``crm.field_mapping`` has, as the R pipeline writes them (a stock Odoo
    mapped with ``open_user_id: null`` and ``closer_id: null`` gets
    ``user_id`` only). ``status_reset`` is written to ``status`` (null
    leaves it); ``team_assignment`` names the sales team set on the lead
    (null: the salesperson's team from the campaign table, else the CRM
    team named like the campaign when there is one, as R sets ``Voice``).
    """

    strategy: StrategyName = "round_robin"
    level_based: LevelBased | None = None
    proportional: Proportional = Field(default_factory=Proportional)
    round_robin_override: RoundRobinOverride = Field(default_factory=RoundRobinOverride)
    advanced_rules: AdvancedRules | None = None
    caps: Caps | None = None
    randomize_order: bool = True
    owner_fields: list[OwnerField] | None = Field(default=None, min_length=1)
    status_reset: str | None = "New"
    team_assignment: str | None = None

    @property
    def counts_weekend(self) -> bool:
        """Whether a Monday's bounds count the weekend (``consider_weekend_workload``)."""
        rules = self.advanced_rules
        return rules is not None and rules.workload_balancing.consider_weekend_workload

    @model_validator(mode="after")
    def _strategy_has_settings(self) -> Distribution:
        if self.strategy == "level_based" and not (self.level_based and self.level_based.levels):
            raise ValueError("strategy 'level_based' needs level_based.levels")
        return self
