"""``lead_finding``: which leads may be distributed, and which drop back."""

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
    """The window of lead dates: ``younger_than_days`` ago up to ``older_than_days`` ago.

    A lead qualifies when ``today - younger_than_days <= date < today -
    older_than_days``; leads without a date never do. Custom dates, when
    given, replace the relative window (both ends included); ``strategy``
    names an entry of ``lead_finding.date_range_strategies`` to use instead.
    ``--override-date-range`` on the command line wins over all of them.
    """

    older_than_days: Days = 0
    """Only leads dated before today minus this many days (days); 0 takes every lead up to
    yesterday, 7 leaves the last week's leads alone."""
    younger_than_days: PositiveDays = 30
    """Only leads dated on or after today minus this many days (days), for example 30."""
    custom_start_date: Day | None = None
    """A fixed first day (YYYY-MM-DD, included) instead of the day counts."""
    custom_end_date: Day | None = None
    """A fixed last day (YYYY-MM-DD, included) instead of the day counts."""
    exclude_weekends: bool = False
    """Leave out leads dated on a Saturday or Sunday."""
    exclude_holidays: bool = False
    """Leave out leads dated on one of ``holidays``."""
    holidays: list[Day] = Field(default_factory=list)
    """Public holidays (YYYY-MM-DD), for ``exclude_holidays`` and for counting the
    dropback's business days."""
    date_field: DateField = "source_date"
    """The lead date the window compares: ``source_date`` (mapped with
    ``crm.field_mapping``), ``create_date`` or ``write_date``."""
    strategy: str | None = None
    """Use a named window instead of the day counts: an entry of ``date_range_strategies``
    or ``current_30_day``, ``extended_60_day`` or ``stale_lead_recovery``."""

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


# The named windows every configuration may use without defining them (see finding.dates).
BUILTIN_STRATEGY_NAMES = ("current_30_day", "extended_60_day", "stale_lead_recovery")


class DateRangeStrategy(Section):
    """A named date window (``date_range_strategies``); a null bound is open.

    A window open at both ends would hand out every lead in the CRM, so a
    strategy chosen with ``date_range.strategy`` must set at least one bound.
    """

    older_than_days: Days | None = None
    """Only leads dated before today minus this many days (days); null: no upper bound."""
    younger_than_days: PositiveDays | None = None
    """Only leads dated on or after today minus this many days (days); null: no lower
    bound."""
    description: str = ""
    """A note on the window for people who read the file; odlm does not read it."""

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
    """The statuses whose leads qualify, compared exactly and with case, for example
    ``[New, Utr, "Full Pitch Follow Up "]`` (the trailing blank counts)."""
    date_range_days: PositiveDays | None = None
    """Only the group's leads dated within this many days before today (days), by
    ``date_range.date_field``; null: the whole window."""


class StatusFilters(Section):
    """The legacy per-owner status rule: exact, case-sensitive comparisons.

    With a group set, a lead qualifies only when the campaign's active
    salespeople hold it with one of ``active_salespeople.statuses``, or its
    inactive salespeople (inactive in the campaign table) with one of
    ``inactive_salespeople.statuses``; leads anyone else holds are left out.
    """

    active_salespeople: SalespeopleStatuses | None = None
    """The statuses that let leads of the campaign's active salespeople be handed out."""
    inactive_salespeople: SalespeopleStatuses | None = None
    """The statuses that let leads of the campaign's inactive salespeople be handed out."""
    exclude_closed_leads: bool = True
    """Leave out lost (archived) leads and leads whose status or stage is one of
    ``additional_filters.closed_statuses``."""
    exclude_assigned_leads: bool = False
    """Only leads nobody holds."""


class ActivityDeadline(Section):
    """Leave alone leads whose next activity is close, so planned follow-ups stay with
    the salesperson who planned them."""

    exclude_within_days: Days | None = None
    """Leave alone leads whose activity deadline is on or after today minus this many days,
    future deadlines included (days); for example 7."""
    exclude_missing_deadline: bool = False
    """Also leave alone leads without a planned activity."""


class WebSourceConfig(Section):
    """Where the web source names are listed.

    ``file_path``: one name per line, ``#`` comments; ``table_name``: a table
    of ``database_connection`` with the names in ``name_column`` and, when
    the table has it, an ``active_column`` honoured unless ``include_inactive``;
    ``sources``: the names themselves.
    """

    file_path: str | None = None
    """The text file of web source names (``source_type: file``), relative to the
    configuration file; one name per line, ``#`` starts a comment."""
    table_name: str | None = None
    """The table of web source names in ``database_connection``
    (``source_type: database``), for example ``web_sources``."""
    name_column: str = "name"
    """The table column holding the web source names."""
    active_column: str = "active"
    """The table column that marks a name active; rows marked inactive are skipped unless
    ``include_inactive``. A table without it counts every row."""
    sources: list[str] = Field(default_factory=list)
    """The web source names themselves (``source_type: config``), for example
    ``[facebook_ads, google_search]``."""


