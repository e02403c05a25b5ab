"""``salesperson_selection``: where the salespeople come from and which of them receive leads."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from odoo_lead_manager.config.schema.base import (
    NonNegativeInt,
    PositiveDays,
    PositiveInt,
    Section,
    Weight,
)
from odoo_lead_manager.domain.model import Domain
from odoo_lead_manager.domain.user_query import (
    check_user_domain,
    parse_where_clause,
    user_field,
)

LeadType = Literal["lead", "opportunity"]
_LEAD: LeadType = "lead"
SourceType = Literal["campaign_table", "file", "list", "database", "team", "odoo_team"]


class CampaignTableSource(Section):
    """The campaign table: a CSV file or a database table, one row per salesperson and
    campaign.

    Besides the columns named here, the table may have ``team``, ``level``,
    ``target_leads``, ``salesperson_id``, ``skills``, ``region``, ``timezone``
    and the absence columns ``away_from``, ``away_to`` and ``away_part``.
    When both ``file_path`` and ``table_name`` are set (as the example
    configuration shows), the file is read: a configuration copied from the
    example then runs without a database.
    """

    file_path: str | None = None
    """The campaign table as a CSV file, relative to the configuration file, for example
    ``campaigns.csv``."""
    table_name: str | None = None
    """The campaign table in ``database_connection``, for example ``campaign_salespeople``;
    read when ``file_path`` is not set."""
    campaign_column: str = "campaign_name"
    """The column holding the campaign's name."""
    salesperson_column: str = "salesperson_name"
    """The column holding the salesperson's name or CRM login."""
    active_column: str | None = "active"
    """The column that marks a salesperson active (true or false); null, or a table
    without the column: every row is active."""


class DatabaseQuery(Section):
    """Salespeople chosen by a query on the CRM's users, in a safe form.

    ``where_clause`` is read as data (see `odoo_lead_manager.domain.user_query`)
    and ``domain`` is an Odoo domain over the same user fields; both become a
    ``res.users`` search, never SQL text. ``fields`` may only name user
    fields; id, name, login, active and the sales team are always read.
    """

    table: str = "res_users"
    """The table queried; only the CRM's users (``res_users``) are accepted."""
    where_clause: str | None = None
    """Which users are salespeople, as a condition on user fields, for example
    ``"active = true AND sales_team_id = 'Voice'"``; joined by AND only."""
    domain: list[Any] | None = None
    """Which users are salespeople, as an Odoo domain, for example
    ``[[login, "=like", "voice.%"]]``; use it instead of ``where_clause`` for OR."""
    fields: list[str] = Field(default_factory=lambda: ["name", "id"])
    """User fields to read; no effect in odlm, which reads the ones it needs."""

    @field_validator("table")
    @classmethod
    def _users_table(cls, value: str) -> str:
        if value not in ("res_users", "res.users"):
            raise ValueError(
                f"{value!r}: only the CRM's users (res_users) can be queried; a campaign table "
                "in a database is read with source_type campaign_table and table_name"
            )
        return value

    @field_validator("where_clause")
    @classmethod
    def _where_parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_where_clause(value)
        return value

    @field_validator("domain")
    @classmethod
    def _domain_checks(cls, value: list[Any] | None) -> list[Any] | None:
        if value is not None:
            check_user_domain(value)
        return value

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: list[str]) -> list[str]:
        for name in value:
            user_field(name)
        return value

    @model_validator(mode="after")
    def _one_condition(self) -> DatabaseQuery:
        if self.where_clause is None and self.domain is None:
            raise ValueError("give where_clause or domain (which users to select)")
        if self.where_clause is not None and self.domain is not None:
            raise ValueError("give where_clause or domain, not both")
        return self

    def user_domain(self) -> Domain:
        """The condition as a domain over the logical user fields."""
        if self.domain is not None:
            return check_user_domain(self.domain)
        return parse_where_clause(self.where_clause or "")


class SourceConfig(Section):
    """Where the salespeople come from; which key is used depends on ``source_type``.

    ``campaign_table`` for campaign_table, ``file_path`` (the legacy
    ``name|id|level|target_leads`` file) for file, ``salespeople_list`` (names,
    logins or entries in the legacy format) for list, ``database_query`` for
    database, ``team`` (a CRM sales team's name) for team and for odoo_team (its
    members with Odoo's own assignment settings: ``assignment_max`` as the target,
    in Odoo's words leads per 30 days; ``assignment_optout`` as unavailable;
    the team's and the member's ``assignment_domain`` as the leads the member
    may receive, evaluated by the CRM). ``campaign`` names
    the campaign when neither ``campaign_filtering.target_campaign`` nor
    ``campaign.target_campaign`` does.
    """

    campaign_table: CampaignTableSource | None = None
    """The campaign table (``source_type: campaign_table``): a CSV file or a database
    table."""
    file_path: str | None = None
    """The legacy salespeople file (``source_type: file``), relative to the configuration
    file: one ``name|id|level|target_leads`` entry per line, ``#`` comments."""
    salespeople_list: list[str] = Field(default_factory=list)
    """The salespeople themselves (``source_type: list``): names, logins or
    ``name|id|level|target_leads`` entries, for example ``[Alice Smith, bob@example.com]``."""
    database_query: DatabaseQuery | None = None
    """A query on the CRM's users (``source_type: database``)."""
    category: str | None = None
    """Selection by category; not available in this version, and a run that sets it
    stops."""
    campaign: str | None = None
    """The campaign distributed when neither ``campaign_filtering.target_campaign`` nor
    ``campaign.target_campaign`` names one."""
    team: str | None = None
    """The CRM sales team whose members are the salespeople (``source_type: team`` or
    ``odoo_team``), for example ``Voice``."""


