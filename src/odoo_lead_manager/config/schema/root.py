"""The whole configuration file, its ``campaign`` section and odlm's own ``crm`` section."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from odoo_lead_manager.config.fields import configured_mapping
from odoo_lead_manager.config.schema.base import Day, PositiveInt, Section
from odoo_lead_manager.config.schema.connections import DatabaseConnection, OdooConnection
from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.finding import LeadFinding
from odoo_lead_manager.config.schema.operations import (
    ErrorHandling,
    Execution,
    Monitoring,
    Reporting,
    Security,
    Tracking,
)
from odoo_lead_manager.config.schema.selection import SalespersonSelection

LeadType = Literal["lead", "opportunity"]


def _leads_only() -> list[LeadType]:
    return ["lead"]


class CrmSettings(Section):
    """Which CRM the run works on: the Odoo server, or the embedded local store.

    ``local_path`` is the SQLite file of the local store, relative to the
    configuration file; ``page_size`` is how many leads are read per request.
    ``field_mapping`` maps logical lead fields to crm.lead fields (null: the
    installation has no such field); ``lead_types`` are the crm.lead types
    distributed. ``mail_tracking`` keeps Odoo's chatter tracking of the
    writes (slow, but the audit trail users know); ``notify_salespeople``
    lets Odoo e-mail each new owner once per lead.

    ``odoo_auto_assignment`` says what a real run does when Odoo assigns
    leads on its own (Settings > CRM > Rule-Based Assignment with Running
    "Repeatedly": the scheduled action "CRM: Lead Assignment" is active):
    ``refuse`` (the default) writes nothing and exits with status 2, naming
    the setting; ``accept`` runs anyway, knowing that each of Odoo's runs
    merges away leads that share an e-mail address (leads odlm handed out
    included) and turns the leads it assigns into opportunities. A dry run
    and ``odlm check`` say the same either way.
    """

    backend: Literal["odoo", "local"] = "odoo"
    """Which CRM the run reads and writes: ``odoo`` (the server of ``odoo_connection``) or
    ``local`` (the embedded SQLite store at ``local_path``, as the demo uses)."""
    local_path: str | None = None
    """The local store's SQLite file, relative to the configuration file, for example
    ``crm.sqlite``; required with ``backend: local``."""
    page_size: PositiveInt = 5000
    """How many leads are read from the CRM per request (leads); larger pages mean fewer
    round trips and more memory per request."""
    field_mapping: dict[str, str | None] = Field(default_factory=dict)
    """Which crm.lead field holds each logical lead field, for example
    ``{status: stage_id, source_date: create_date}`` on a stock Odoo; null: the
    installation has no such field. Fields left out keep their own name."""
    lead_types: list[LeadType] = Field(default_factory=_leads_only, min_length=1)
    """Which crm.lead records are distributed: ``[lead]`` (the default), ``[opportunity]``
    or both."""
    mail_tracking: bool = True
    """Keep Odoo's chatter tracking of each write (the audit trail users know, about
    4 ms of server time per lead); false writes faster without it."""
    notify_salespeople: bool = False
    """Let Odoo e-mail each new owner once for each lead they receive; off, Odoo sends no
    such e-mail for odlm's writes."""
    odoo_auto_assignment: Literal["refuse", "accept"] = "refuse"
    """What a real run does when Odoo also assigns leads on its own: ``refuse`` writes
    nothing and exits with status 2; ``accept`` runs anyway."""

    @field_validator("field_mapping")
    @classmethod
    def _known_logical_fields(cls, mapping: dict[str, str | None]) -> dict[str, str | None]:
        configured_mapping(mapping)
        return mapping


class CampaignSettings(Section):
    """The salesperson campaign this configuration distributes for.

    The campaign a run distributes is the most specific one named:
    ``salesperson_selection.campaign_filtering.target_campaign``, else
    ``target_campaign`` here, else ``salesperson_selection.source_config.campaign``,
    else ``name``.
    """

    name: str | None = None
    """The campaign's name, for example ``Voice``; the campaign distributed when no
    other key names one."""
    description: str = ""
    """A note on the campaign for people who read the file; odlm does not read it."""
    target_campaign: str | None = None
    """The campaign whose salespeople receive the leads, as the campaign table names it;
    ``salesperson_selection.campaign_filtering.target_campaign`` wins over it."""
    distribution_frequency: Literal["daily", "weekly", "monthly"] = "daily"
    """How often a real run may distribute the campaign: once a day, once per ISO week
    (from Monday) or once per month; another real run in that period needs
    ``--run-again``."""
    active: bool = True
    """Set to false to pause the campaign: real runs distribute nothing and say so; a dry
    run still shows what a run would do."""


