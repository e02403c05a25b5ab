"""``distribution``: how leads are shared out among the salespeople and what is written."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from odoo_lead_manager.config.schema.base import NonNegativeInt, PositiveInt, Section, Weight
from odoo_lead_manager.config.schema.triggers import Trigger, parse_trigger

StrategyName = Literal["level_based", "round_robin", "proportional", "capacity_based"]
OwnerField = Literal["user_id", "open_user_id", "closer_id"]


class Level(Section):
    """A salesperson level and its lead target (``strategy: level_based``)."""

    target_leads: NonNegativeInt
    """How many leads each salesperson of this level should hold (leads); a salesperson's
    own ``target_leads`` in the campaign table wins."""
    priority: PositiveInt = 1
    """The order levels are filled in: 1 first, then 2, and so on."""
    salespeople: list[str] = Field(default_factory=list)
    """Salespeople of this level, by name (case ignored); others take their level from the
    campaign table's ``level`` column."""


class LevelBased(Section):
    """Fill each salesperson up to their level's target, highest-priority level first.

    A salesperson's deficit is the target less the leads they hold now.
    """

    levels: dict[str, Level] = Field(default_factory=dict)
    """The levels by name, for example ``senior``, ``mid_level`` and ``junior``, each with
    its target and priority; required by ``strategy: level_based``."""
    fill_strategy: Literal["highest_priority_first", "round_robin_within_level"] = (
        "highest_priority_first"
    )
    """Within a level: ``highest_priority_first`` gives each lead to whoever misses the
    most (deficits even out); ``round_robin_within_level`` deals one lead each in turn."""
    allow_overflow: bool = False
    """Once every target is met, hand out the leads left above the targets, up to
    ``overflow_limit``; off, those leads stay undistributed."""
    overflow_limit: NonNegativeInt = 10
    """How far above target ``allow_overflow`` may fill a salesperson (% of the target);
    10 lets a target of 50 reach 55."""


class RoundRobinOverride(Section):
    """Switch to round robin under given conditions, and how round robin turns.

    ``distribution_order`` and ``cycle_reset`` apply to every round-robin run,
    whether configured as the strategy or switched to: the turn order is
    fixed for a cycle (a day, an ISO week or a month) and each real run
    resumes it where the previous one stopped (kept with the run journal).
    """

    enabled: bool = False
    """Switch from the configured strategy to round robin when a trigger condition holds
    (always, when none is listed)."""
    trigger_conditions: list[str] = Field(default_factory=list)
    """When to switch, for example ``["when_lead_count < 10", "when_salespeople_count < 3"]``;
    any one that holds switches the run. ``--force-round-robin`` switches any run."""
    distribution_order: Literal["random", "alphabetical", "seniority"] = "random"
    """The salespeople's turn order: ``random`` (seeded, so a dry run and the real run
    agree), ``alphabetical`` or ``seniority`` (most senior level first)."""
    cycle_reset: Literal["daily", "weekly", "monthly"] = "daily"
    """How long one turn order lasts: a day, an ISO week or a month; within it each real
    run resumes where the previous one stopped."""

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
    """Weights by salesperson or level name (case ignored), for example
    ``{senior: 3, junior: 1, Alice Smith: 2}``; a weight of 2 gets twice the leads of 1."""
    default_weight: Weight = 1.0
    """The weight of a salesperson without an entry in ``weights``, by name or by level."""


class SkillMatching(Section):
    """Match leads to salespeople by skill.

    A lead's skill is the lead field ``crm.field_mapping.skill`` names; a
    salesperson's skills are the campaign table's ``skills`` column.
    """

    enabled: bool = False
    """Prefer, for each lead, a salesperson with a skill the lead asks for."""
    required_skills: list[str] = Field(default_factory=list)
    """The skills compared, for example ``[spanish, solar]`` (case ignored); other skills
    are not looked at."""
    skill_weights: list[Weight] = Field(default_factory=list)
    """How much each skill of ``required_skills`` counts, in the same order, for example
    ``[2, 1]``; left out, every skill counts 1."""

    @model_validator(mode="after")
    def _one_weight_per_skill(self) -> SkillMatching:
        if self.skill_weights and len(self.skill_weights) != len(self.required_skills):
            raise ValueError(
                f"skill_weights has {len(self.skill_weights)} values for "
                f"{len(self.required_skills)} required_skills"
            )
        return self


