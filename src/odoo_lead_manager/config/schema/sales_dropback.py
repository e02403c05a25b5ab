"""``lead_finding.sales_filter`` (leads of partners who already bought) and
``lead_finding.dropback_filter`` (stale leads back to their campaign's manager).

Both sections come in a short and a detailed shape; every key of both is
accepted, and the detailed keys win where both are given.
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
    """Count only recent opportunities."""
    field_name: str = "date_open"
    """The opportunity date compared; on crm.lead one of ``create_date``, ``write_date`` or
    ``source_date`` (set one of these when enabling: ``date_open`` is refused there)."""
    days_back: PositiveDays = 365
    """How recent an opportunity must be to count (days)."""


class PrimaryMatch(Section):
    """The main lead-to-opportunity match, by partner."""

    opportunity_table: str = "crm.lead"
    """The Odoo model holding the opportunities; ``crm.lead`` reads its records of type
    opportunity."""
    lead_field: str = "partner_id"
    """The lead field compared: ``partner_id``, ``email_from`` or ``phone``."""
    opportunity_field: str = "partner_id"
    """The opportunity field compared with it (on crm.lead: ``partner_id``,
    ``email_from`` or ``phone``)."""
    require_both_non_null: bool = True
    """A lead without a value never matches; false: it matches opportunities that have
    none either."""


class SecondaryMatch(Section):
    """An extra lead-to-opportunity match (e-mail, phone).

    E-mail addresses compare without case or surrounding blanks, phone numbers
    by their digits.
    """

    enabled: bool = False
    """Use this match too."""
    lead_field: str
    """The lead field compared: ``email_from`` or ``phone`` (or ``partner_id``)."""
    opportunity_field: str
    """The opportunity field compared with it, for example ``email_from``."""


class OpportunityDateFilter(Section):
    """Only opportunities newer than ``newer_than_days`` by ``field_name``."""

    enabled: bool = False
    """Count only recent opportunities."""
    field_name: str = "date_open"
    """The opportunity date compared; on crm.lead one of ``create_date``, ``write_date`` or
    ``source_date`` (set one of these when enabling: ``date_open`` is refused there)."""
    newer_than_days: PositiveDays = 365
    """How recent an opportunity must be to count (days)."""


class OpportunityCriteria(Section):
    """Which opportunities count as a sale (the detailed shape; it wins over the short
    keys of ``sales_filter``)."""

    exclude_stages: list[str] = Field(default_factory=list)
    """Opportunities in these stages do not count, for example ``[Lost]``."""
    include_stages: list[str] = Field(default_factory=list)
    """Only opportunities in these stages count, for example ``[Won]``; empty: every stage."""
    active_only: bool = True
    """Count only active opportunities; false counts archived ones too."""
    date_filter: OpportunityDateFilter = Field(default_factory=OpportunityDateFilter)
    """Count only opportunities newer than a number of days."""


class SalesFilterPerformance(Section):
    """Batching and caching of the opportunity lookups.

    odlm reads the opportunities once per run as grouped counts, so none of
    these changes anything; a run that sets one says so.
    """

    batch_size: PositiveInt = 1000
    """How many opportunities one lookup would read; no effect in odlm."""
    use_database_join: bool = True
    """Look opportunities up with a database join; no effect in odlm."""
    cache_opportunities: bool = True
    """Keep the opportunities between runs; no effect in odlm."""
    cache_duration_minutes: PositiveInt = 30
    """How long a cache would be kept (minutes); no effect in odlm."""


class SalesFilterReporting(Section):
    """What the sales filter reports about the leads it excludes."""

    log_excluded_leads: bool = True
    """Log how many leads the sales filter excluded, at ``sales_filter.log_level``."""
    log_match_details: bool = False
    """Log one line per excluded lead: its partner and how it matched."""
    count_excluded_by_stage: bool = True
    """Break the exclusions down in reports by how they matched and the opportunities'
    stages (``partner, stage Won``)."""
    export_excluded_leads: bool = False
    """Write a CSV of every lead examined and not distributed, with the reason, to
    ``export_path`` (rewritten by every run)."""
    export_path: str = "logs/excluded_leads.csv"
    """Where ``export_excluded_leads`` writes, relative to the configuration file."""


class SalesFilter(Section):
    """Leave alone leads whose partner already has an opportunity (a customer already, or
    one a salesperson is working on).

    The opportunities are read once per run. When they cannot be read, the
    run goes on without this filter and says so in a warning.
    """

    enabled: bool = True
    """Apply the sales filter (to leads being distributed and to dropback leads)."""
    opportunity_table: str = "crm.lead"
    """The Odoo model holding the opportunities; ``crm.lead`` reads its records of type
    opportunity."""
    opportunity_partner_field: str = "partner_id"
    """The opportunity field compared with the lead's partner."""
    lead_partner_field: str = "partner_id"
    """The lead field compared: ``partner_id``, ``email_from`` or ``phone``."""
    exclude_opportunity_stages: list[str] = Field(default_factory=list)
    """Opportunities in these stages do not count, for example ``[Lost]``."""
    include_opportunity_stages: list[str] = Field(default_factory=list)
    """Only opportunities in these stages count, for example ``[Won]``; empty: every stage."""
    opportunity_date_range: OpportunityDateRange = Field(default_factory=OpportunityDateRange)
    """Count only opportunities dated within a number of days."""
    log_excluded_leads: bool = True
    """Log how many leads the filter excluded; ``reporting.log_excluded_leads`` wins when
    ``reporting`` is given."""
    log_level: LowerLogLevel = "info"
    """The level of the sales filter's log lines: ``debug``, ``info``, ``warning`` or
    ``error``."""
    primary_match: PrimaryMatch | None = None
    """The detailed partner match; given, it replaces ``opportunity_table``,
    ``lead_partner_field`` and ``opportunity_partner_field``."""
    secondary_matches: dict[str, SecondaryMatch] = Field(default_factory=dict)
    """Further matches by name, for example
    ``{email: {enabled: true, lead_field: email_from, opportunity_field: email_from}}``."""
    opportunity_criteria: OpportunityCriteria | None = None
    """The detailed choice of opportunities (stages, archived, dates); given, it replaces
    the short stage and date keys."""
    performance: SalesFilterPerformance = Field(default_factory=SalesFilterPerformance)
    """Batching and caching of the lookups; no effect in odlm."""
    reporting: SalesFilterReporting = Field(default_factory=SalesFilterReporting)
    """What the filter logs and exports about the leads it excludes."""