class DistributionConfig(Section):
    """A daily distribution configuration."""

    version: str = "1.0"
    """The configuration format's version; only ``1.0`` is accepted."""
    name: str = "Daily Lead Distribution"
    """The configuration's name, shown in every preview, report and comparison."""
    description: str = ""
    """A note on the configuration for people who read the file; odlm does not read it."""
    tags: list[str] = Field(default_factory=list)
    """Labels for people who read the file, for example ``[voice, daily]``; odlm does not
    read them."""
    author: str | None = None
    """Who wrote the file; odlm does not read it."""
    created_date: Day | None = None
    """When the file was written (YYYY-MM-DD); odlm does not read it."""
    last_modified: Day | None = None
    """When the file was last changed (YYYY-MM-DD); odlm does not read it."""

    crm: CrmSettings = Field(default_factory=CrmSettings)
    """Which CRM the run works on (Odoo or the local store) and how it reads and writes."""
    odoo_connection: OdooConnection | None = None
    """Where the Odoo server is and how to log in; keys left out come from the ODOO_*
    environment variables."""
    database_connection: DatabaseConnection | None = None
    """The tracking database (run journal and history) and the database of campaign or
    web-source tables; left out, tracking uses a SQLite file in ``execution.state_dir``."""
    campaign: CampaignSettings = Field(default_factory=CampaignSettings)
    """The salesperson campaign this configuration distributes for, and how often."""
    salesperson_selection: SalespersonSelection = Field(default_factory=SalespersonSelection)
    """Where the salespeople come from and which of them receive leads."""
    lead_finding: LeadFinding = Field(default_factory=LeadFinding)
    """Which leads may be distributed: date window, filters, sales filter and dropback."""
    distribution: Distribution = Field(default_factory=Distribution)
    """How the leads are shared out among the salespeople, and what is written on them."""
    tracking: Tracking = Field(default_factory=Tracking)
    """The history kept of each run, and how a run's lock is seen by other machines."""
    reporting: Reporting = Field(default_factory=Reporting)
    """The reports written after a run, e-mail notification and salesperson digests."""
    execution: Execution = Field(default_factory=Execution)
    """How a run behaves: dry run, limits, batch size, logging, seed and state folder."""
    error_handling: ErrorHandling = Field(default_factory=ErrorHandling)
    """Retries, how many failures a run tolerates, and what to do when a stage finds
    nothing to work with."""
    monitoring: Monitoring = Field(default_factory=Monitoring)
    """What a run logs about its own time and memory, and when it warns."""
    security: Security = Field(default_factory=Security)
    """Audit trail, masking of personal data and how long the audit log is kept."""

    @property
    def target_campaign(self) -> str | None:
        """The campaign whose salespeople are chosen and whose runs these are, from the most
        specific setting: the selection's filter, the campaign section, the source's own."""
        selection = self.salesperson_selection
        return (
            selection.campaign_filtering.target_campaign
            or self.campaign.target_campaign
            or selection.source_config.campaign
            or self.campaign.name
        )

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 1.0` unquoted is a float in YAML; it means the same.
        return str(value) if isinstance(value, int | float) else value

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if value.strip() not in ("1", "1.0"):
            raise ValueError(
                f"{value!r}: this odlm reads configuration version 1.0, "
                "and cannot tell what another version means"
            )
        return value

    @property
    def history_keys(self) -> list[str]:
        """The set keys that count what salespeople received in earlier runs."""
        distribution = self.distribution
        weekend = "distribution.advanced_rules.workload_balancing.consider_weekend_workload"
        catch_up = self.salesperson_selection.availability.catch_up != "none"
        return [
            *(["distribution.caps"] if distribution.caps is not None else []),
            *([weekend] if distribution.counts_weekend else []),
            *(["salesperson_selection.availability.catch_up"] if catch_up else []),
        ]

    @model_validator(mode="after")
    def _crm_availability_needs_odoo(self) -> DistributionConfig:
        if self.salesperson_selection.availability.from_crm and self.crm.backend != "odoo":
            raise ValueError(
                "salesperson_selection.availability.from_crm reads Odoo's team members and "
                "time off, which the local CRM store does not have: use crm.backend: odoo, "
                "or an absences_file"
            )
        return self

    @model_validator(mode="after")
    def _history_kept_for_caps(self) -> DistributionConfig:
        needs = self.history_keys
        kept = self.tracking.enabled and self.tracking.track_individual_assignments
        if needs and not kept:
            raise ValueError(
                f"{needs[0]} counts what each salesperson received in earlier runs, which "
                "only the tracking history knows: set tracking.enabled and "
                "tracking.track_individual_assignments to true, or remove it"
            )
        return self

    @model_validator(mode="after")
    def _history_kept_for_the_ledger(self) -> DistributionConfig:
        asked = "fairness_window_days" in self.distribution.model_fields_set
        kept = self.tracking.enabled and self.tracking.track_individual_assignments
        if asked and self.distribution.fairness_window_days and not kept:
            raise ValueError(
                "distribution.fairness_window_days: the fairness ledger is kept in the "
                "tracking history: set tracking.enabled and "
                "tracking.track_individual_assignments to true, or set it to 0"
            )
        return self

    @model_validator(mode="after")
    def _owner_fields_exist(self) -> DistributionConfig:
        mapping = configured_mapping(self.crm.field_mapping)
        named = [
            ("lead_finding.owner_field", self.lead_finding.owner_field),
            (
                "salesperson_selection.workload.owner_field",
                self.salesperson_selection.workload.owner_field,
            ),
            *(("distribution.owner_fields", f) for f in self.distribution.owner_fields or ()),
        ]
        for key, field in named:
            if field is not None and mapping.get(field) is None:
                raise ValueError(
                    f"{key}: {field} is not a field of this CRM (crm.field_mapping.{field} "
                    "is null); name a mapped field or leave the key out"
                )
        return self