class WebSources(MatchOptions):
    """Only leads from these web sources (the lead's utm source)."""

    source_type: Literal["file", "database", "config"] = "file"
    """Where the names are listed: a text ``file``, a ``database`` table or the
    ``config`` itself (``source_config.sources``)."""
    source_config: WebSourceConfig = Field(default_factory=WebSourceConfig)
    """The file, table or list that holds the web source names."""
    include_inactive: bool = False
    """Also use the table's rows marked inactive."""
    match_patterns: list[str] = Field(default_factory=list)
    """Wildcard patterns that also match, for example ``["facebook*"]`` (``*`` any text,
    ``?`` one character); each must match the whole name."""
    regex_patterns: RegexList = Field(default_factory=list)
    """Regular expressions that also match when found anywhere in the name, for example
    ``["^fb_"]``."""
    validate_sources: bool = False
    """Check each listed name against the CRM's utm sources (one request per run)."""
    exclude_invalid: bool = True
    """With ``validate_sources``, skip names the CRM does not know, with a warning; false
    stops the run instead."""


class CampaignMatch(MatchOptions):
    """How one campaign of ``campaigns.types`` is matched (``campaign_settings``)."""


class Campaigns(MatchOptions):
    """Only leads of these lead campaigns (utm campaigns, not salesperson campaigns)."""

    types: list[str] = Field(default_factory=list)
    """The lead campaign names that qualify, for example ``[Spring Promo, Webinar]``."""
    match_patterns: list[str] = Field(default_factory=list)
    """Wildcard patterns that also match, for example ``["promo_*"]``; each must match the
    whole name."""
    regex_patterns: RegexList = Field(default_factory=list)
    """Regular expressions that also match when found anywhere in the campaign name."""
    campaign_settings: dict[str, CampaignMatch] = Field(default_factory=dict)
    """Matching options for single campaigns of ``types``, by name, for example
    ``{Webinar: {match_mode: partial}}``."""


class DncFiltering(Section):
    """Do-Not-Call leads are never distributed nor dropped back.

    This detailed shape wins over the flat ``exclude_dnc`` and ``dnc_*`` keys.
    """

    enabled: bool = True
    """Leave out leads whose status (or, with ``exclude_dnc_tags``, a tag) says Do Not
    Call; false turns every Do-Not-Call filter off."""
    statuses: list[str] = Field(default_factory=list)
    """The Do-Not-Call statuses; empty: ``dnc``, ``do_not_call``, ``dont_call``,
    ``no_call``, ``blocked`` and ``opt_out``."""
    case_sensitive: bool = False
    """Whether upper and lower case must agree when statuses and tags are compared."""
    match_mode: Literal["exact", "partial", "regex"] = "exact"
    """How statuses and tags are compared: ``exact``, ``partial`` (contains) or ``regex``."""
    include_partial_matches: bool = False
    """With ``match_mode: exact``, also leave out statuses that merely contain one of
    ``statuses``."""
    regex_patterns: RegexList = Field(default_factory=list)
    """Regular expressions: a status in which one is found is a Do-Not-Call status too."""
    exclude_dnc_tags: bool = False
    """Also leave out leads carrying one of ``dnc_tags``."""
    dnc_tags: list[str] = Field(default_factory=list)
    """The Do-Not-Call tags, for example ``[dnc, do_not_contact]``."""


class PriorityRange(Section):
    """Inclusive bounds on the lead priority, on a 1 to 5 scale: Odoo's no star is 1, one
    star 2, two stars 3, three stars 4."""

    min: NonNegativeInt | None = None
    """The lowest priority that qualifies (1 to 5); for example 2 means at least one star."""
    max: NonNegativeInt | None = None
    """The highest priority that qualifies (1 to 5)."""

    @model_validator(mode="after")
    def _ordered(self) -> PriorityRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class AssignmentFilters(Section):
    """Filters on who holds a lead and whether it is closed."""

    exclude_assigned: bool = False
    """Only leads nobody holds (by ``lead_finding.owner_field``)."""
    exclude_closed: bool = False
    """Leave out lost (archived) leads and leads whose status or stage is one of
    ``additional_filters.closed_statuses``."""
    exclude_inactive_users: bool = False
    """Leave alone leads held by CRM users who are archived."""