class AgeThreshold(Section):
    """Leads older than ``days`` by ``field_name`` drop back."""

    days: PositiveDays = 30
    """How old a lead must be to drop back (days), for example 30."""
    field_name: str = "source_date"
    """The lead date the age is counted from: ``source_date``, ``create_date`` or
    ``write_date``."""
    use_business_days: bool = False
    """Count Monday to Friday only, less ``lead_finding.date_range.holidays``."""
    description: str = ""
    """A note on the threshold for people who read the file; odlm does not read it."""
    conditions: list[str] = Field(default_factory=list)
    """Extra conditions every one of which must hold, for example ``["priority >= 3",
    "status == 'Utr'", "tag_ids contains 'vip'"]`` (priority on the 1 to 5 scale)."""


class AssignmentConfig(Section):
    """How dropped-back leads are assigned."""

    web_source_field: str = "source_id"
    """The lead field that tells a lead's campaign, without ``web_source_matching``:
    ``source_id``, ``campaign_id`` or ``name``."""
    web_source_field_type: FieldType = "many2one"
    """The field's Odoo type; no effect in odlm, which reads it from the CRM."""
    assign_immediately: bool = True
    """Write the dropback assignments in the run; false only reports them."""
    update_status: bool = True
    """Write ``dropback_status`` on each dropped-back lead (a rule's own ``status`` wins)."""
    dropback_status: str = "dropback"
    """The status written when ``update_status`` is on, for example ``dropback``."""
    override_existing_assignments: bool = True
    """Drop back leads someone holds too; false: only leads nobody holds."""
    preserve_team_assignment: bool = False
    """Leave each lead's sales team as it is, unless its rule names a ``team`` (off, Odoo
    moves the lead to its new owner's team)."""