class WorkloadBalancing(Section):
    """Per-run bounds on what one salesperson receives.

    ``consider_weekend_workload``: on a Monday, the leads each salesperson
    received on the Saturday and Sunday before (real runs, from the tracking
    history) count toward that day's ``max_daily_distribution`` and
    ``min_daily_distribution``, and toward ``caps`` ``per_day``; on other days
    it changes nothing. Needs ``tracking.enabled``.
    """

    enabled: bool = False
    """Apply the bounds below to every run."""
    max_daily_distribution: PositiveInt | None = None
    """The most leads one salesperson receives in a run (leads); what the bound holds back
    goes to salespeople with room, else stays undistributed."""
    min_daily_distribution: NonNegativeInt | None = None
    """The fewest leads each salesperson should receive in a run (leads), moved from the
    largest shares and never past a salesperson's own limits."""
    consider_weekend_workload: bool = False
    """On a Monday, count the leads each salesperson received on the weekend toward the
    day's bounds and ``caps`` ``per_day``; needs ``tracking.enabled``."""

    @model_validator(mode="after")
    def _ordered(self) -> WorkloadBalancing:
        low, high = self.min_daily_distribution, self.max_daily_distribution
        if low is not None and high is not None and low > high:
            raise ValueError(
                f"min_daily_distribution ({low}) is greater than max_daily_distribution ({high})"
            )
        return self


class PriorityHandling(Section):
    """Which levels receive leads of each priority.

    Odoo's stars decide a lead's priority: none is low, one is medium, two or
    three are high. ``senior_only`` gives such leads to the most senior level
    only, ``junior_first`` prefers the most junior, ``all_levels`` everyone alike.
    """

    high_priority_leads: Literal["senior_only", "all_levels", "junior_first"] = "all_levels"
    """Who receives leads with two or three stars: ``senior_only``, ``all_levels`` or
    ``junior_first``."""
    medium_priority_leads: Literal["senior_only", "all_levels", "junior_first"] = "all_levels"
    """Who receives leads with one star: ``senior_only``, ``all_levels`` or
    ``junior_first``."""
    low_priority_leads: Literal["senior_only", "all_levels", "junior_first"] = "all_levels"
    """Who receives leads without a star: ``senior_only``, ``all_levels`` or
    ``junior_first``."""


class GeographicDistribution(Section):
    """Match leads to salespeople by region and time zone.

    A lead's region and time zone are the lead fields ``crm.field_mapping.region``
    and ``timezone`` name; a salesperson's are the campaign table's ``region`` and
    ``timezone`` columns.
    """

    enabled: bool = False
    """Prefer, for each lead, a salesperson of the same region or time zone."""
    region_matching: bool = True
    """Compare regions (case ignored) when ``enabled``."""
    timezone_consideration: bool = True
    """Compare time zones (case ignored) when ``enabled``."""


class AdvancedRules(Section):
    """Rules applied on top of the strategy: matching by skill, priority and place, and
    per-run bounds on each salesperson's share."""

    skill_matching: SkillMatching = Field(default_factory=SkillMatching)
    """Prefer salespeople whose skills match the lead's."""
    workload_balancing: WorkloadBalancing = Field(default_factory=WorkloadBalancing)
    """The most and fewest leads one salesperson receives in a run."""
    priority_handling: PriorityHandling = Field(default_factory=PriorityHandling)
    """Which levels receive high-, medium- and low-priority leads."""
    geographic_distribution: GeographicDistribution = Field(default_factory=GeographicDistribution)
    """Prefer salespeople of the lead's region or time zone."""