class CampaignFiltering(Section):
    """Keep the salespeople of one campaign.

    The campaign of a table row and ``exclude_specific_users`` compare
    exactly, as R's ``%in%`` does: ``voice`` is not ``Voice``, and a row that
    differs only so is left out with a warning naming its line.
    ``case_sensitive: false`` folds case and ``strip_whitespace: true``
    ignores surrounding blanks in both comparisons.
    """

    enabled: bool = True
    """Keep only the target campaign's rows; false takes every row of the source and
    ignores ``exclude_specific_users``."""
    target_campaign: str | None = None
    """The campaign whose salespeople receive the leads, for example ``Voice``; the most
    specific of the keys that name the campaign."""
    include_inactive_salespeople: bool = False
    """Also give leads to salespeople the campaign table marks inactive."""
    exclude_specific_users: list[str] = Field(default_factory=list)
    """Salespeople who never receive leads, by name or login, for example
    ``[Team Lead]``."""
    case_sensitive: bool = True
    """Whether campaign and excluded names must agree in case; false: ``voice`` is
    ``Voice``."""
    strip_whitespace: bool = False
    """Ignore blanks around campaign and excluded names (``"Voice "`` is ``Voice``)."""


class SalespersonFilters(Section):
    """Criteria on the selected salespeople.

    ``min_experience_level`` is a level name or a rank counted from the
    lowest level of ``level_order`` (highest first), so with the default
    order 1 = junior, 2 = mid_level, 3 = senior. ``max_workload_percentage``
    leaves out salespeople whose current leads exceed that share of their
    target (those without a target are kept). ``has_permissions`` keeps users
    the CRM lets own leads (internal users with sales rights).
    """

    active_only: bool = True
    """Leave out salespeople whose CRM user is archived."""
    has_permissions: bool = True
    """Leave out users the CRM does not let own leads (no sales rights)."""
    min_experience_level: PositiveInt | str | None = None
    """The lowest level that receives leads: a level name such as ``mid_level``, or a rank
    from the lowest (1 = junior with the default order); salespeople without a level are
    left out while set."""
    level_order: list[str] = Field(
        default_factory=lambda: ["senior", "mid_level", "junior"], min_length=1
    )
    """The levels from highest to lowest, as the campaign table's ``level`` column names
    them."""
    max_workload_percentage: Weight | None = Field(default=None, gt=0)
    """Leave out salespeople whose current leads exceed this share of their target (%),
    for example 90; salespeople without a target are kept."""
    team_filter: str | None = None
    """Keep only salespeople of this sales team: the campaign table's ``team`` column,
    else the CRM user's team."""

    @model_validator(mode="after")
    def _level_known(self) -> SalespersonFilters:
        wanted = self.min_experience_level
        order = [level.casefold() for level in self.level_order]
        if len(set(order)) != len(order):
            raise ValueError("level_order lists a level twice")
        if isinstance(wanted, int) and wanted > len(order):
            raise ValueError(
                f"min_experience_level {wanted} is above the {len(order)} levels of level_order"
            )
        if isinstance(wanted, str) and wanted.casefold() not in order:
            raise ValueError(
                f"min_experience_level {wanted!r} is not one of {', '.join(self.level_order)}"
            )
        return self


class WorkloadCounting(Section):
    """Which leads count toward a salesperson's workload.

    By default: active leads of type lead the salesperson holds, of any
    status; who holds a lead is ``owner_field``, by default the same field as
    ``lead_finding.owner_field`` (`odoo_lead_manager.config.defaults`), so
    that the leads a run takes from someone are the leads their count loses.
    ``recent_days`` sets the "last N days" count, measured on ``date_field``.
    """

    lead_types: list[LeadType] = Field(default_factory=lambda: [_LEAD], min_length=1)
    """The crm.lead types counted: ``[lead]``, ``[opportunity]`` or both."""
    include_archived: bool = False
    """Count archived leads too."""
    owner_field: Literal["user_id", "open_user_id", "closer_id"] | None = None
    """The lead field that says whose workload a lead counts in; left out, the same as
    ``lead_finding.owner_field``."""
    statuses: list[str] = Field(default_factory=list)
    """Count only leads of these statuses, for example ``[New, In Progress]``; empty: every
    status."""
    exclude_statuses: list[str] = Field(default_factory=list)
    """Do not count leads of these statuses, for example ``[Won, Lost]``."""
    date_field: Literal["source_date", "create_date"] = "source_date"
    """The lead date the "recent" and "this month" counts go by."""
    recent_days: PositiveDays = 30
    """How many days back the "recent" count reaches (days)."""