class DropbackLogging(Section):
    """Logging of dropback assignments."""

    log_dropback_assignments: bool = True
    """Log how many leads of each campaign dropped back to whom."""
    log_level: LowerLogLevel = "info"
    """The level of these log lines: ``debug``, ``info``, ``warning`` or ``error``."""
    include_lead_details: bool = False
    """Also log one line per lead: status, source, date and previous holder."""


class DropbackReporting(Section):
    """Reporting of dropback assignments."""

    count_dropback_leads: bool = True
    """Show the dropback counts in the console and the reports."""
    export_dropback_report: bool = False
    """Write a CSV of every lead dropped back (campaign, previous holder, new owner) to
    ``report_path`` (rewritten by every run)."""
    report_path: str = "reports/dropback_assignments.csv"
    """Where ``export_dropback_report`` writes, relative to the configuration file."""


class FallbackField(Section):
    """Another lead field that may hold the web source."""

    field: str
    """The lead field: ``source_id``, ``campaign_id`` or ``name`` (map a custom field with
    ``crm.field_mapping``)."""
    type: FieldType = "char"
    """The field's Odoo type; no effect in odlm, which reads it from the CRM."""


class CampaignPatterns(Section):
    """Web source names that belong to a campaign."""

    exact_matches: list[str] = Field(default_factory=list)
    """Whole web source names, compared without case or surrounding blanks, for example
    ``[facebook_ads]``."""
    pattern_matches: RegexList = Field(default_factory=list)
    """Regular expressions searched in the web source name (case ignored), for example
    ``["^fb_"]``; tried after every campaign's exact names."""


class WebSourceMatching(Section):
    """Detailed web-source-to-campaign matching: exact names first, then regular
    expressions, then the ``web_source_campaign_mapping`` lists."""

    primary_field: str = "source_id"
    """The lead field read first: ``source_id``, ``campaign_id`` or ``name``."""
    primary_field_type: FieldType = "many2one"
    """The field's Odoo type; no effect in odlm, which reads it from the CRM."""
    fallback_fields: list[FallbackField] = Field(default_factory=list)
    """Fields read in turn when the primary one matches no campaign."""
    campaign_patterns: dict[str, CampaignPatterns] = Field(default_factory=dict)
    """Names and patterns by campaign, for example
    ``{Voice: {exact_matches: [voice_ads], pattern_matches: ["^voice_"]}}``."""


class AssignmentRule(Section):
    """Who receives a campaign's dropped-back leads, and what is set on them."""

    user: str
    """The CRM user who receives the leads, by name or login, for example ``Voice Manager``."""
    user_id: RecordId | None = None
    """The same user's id, checked against ``user``: a mismatch stops the run."""
    team: str | None = None
    """The sales team written on the leads, for example ``Voice``."""
    status: str | None = None
    """The status written on the leads; left out, ``assignment_config.dropback_status``
    when ``update_status`` is on."""
    priority: NonNegativeInt | None = None
    """The priority written on the leads (1 to 5; 4 and above write Odoo's three stars)."""


class DropbackLeadCriteria(Section):
    """Only leads meeting these criteria drop back."""

    min_priority: NonNegativeInt | None = None
    """Only leads of at least this priority (1 to 5; 1 is no star)."""
    max_priority: NonNegativeInt | None = None
    """Only leads of at most this priority (1 to 5)."""
    required_fields: list[str] = Field(default_factory=list)
    """Only leads with a value in each of these fields: ``name``, ``email``, ``phone``,
    ``partner_id``, ``source_id``, ``campaign_id``."""
    exclude_statuses: list[str] = Field(default_factory=list)
    """Leads with one of these statuses stay (case and surrounding blanks ignored)."""
    exclude_tags: list[str] = Field(default_factory=list)
    """Leads carrying one of these tags stay (case ignored)."""


