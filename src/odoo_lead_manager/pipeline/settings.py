"""What the planner is given of a configuration: small frozen values, resolved once by the
command (`commands.resolve`), so that no stage reads the configuration file, its path or
its loader, and a test builds them from literals.

The three meanings of a lead's "owner" are worked out once, in `Owners`: the field that
says who holds a lead, the fields an assignment writes, and the field a salesperson's
workload is counted by.
"""

from __future__ import annotations

from dataclasses import dataclass

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.finding import (
    LeadFinding,
)
from odoo_lead_manager.config.schema.selection import SalespersonSelection, WorkloadCounting


@dataclass(frozen=True)
class Owners:
    """Who owns a lead, in the three senses a run needs.

    ``holder``: the lead field that says who holds a lead now (``lead_finding.owner_field``,
    else ``open_user_id`` where it is mapped, else ``user_id``); ``written``: the fields an
    assignment sets (``distribution.owner_fields``, else every mapped owner field);
    ``counting``: ``salesperson_selection.workload`` with its holder field filled in.
    """

    holder: str
    written: tuple[str, ...]
    counting: WorkloadCounting


@dataclass(frozen=True)
class Policy:
    """``error_handling``'s choices for a run that cannot go as planned, and what a run does
    when Odoo assigns leads on its own (``crm.odoo_auto_assignment``)."""

    when_no_salespeople_found: str = "fail"
    when_no_leads_found: str = "generate_warning"
    when_distribution_fails: str = "use_round_robin"
    fallback_owner: str | None = None
    max_validation_errors: int = 5
    odoo_auto_assignment: str = "refuse"


@dataclass(frozen=True)
class FindingSettings:
    """What the finding stage is given of the configuration: its own section, the lead
    field that says who holds a lead (`config.defaults.holder_field`), and the file
    the configuration came from, which its messages name."""

    finding: LeadFinding
    owner: str
    where: str


@dataclass(frozen=True)
class PlanSettings:
    """Everything `plan_snapshot` reads of a configuration.

    ``where`` names the configuration in messages (its file); ``digest`` is its
    fingerprint, which every plan carries; ``notices`` are the sentences about settings
    that have no effect, which every plan repeats.
    """

    where: str
    name: str
    digest: str
    campaign: str | None
    owners: Owners
    selection: SalespersonSelection
    finding: LeadFinding
    distribution: Distribution
    policy: Policy
    max_leads_per_run: int | None = None
    seed: int | None = None
    lead_types: tuple[str, ...] = ("lead",)
    notices: tuple[str, ...] = ()

    @property
    def finding_stage(self) -> FindingSettings:
        """The finding stage's own settings: its section, the holder field, the file."""
        return FindingSettings(self.finding, self.owners.holder, self.where)