class Availability(Section):
    """Who is away on the run's day, and what a half day away counts for.

    Absences come from ``absences_file`` (CSV: ``salesperson_name``, ``from``,
    ``to``, optional ``part``: ``full``, ``morning`` or ``afternoon``; dates
    ``YYYY-MM-DD``, both included) and from the campaign table's optional
    columns ``away_from``, ``away_to`` and ``away_part``. A salesperson away
    all day receives nothing and is not counted in the split; one away for
    half the day receives at most ``half_day_share`` of the share the
    strategy gave them, and the rest goes to the others. A morning and an
    afternoon absence on the same day make a whole day. The leads an away
    salesperson holds follow the same rules as on any other day.

    ``from_crm`` (Odoo only) adds what Odoo records: a sales-team membership
    with "Skip auto assignment" (``crm.team.member.assignment_optout``),
    validated time off (``hr.leave``, where installed; a half day by its
    period) and other leaves on the user's calendar resource
    (``resource.calendar.leaves``), on the run's day in UTC.

    ``catch_up`` says what a salesperson back from an absence gets: ``none``
    (the normal share), ``partial`` (``catch_up_fraction`` of the fair shares
    missed in the last ``catch_up_days`` days) or ``full`` (all of them), at
    most ``catch_up_per_run`` extra leads a run; counted from the tracking
    history and the absences of the file and the campaign table (Odoo's
    records are known for the run's day only).

    ``unknown_absentees`` says what an absence naming nobody known (neither
    a salesperson of the source, of any campaign, nor a CRM user, by name or
    login) does: ``error`` (the default) stops the run before anything is
    written, with the nearest name; ``warn`` goes on and says so. A typo
    would otherwise leave the salesperson receiving leads during the leave.
    """

    absences_file: str | None = None
    """A CSV of absences (``salesperson_name``, ``from``, ``to``, optional ``part``),
    relative to the configuration file, for example ``absences.csv``."""
    from_crm: bool = False
    """Also read absences from Odoo: team members set to skip auto assignment, validated
    time off and calendar leaves (Odoo only)."""
    half_day_share: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)
    """The part of their share a salesperson away for half the day receives, from 0 to 1
    (0.5: half)."""
    catch_up: Literal["none", "partial", "full"] = "none"
    """What a salesperson back from an absence gets: ``none`` (the normal share),
    ``partial`` or ``full`` (the shares missed); needs ``tracking.enabled``."""
    catch_up_days: PositiveDays = Field(default=30, le=366)
    """How far back missed shares are counted (days, at most 366)."""
    catch_up_fraction: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)
    """With ``catch_up: partial``, the part of the missed shares made up, from 0 to 1."""
    catch_up_per_run: NonNegativeInt = 5
    """The most extra leads one run gives a salesperson catching up (leads)."""
    unknown_absentees: Literal["error", "warn"] = "error"
    """An absence naming nobody known: ``error`` stops the run before anything is written,
    ``warn`` goes on and says so."""


class SalespersonSelection(Section):
    """How the eligible salespeople of the campaign are chosen.

    Which ``source_config`` key a source type needs is checked when the
    salespeople are selected, not here: one ``source_config`` may hold the
    keys of several source types at once, and only the chosen one is read.
    ``unknown_salespeople: skip`` turns names the CRM does not know into a
    warning (the salesperson is left out) instead of an error.
    """

    source_type: SourceType = "campaign_table"
    """Where the salespeople come from: ``campaign_table``, ``file`` (legacy text file),
    ``list``, ``database`` (a query on the CRM's users), ``team`` or ``odoo_team`` (a CRM
    sales team, the latter with Odoo's own assignment settings)."""
    source_config: SourceConfig = Field(default_factory=SourceConfig)
    """The table, file, list, query or team the source type reads."""
    campaign_filtering: CampaignFiltering = Field(default_factory=CampaignFiltering)
    """Keep the salespeople of the target campaign, less excluded users."""
    filters: SalespersonFilters = Field(default_factory=SalespersonFilters)
    """Criteria on the selected salespeople: archived, rights, level, workload, team."""
    unknown_salespeople: Literal["error", "skip"] = "error"
    """A name the CRM does not know: ``error`` stops the run; ``skip`` leaves that
    salesperson out with a warning."""
    workload: WorkloadCounting = Field(default_factory=WorkloadCounting)
    """Which leads count toward a salesperson's current workload."""
    availability: Availability = Field(default_factory=Availability)
    """Who is away on the run's day, and what they get when they are back."""