class CapLimits(Section):
    """The most leads one salesperson receives in a run, a day, a week and a month.

    A day, a week and a month are calendar periods of the run's date (the
    ISO week, Monday to Sunday; the month from its first day), counted from
    the tracking history over every campaign: leads of real runs, less those
    undone. Unset: no limit for that period.
    """

    per_run: NonNegativeInt | None = None
    """The most leads one salesperson receives in one run (leads)."""
    per_day: NonNegativeInt | None = None
    """The most leads one salesperson receives in a calendar day, over every run and
    campaign (leads)."""
    per_week: NonNegativeInt | None = None
    """The most leads one salesperson receives in an ISO week, Monday to Sunday (leads)."""
    per_month: NonNegativeInt | None = None
    """The most leads one salesperson receives in a calendar month (leads)."""

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
    """The limits of everyone; for each period, a level's or a salesperson's own limit
    wins."""
    levels: dict[str, CapLimits] = Field(default_factory=dict)
    """Limits by level name, for example ``{junior: {per_day: 20}}``."""
    salespeople: dict[str, CapLimits] = Field(default_factory=dict)
    """Limits by salesperson name, for example ``{Alice Smith: {per_week: 100}}``."""


class Distribution(Section):
    """The strategy and what an assignment writes on the lead.

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
    """How many leads each salesperson gets: ``round_robin`` (equal shares),
    ``proportional`` (by weight), ``capacity_based`` (by room below target) or
    ``level_based`` (fill each level's targets)."""
    level_based: LevelBased | None = None
    """The levels and targets of ``strategy: level_based``."""
    proportional: Proportional = Field(default_factory=Proportional)
    """The weights of ``strategy: proportional``."""
    round_robin_override: RoundRobinOverride = Field(default_factory=RoundRobinOverride)
    """When to switch to round robin, and the turn order of every round-robin run."""
    advanced_rules: AdvancedRules | None = None
    """Matching by skill, priority and region, and per-run bounds on each share."""
    caps: Caps | None = None
    """The most leads one salesperson receives per run, day, week and month; needs
    ``tracking.enabled``."""
    randomize_order: bool = True
    """Use ``round_robin_override.distribution_order`` for the turn order; false: always
    alphabetical."""
    owner_fields: list[OwnerField] | None = Field(default=None, min_length=1)
    """The lead fields set to the new salesperson, for example ``[user_id]``; left out,
    each of ``user_id``, ``open_user_id`` and ``closer_id`` that ``crm.field_mapping`` has."""
    status_reset: str | None = "New"
    """The status written on every distributed lead, for example ``New``; null leaves the
    status as it is."""
    team_assignment: str | None = None
    """The sales team written on every distributed lead, for example ``Voice``; left out,
    the salesperson's team from the campaign table, else the team named like the campaign."""
    never_back_to_last: int = Field(default=2, ge=1, le=10)
    """A lead never goes to any of its last N holders, the current one included, so that it
    does not pass back and forth (A to B to A); for example ``2``. The earlier holders come
    from the tracking history of odlm's runs (``tracking.enabled``); without it only the
    current holder is known. ``1``: only the current holder, as the legacy R job."""
    fairness_window_days: int = Field(default=20, ge=0, le=250)
    """How many of the campaign's last run days the fairness ledger looks back over, for
    example ``20`` (about four working weeks). It keeps what each salesperson was entitled
    to on the days they were there and what they received, from odlm and outside it (by
    hand, by Odoo's own assignment). Round robin and proportional then give each run's
    extra leads to those furthest behind, and less to someone ahead, until the window
    evens out; capacity- and level-based split by what each holds now, which already
    counts every lead. ``odlm fairness`` shows the ledger. ``0`` turns it off: every run
    splits as if it were the first, as the legacy R job. It needs the tracking history
    (``tracking.enabled`` and ``tracking.track_individual_assignments``)."""

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
