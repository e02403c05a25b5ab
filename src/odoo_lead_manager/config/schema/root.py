"""The whole configuration file (spec §5.1) and odlm's own ``crm`` section."""

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
    local_path: str | None = None
    page_size: PositiveInt = 5000
    field_mapping: dict[str, str | None] = Field(default_factory=dict)
    lead_types: list[LeadType] = Field(default_factory=_leads_only, min_length=1)
    mail_tracking: bool = True
    notify_salespeople: bool = False
    odoo_auto_assignment: Literal["refuse", "accept"] = "refuse"

    @field_validator("field_mapping")
    @classmethod
    def _known_logical_fields(cls, mapping: dict[str, str | None]) -> dict[str, str | None]:
        configured_mapping(mapping)
        return mapping


class CampaignSettings(Section):
    """The salesperson campaign this configuration distributes for (§5.1)."""

    name: str | None = None
    description: str = ""
    target_campaign: str | None = None
    distribution_frequency: Literal["daily", "weekly", "monthly"] = "daily"
    active: bool = True


class DistributionConfig(Section):
    """A daily distribution configuration."""

    version: str = "1.0"
    name: str = "Daily Lead Distribution"
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    author: str | None = None
    created_date: Day | None = None
    last_modified: Day | None = None

    crm: CrmSettings = Field(default_factory=CrmSettings)
    odoo_connection: OdooConnection | None = None
    database_connection: DatabaseConnection | None = None
    campaign: CampaignSettings = Field(default_factory=CampaignSettings)
    salesperson_selection: SalespersonSelection = Field(default_factory=SalespersonSelection)
    lead_finding: LeadFinding = Field(default_factory=LeadFinding)
    distribution: Distribution = Field(default_factory=Distribution)
    tracking: Tracking = Field(default_factory=Tracking)
    reporting: Reporting = Field(default_factory=Reporting)
    execution: Execution = Field(default_factory=Execution)
    error_handling: ErrorHandling = Field(default_factory=ErrorHandling)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    security: Security = Field(default_factory=Security)

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
                f"{value!r}: this odlm reads configuration version 1.0 (the spec's), "
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
