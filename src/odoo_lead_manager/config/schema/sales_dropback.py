"""``lead_finding.sales_filter`` (§3.5) and ``lead_finding.dropback_filter`` (§3.6).

Both fragments appear in the spec in a short and a detailed shape; every key
of both is accepted.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from odoo_lead_manager.config.schema.base import (
    LowerLogLevel,
    NonNegativeInt,
    PositiveDays,
    PositiveInt,
    RecordId,
    RegexList,
    Section,
)

FieldType = Literal["many2one", "char", "selection"]


class OpportunityDateRange(Section):
    """Only opportunities whose ``field_name`` lies within ``days_back`` days."""

    enabled: bool = False
    field_name: str = "date_open"
    days_back: PositiveDays = 365


class PrimaryMatch(Section):
    """The main lead-to-opportunity match, by partner."""

    opportunity_table: str = "crm.lead"
    lead_field: str = "partner_id"
    opportunity_field: str = "partner_id"
    require_both_non_null: bool = True


class SecondaryMatch(Section):
    """An extra lead-to-opportunity match (e-mail, phone)."""

    enabled: bool = False
    lead_field: str
    opportunity_field: str


class OpportunityDateFilter(Section):
    """Only opportunities newer than ``newer_than_days`` by ``field_name``."""

    enabled: bool = False
    field_name: str = "date_open"
    newer_than_days: PositiveDays = 365


class OpportunityCriteria(Section):
    """Which opportunities count as a sale."""

    exclude_stages: list[str] = Field(default_factory=list)
    include_stages: list[str] = Field(default_factory=list)
    active_only: bool = True
    date_filter: OpportunityDateFilter = Field(default_factory=OpportunityDateFilter)


class SalesFilterPerformance(Section):
    """Batching and caching of the opportunity lookups."""

    batch_size: PositiveInt = 1000
    use_database_join: bool = True
    cache_opportunities: bool = True
    cache_duration_minutes: PositiveInt = 30


class SalesFilterReporting(Section):
    """What the sales filter reports about the leads it excludes."""

    log_excluded_leads: bool = True
    log_match_details: bool = False
    count_excluded_by_stage: bool = True
    export_excluded_leads: bool = False
    export_path: str = "logs/excluded_leads.csv"


class SalesFilter(Section):
    """Skip leads whose partner already has an opportunity (§3.5)."""

    enabled: bool = True
    opportunity_table: str = "crm.lead"
    opportunity_partner_field: str = "partner_id"
    lead_partner_field: str = "partner_id"
    exclude_opportunity_stages: list[str] = Field(default_factory=list)
    include_opportunity_stages: list[str] = Field(default_factory=list)
    opportunity_date_range: OpportunityDateRange = Field(default_factory=OpportunityDateRange)
    log_excluded_leads: bool = True
    log_level: LowerLogLevel = "info"
    primary_match: PrimaryMatch | None = None
    secondary_matches: dict[str, SecondaryMatch] = Field(default_factory=dict)
    opportunity_criteria: OpportunityCriteria | None = None
    performance: SalesFilterPerformance = Field(default_factory=SalesFilterPerformance)
    reporting: SalesFilterReporting = Field(default_factory=SalesFilterReporting)


class AgeThreshold(Section):
    """Leads older than ``days`` by ``field_name`` drop back."""

    days: PositiveDays = 30
    field_name: str = "source_date"
    use_business_days: bool = False
    description: str = ""
    conditions: list[str] = Field(default_factory=list)


class AssignmentConfig(Section):
    """How dropped-back leads are assigned."""

    web_source_field: str = "source_id"
    web_source_field_type: FieldType = "many2one"
    assign_immediately: bool = True
    update_status: bool = True
    dropback_status: str = "dropback"
    override_existing_assignments: bool = True
    preserve_team_assignment: bool = False


class DropbackLogging(Section):
    """Logging of dropback assignments."""

    log_dropback_assignments: bool = True
    log_level: LowerLogLevel = "info"
    include_lead_details: bool = False


class DropbackReporting(Section):
    """Reporting of dropback assignments."""

    count_dropback_leads: bool = True
    export_dropback_report: bool = False
    report_path: str = "reports/dropback_assignments.csv"


class FallbackField(Section):
    """Another lead field that may hold the web source."""

    field: str
    type: FieldType = "char"


class CampaignPatterns(Section):
    """Web source names that belong to a campaign."""

    exact_matches: list[str] = Field(default_factory=list)
    pattern_matches: RegexList = Field(default_factory=list)


class WebSourceMatching(Section):
    """Detailed web-source-to-campaign matching."""

    primary_field: str = "source_id"
    primary_field_type: FieldType = "many2one"
    fallback_fields: list[FallbackField] = Field(default_factory=list)
    campaign_patterns: dict[str, CampaignPatterns] = Field(default_factory=dict)


class AssignmentRule(Section):
    """Who receives a campaign's dropped-back leads, and what is set on them."""

    user: str
    user_id: RecordId | None = None
    team: str | None = None
    status: str | None = None
    priority: NonNegativeInt | None = None


class DropbackLeadCriteria(Section):
    """Only leads meeting these criteria drop back."""

    min_priority: NonNegativeInt | None = None
    max_priority: NonNegativeInt | None = None
    required_fields: list[str] = Field(default_factory=list)
    exclude_statuses: list[str] = Field(default_factory=list)
    exclude_tags: list[str] = Field(default_factory=list)


class ExistingAssignments(Section):
    """Leave alone leads the dropback users already hold."""

    enabled: bool = True
    dropback_users: list[str] = Field(default_factory=list)


class DropbackCriteria(Section):
    """Extra conditions on dropback."""

    lead_criteria: DropbackLeadCriteria = Field(default_factory=DropbackLeadCriteria)
    exclude_existing_assignments: ExistingAssignments = Field(default_factory=ExistingAssignments)


class DropbackPerformance(Section):
    """Batching of dropback writes."""

    batch_size: PositiveInt = 500
    async_assignment: bool = False
    timeout_seconds: PositiveInt = 30


class DropbackFilter(Section):
    """Stale leads go back to their campaign's manager (§3.6).

    ``web_source_campaign_mapping`` maps any name to a list of web sources,
    except ``default_campaign``, which names the campaign of unmatched ones.
    """

    enabled: bool = True
    age_threshold: AgeThreshold = Field(default_factory=AgeThreshold)
    age_thresholds: dict[str, AgeThreshold] = Field(default_factory=dict)
    web_source_campaign_mapping: dict[str, list[str] | str] = Field(default_factory=dict)
    campaign_assignments: dict[str, str] = Field(default_factory=dict)
    assignment_config: AssignmentConfig = Field(default_factory=AssignmentConfig)
    logging: DropbackLogging = Field(default_factory=DropbackLogging)
    reporting: DropbackReporting = Field(default_factory=DropbackReporting)
    web_source_matching: WebSourceMatching | None = None
    assignment_rules: dict[str, AssignmentRule] = Field(default_factory=dict)
    additional_criteria: DropbackCriteria | None = None
    performance: DropbackPerformance = Field(default_factory=DropbackPerformance)