class AdditionalFilters(Section):
    """Status, Do-Not-Call, tag, field and priority filters.

    Several come in a flat and a detailed shape (``exclude_dnc`` or
    ``dnc_filtering``, ``min_priority`` or ``priority_range``); both are
    accepted, and the detailed one wins where both are given. Priorities use
    a 1 to 5 scale: Odoo's no star is 1, one star 2, two stars 3, three stars 4.
    """

    status: ValueMatch | None = None
    """Only leads whose status is one of these, for example ``[New, Utr]``; a list, or an
    object with ``values`` and match options. Case is ignored unless ``case_sensitive``."""
    status_matching: MatchOptions | None = None
    """Match options for ``status`` when it is written as a plain list."""
    exclude_assigned: bool | None = None
    """Only leads nobody holds (by ``lead_finding.owner_field``)."""
    exclude_closed: bool | None = None
    """Leave out lost (archived) leads and leads whose status or stage is one of
    ``closed_statuses``."""
    min_priority: NonNegativeInt | None = None
    """Only leads of at least this priority (1 to 5); for example 2 means at least one
    star."""
    max_priority: NonNegativeInt | None = None
    """Only leads of at most this priority (1 to 5)."""
    priority_range: PriorityRange | None = None
    """``min`` and ``max`` priority in one place; each bound given wins over
    ``min_priority`` or ``max_priority``."""
    required_fields: list[str] = Field(default_factory=list)
    """Only leads with a value in each of these fields: ``name``, ``email`` (or
    ``email_from``), ``phone``, ``partner_id``, ``source_id``, ``campaign_id``."""
    exclude_tags: ValueMatch | None = None
    """Leave out leads carrying any of these tags, for example ``[test, duplicate]``."""
    include_tags: ValueMatch | None = None
    """Only leads carrying at least one of these tags."""
    exclude_dnc: bool = False
    """Leave out leads whose status is a Do-Not-Call status (``dnc_statuses``)."""
    dnc_statuses: list[str] = Field(default_factory=list)
    """The Do-Not-Call statuses for ``exclude_dnc``; empty: ``dnc``, ``do_not_call``,
    ``dont_call``, ``no_call``, ``blocked`` and ``opt_out``."""
    dnc_case_sensitive: bool = False
    """Whether upper and lower case must agree when ``dnc_statuses`` are compared."""
    dnc_match_mode: Literal["exact", "partial", "regex"] = "exact"
    """How ``dnc_statuses`` are compared: ``exact``, ``partial`` (contains) or ``regex``."""
    dnc_filtering: DncFiltering | None = None
    """The detailed Do-Not-Call filter (statuses, patterns, tags); given, the flat
    ``exclude_dnc`` and ``dnc_*`` keys are not used."""
    assignment_filters: AssignmentFilters | None = None
    """Filters on who holds a lead: assigned leads, closed leads, archived holders."""
    closed_statuses: list[str] = Field(default_factory=lambda: ["won", "lost", "cancelled"])
    """The status or stage names that mean closed for ``exclude_closed``, compared without
    case or surrounding blanks."""

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


# Lead fields ``required_fields`` may name; ``email`` is another name for ``email_from``.
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
    """The window of lead dates a run distributes from (by default the last 30 days)."""
    date_range_strategies: dict[str, DateRangeStrategy] = Field(default_factory=dict)
    """Named date windows ``date_range.strategy`` may choose, for example
    ``{last_week: {older_than_days: 0, younger_than_days: 7}}``."""
    status_filters: StatusFilters | None = None
    """The legacy rule: which statuses qualify for leads of the campaign's active and
    inactive salespeople."""
    activity_deadline: ActivityDeadline = Field(default_factory=ActivityDeadline)
    """Leave alone leads whose next activity is due soon."""
    excluded_users: list[str] = Field(default_factory=list)
    """CRM users (names or logins) whose leads are never moved, for example
    ``[Sales Manager]``."""
    web_sources: WebSources | None = None
    """Only leads from the listed web sources."""
    campaigns: Campaigns | None = None
    """Only leads of the listed lead campaigns."""
    additional_filters: AdditionalFilters = Field(default_factory=AdditionalFilters)
    """Status, Do-Not-Call, tag, required-field, priority, assigned and closed filters."""
    sales_filter: SalesFilter | None = None
    """Leave alone leads whose partner already has an opportunity."""
    dropback_filter: DropbackFilter | None = None
    """Send stale leads back to their campaign's manager instead of distributing them."""
    owner_field: OwnerField | None = None
    """The lead field that says who holds a lead: ``user_id``, ``open_user_id`` or
    ``closer_id``; left out, ``open_user_id`` where the CRM has it, else ``user_id``."""

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
