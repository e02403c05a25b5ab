"""``salesperson_selection`` (spec §2.2-§2.4, §5.1)."""

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
    """The campaign table: a CSV file or a database table (§5.2).

    When both ``file_path`` and ``table_name`` are set (the spec's §5.1
    example shows both), the file is read: a configuration copied from the
    example then runs without a database.
    """

    file_path: str | None = None
    table_name: str | None = None
    campaign_column: str = "campaign_name"
    salesperson_column: str = "salesperson_name"
    active_column: str | None = "active"


class DatabaseQuery(Section):
    """Salespeople chosen by a query on the CRM's users (§2.3), in a safe form.

    ``where_clause`` is read as data (see `odoo_lead_manager.domain.user_query`)
    and ``domain`` is an Odoo domain over the same user fields; both become a
    ``res.users`` search, never SQL text. ``fields`` may only name user
    fields; id, name, login, active and the sales team are always read.
    """

    table: str = "res_users"
    where_clause: str | None = None
    domain: list[Any] | None = None
    fields: list[str] = Field(default_factory=lambda: ["name", "id"])

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
    file_path: str | None = None
    salespeople_list: list[str] = Field(default_factory=list)
    database_query: DatabaseQuery | None = None
    category: str | None = None
    campaign: str | None = None
    team: str | None = None


class CampaignFiltering(Section):
    """Keep the salespeople of one campaign (§2.2).

    The campaign of a table row and ``exclude_specific_users`` compare
    exactly, as R's ``%in%`` does: ``voice`` is not ``Voice``, and a row that
    differs only so is left out with a warning naming its line.
    ``case_sensitive: false`` folds case and ``strip_whitespace: true``
    ignores surrounding blanks in both comparisons.
    """

    enabled: bool = True
    target_campaign: str | None = None
    include_inactive_salespeople: bool = False
    exclude_specific_users: list[str] = Field(default_factory=list)
    case_sensitive: bool = True
    strip_whitespace: bool = False


class SalespersonFilters(Section):
    """Criteria on the selected salespeople (§2.4).

    ``min_experience_level`` is a level name or a rank counted from the
    lowest level of ``level_order`` (highest first), so with the default
    order 1 = junior, 2 = mid_level, 3 = senior. ``max_workload_percentage``
    leaves out salespeople whose current leads exceed that share of their
    target (those without a target are kept). ``has_permissions`` keeps users
    the CRM lets own leads (internal users with sales rights).
    """

    active_only: bool = True
    has_permissions: bool = True
    min_experience_level: PositiveInt | str | None = None
    level_order: list[str] = Field(
        default_factory=lambda: ["senior", "mid_level", "junior"], min_length=1
    )
    max_workload_percentage: Weight | None = Field(default=None, gt=0)
    team_filter: str | None = None

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
    """Which leads count toward a salesperson's workload (§2.5).

    By default: active leads of type lead the salesperson holds, of any
    status; who holds a lead is ``owner_field``, by default the same field as
    ``lead_finding.owner_field`` (`odoo_lead_manager.config.defaults`), so
    that the leads a run takes from someone are the leads their count loses.
    ``recent_days`` sets the "last N days" count, measured on ``date_field``.
    """

    lead_types: list[LeadType] = Field(default_factory=lambda: [_LEAD], min_length=1)
    include_archived: bool = False
    owner_field: Literal["user_id", "open_user_id", "closer_id"] | None = None
    statuses: list[str] = Field(default_factory=list)
    exclude_statuses: list[str] = Field(default_factory=list)
    date_field: Literal["source_date", "create_date"] = "source_date"
    recent_days: PositiveDays = 30


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
    from_crm: bool = False
    half_day_share: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)
    catch_up: Literal["none", "partial", "full"] = "none"
    catch_up_days: PositiveDays = Field(default=30, le=366)
    catch_up_fraction: float = Field(default=0.5, ge=0, le=1, allow_inf_nan=False)
    catch_up_per_run: NonNegativeInt = 5
    unknown_absentees: Literal["error", "warn"] = "error"


class SalespersonSelection(Section):
    """How the eligible salespeople of the campaign are chosen.

    Which ``source_config`` key a source type needs is checked when the
    salespeople are selected, not here: the spec's §2.4 shows one
    ``source_config`` holding the keys of several source types at once.
    ``unknown_salespeople: skip`` turns names the CRM does not know into a
    warning (the salesperson is left out) instead of an error.
    """

    source_type: SourceType = "campaign_table"
    source_config: SourceConfig = Field(default_factory=SourceConfig)
    campaign_filtering: CampaignFiltering = Field(default_factory=CampaignFiltering)
    filters: SalespersonFilters = Field(default_factory=SalespersonFilters)
    unknown_salespeople: Literal["error", "skip"] = "error"
    workload: WorkloadCounting = Field(default_factory=WorkloadCounting)
    availability: Availability = Field(default_factory=Availability)
