"""``lead_finding`` (spec §3, §5.1): which leads may be distributed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from odoo_lead_manager.config.schema.base import (
    Day,
    Days,
    MatchOptions,
    NonNegativeInt,
    PositiveDays,
    RegexList,
    Section,
    ValueMatch,
)
from odoo_lead_manager.config.schema.sales_dropback import DropbackFilter, SalesFilter

DateField = Literal["source_date", "create_date", "write_date"]


class DateRange(Section):
    """The window of lead dates (§3.1): ``younger_than_days`` ago up to ``older_than_days`` ago.

    Custom dates, when given, replace the relative window; ``strategy``
    names an entry of ``lead_finding.date_range_strategies`` to use instead.
    """

    older_than_days: Days = 0
    younger_than_days: PositiveDays = 30
    custom_start_date: Day | None = None
    custom_end_date: Day | None = None
    exclude_weekends: bool = False
    exclude_holidays: bool = False
    holidays: list[Day] = Field(default_factory=list)
    date_field: DateField = "source_date"
    strategy: str | None = None

    @model_validator(mode="after")
    def _window_is_not_empty(self) -> DateRange:
        if self.younger_than_days <= self.older_than_days:
            raise ValueError(
                f"younger_than_days ({self.younger_than_days}) must be greater than "
                f"older_than_days ({self.older_than_days}), or the window is empty"
            )
        start, end = self.custom_start_date, self.custom_end_date
        if start is not None and end is not None and start > end:
            raise ValueError(f"custom_start_date {start} is after custom_end_date {end}")
        return self


# The strategies §3.1 names; usable without defining them (see finding.dates).
BUILTIN_STRATEGY_NAMES = ("current_30_day", "extended_60_day", "stale_lead_recovery")


class DateRangeStrategy(Section):
    """A named date window (§3.1 ``date_range_strategies``); a null bound is open.

    A window open at both ends would hand out every lead in the CRM, so a
    strategy chosen with ``date_range.strategy`` must set at least one bound.
    """

    older_than_days: Days | None = None
    younger_than_days: PositiveDays | None = None
    description: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> DateRangeStrategy:
        older, younger = self.older_than_days, self.younger_than_days
        if older is not None and younger is not None and younger <= older:
            raise ValueError(
                f"younger_than_days ({younger}) must be greater than older_than_days ({older})"
            )
        return self


class SalespeopleStatuses(Section):
    """Statuses of leads taken from one group of salespeople (the R pipeline's rule)."""

    statuses: list[str] = Field(default_factory=list)
    date_range_days: PositiveDays | None = None


class StatusFilters(Section):
    """The legacy per-owner status rule (§3.1): exact, case-sensitive comparisons."""

    active_salespeople: SalespeopleStatuses | None = None
    inactive_salespeople: SalespeopleStatuses | None = None
    exclude_closed_leads: bool = True
    exclude_assigned_leads: bool = False


class ActivityDeadline(Section):
    """Leave alone leads whose next activity is close (§3.1)."""

    exclude_within_days: Days | None = None
    exclude_missing_deadline: bool = False


class WebSourceConfig(Section):
    """Where the web source names are listed.

    ``file_path``: one name per line, ``#`` comments; ``table_name``: a table
    of ``database_connection`` with the names in ``name_column`` and, when
    the table has it, an ``active_column`` honoured unless ``include_inactive``;
    ``sources``: the names themselves.
    """

    file_path: str | None = None
    table_name: str | None = None
    name_column: str = "name"
    active_column: str = "active"
    sources: list[str] = Field(default_factory=list)


class WebSources(MatchOptions):
    """Only leads from these web sources (§3.2)."""

    source_type: Literal["file", "database", "config"] = "file"
    source_config: WebSourceConfig = Field(default_factory=WebSourceConfig)
    include_inactive: bool = False
    match_patterns: list[str] = Field(default_factory=list)
    regex_patterns: RegexList = Field(default_factory=list)
    validate_sources: bool = False
    exclude_invalid: bool = True


class CampaignMatch(MatchOptions):
    """Per-campaign matching options (§3.3 ``campaign_settings``)."""


class Campaigns(MatchOptions):
    """Only leads of these lead campaigns (§3.3; utm campaigns, not salesperson campaigns)."""

    types: list[str] = Field(default_factory=list)
    match_patterns: list[str] = Field(default_factory=list)
    regex_patterns: RegexList = Field(default_factory=list)
    campaign_settings: dict[str, CampaignMatch] = Field(default_factory=dict)


class DncFiltering(Section):
    """Do-Not-Call leads are never distributed (§3.4)."""

    enabled: bool = True
    statuses: list[str] = Field(default_factory=list)
    case_sensitive: bool = False
    match_mode: Literal["exact", "partial", "regex"] = "exact"
    include_partial_matches: bool = False
    regex_patterns: RegexList = Field(default_factory=list)
    exclude_dnc_tags: bool = False
    dnc_tags: list[str] = Field(default_factory=list)


class PriorityRange(Section):
    """Inclusive bounds on the lead priority."""

    min: NonNegativeInt | None = None
    max: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PriorityRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class AssignmentFilters(Section):
    """Filters on who holds a lead and whether it is closed (§3.4).

    ``exclude_inactive_users`` leaves alone leads held by archived CRM users.
    """

    exclude_assigned: bool = False
    exclude_closed: bool = False
    exclude_inactive_users: bool = False


class AdditionalFilters(Section):
    """Status, DNC, tag, field and priority filters (§3.4), in both shapes the spec shows."""

    status: ValueMatch | None = None
    status_matching: MatchOptions | None = None
    exclude_assigned: bool | None = None
    exclude_closed: bool | None = None
    min_priority: NonNegativeInt | None = None
    max_priority: NonNegativeInt | None = None
    priority_range: PriorityRange | None = None
    required_fields: list[str] = Field(default_factory=list)
    exclude_tags: ValueMatch | None = None
    include_tags: ValueMatch | None = None
    exclude_dnc: bool = False
    dnc_statuses: list[str] = Field(default_factory=list)
    dnc_case_sensitive: bool = False
    dnc_match_mode: Literal["exact", "partial", "regex"] = "exact"
    dnc_filtering: DncFiltering | None = None
    assignment_filters: AssignmentFilters | None = None
    # What "closed" means for exclude_closed, besides archived (lost) leads:
    # a status or stage with one of these names (no case, no surrounding blanks).
    closed_statuses: list[str] = Field(default_factory=lambda: ["won", "lost", "cancelled"])

    @field_validator("required_fields")
    @classmethod
    def _known_fields(cls, fields: list[str]) -> list[str]:
        unknown = [f for f in fields if f not in REQUIRABLE_FIELDS]
        if unknown:
            raise ValueError(
                f"unknown lead field(s) {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(sorted(REQUIRABLE_FIELDS))})"
            )
        return fields

    @model_validator(mode="after")
    def _priorities_ordered(self) -> AdditionalFilters:
        low, high = self.min_priority, self.max_priority
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_priority ({low}) is greater than max_priority ({high})")
        return self


# Lead fields ``required_fields`` may name; ``email`` is the spec's name for ``email_from``.
REQUIRABLE_FIELDS = frozenset(
    {"name", "email", "email_from", "phone", "partner_id", "source_id", "campaign_id"}
)


OwnerField = Literal["user_id", "open_user_id", "closer_id"]


class LeadFinding(Section):
    """Which leads are distributable.

    ``owner_field`` is the lead field that says who holds a lead: for the
    owner rules (legacy active/inactive statuses, excluded users, assigned
    and archived owners, dropback users) and for "never to its current
    owner". Unset, it is ``open_user_id`` where ``crm.field_mapping`` has
    that field, as the R pipeline reads it, else ``user_id``
    (`odoo_lead_manager.config.defaults`).
    """

    date_range: DateRange = Field(default_factory=DateRange)
    date_range_strategies: dict[str, DateRangeStrategy] = Field(default_factory=dict)
    status_filters: StatusFilters | None = None
    activity_deadline: ActivityDeadline = Field(default_factory=ActivityDeadline)
    excluded_users: list[str] = Field(default_factory=list)
    web_sources: WebSources | None = None
    campaigns: Campaigns | None = None
    additional_filters: AdditionalFilters = Field(default_factory=AdditionalFilters)
    sales_filter: SalesFilter | None = None
    dropback_filter: DropbackFilter | None = None
    owner_field: OwnerField | None = None

    @model_validator(mode="after")
    def _strategy_exists(self) -> LeadFinding:
        name = self.date_range.strategy
        known_names = {*self.date_range_strategies, *BUILTIN_STRATEGY_NAMES}
        if name is not None and name not in known_names:
            known = ", ".join(sorted(known_names))
            raise ValueError(
                f"date_range.strategy {name!r} is not in date_range_strategies ({known})"
            )
        chosen = self.date_range_strategies.get(name or "")
        if (
            chosen is not None
            and chosen.older_than_days is None
            and chosen.younger_than_days is None
        ):
            raise ValueError(
                f"date_range_strategies.{name}: set older_than_days or younger_than_days "
                "(a window open at both ends would take every lead)"
            )
        return self