class ExistingAssignments(Section):
    """Leave alone leads the dropback users already hold."""

    enabled: bool = True
    """Leads a dropback user already holds stay where they are."""
    dropback_users: list[str] = Field(default_factory=list)
    """The dropback users, by name or login; empty: the users of every assignment rule."""


class DropbackCriteria(Section):
    """Extra conditions on dropback."""

    lead_criteria: DropbackLeadCriteria = Field(default_factory=DropbackLeadCriteria)
    """Priority, required fields, statuses and tags a lead must meet to drop back."""
    exclude_existing_assignments: ExistingAssignments = Field(default_factory=ExistingAssignments)
    """Leads a dropback user already holds stay where they are, unless ``enabled: false``."""


class DropbackPerformance(Section):
    """Batching of dropback writes."""

    batch_size: PositiveInt = 500
    """How many dropback leads one write carries (leads); left out, ``execution.batch_size``
    is used."""
    async_assignment: bool = False
    """Write dropback leads in the background; no effect in odlm, which writes them with
    the run's other batches."""
    timeout_seconds: PositiveInt = 30
    """A time limit for dropback writes (seconds); no effect in odlm, where
    ``odoo_connection.timeout_seconds`` applies."""


class DropbackFilter(Section):
    """Stale leads go back to their campaign's manager instead of being distributed.

    A lead older than an age threshold is a dropback candidate, wherever the
    date window ends. Its campaign comes from its web source; the campaign's
    rule (``assignment_rules``, else ``campaign_assignments``) says who
    receives it, and a campaign without one takes the default campaign's
    rule. Dropback leads skip the
    distribution filters but pass the sales filter, the excluded users, the
    activity deadline and the Do-Not-Call filter.

    ``web_source_campaign_mapping`` maps any name to a list of web sources,
    except ``default_campaign``, which names the campaign of unmatched ones.
    """

    enabled: bool = True
    """Drop back stale leads; false turns the whole section off."""
    age_threshold: AgeThreshold = Field(default_factory=AgeThreshold)
    """How old a lead must be to drop back (by default 30 days by ``source_date``)."""
    age_thresholds: dict[str, AgeThreshold] = Field(default_factory=dict)
    """Several named thresholds; given, they replace ``age_threshold``, and a lead drops
    back when any one applies."""
    web_source_campaign_mapping: dict[str, list[str] | str] = Field(default_factory=dict)
    """Web sources by campaign, for example ``{voice_sources: [voice_ads, voice_web],
    default_campaign: Voice}``; the ``_sources`` suffix and case are ignored."""
    campaign_assignments: dict[str, str] = Field(default_factory=dict)
    """Who receives each campaign's dropped-back leads, by name or login, for example
    ``{Voice: Voice Manager, default: Sales Manager}``."""
    assignment_config: AssignmentConfig = Field(default_factory=AssignmentConfig)
    """What a dropback writes, and which leads it may take."""
    logging: DropbackLogging = Field(default_factory=DropbackLogging)
    """What the dropback logs."""
    reporting: DropbackReporting = Field(default_factory=DropbackReporting)
    """What the dropback reports and exports."""
    web_source_matching: WebSourceMatching | None = None
    """Detailed matching of web sources to campaigns: fields, exact names, patterns."""
    assignment_rules: dict[str, AssignmentRule] = Field(default_factory=dict)
    """Detailed rules by campaign (user, team, status, priority); a campaign's rule wins
    over its ``campaign_assignments`` entry."""
    additional_criteria: DropbackCriteria | None = None
    """Further conditions a lead must meet to drop back."""
    performance: DropbackPerformance = Field(default_factory=DropbackPerformance)
    """How many dropback leads one write carries."""
