"""Defaults that depend on the installation (spec §17.2): who holds a lead, what is written.

A configuration written only in the spec's keys runs like the R pipeline:
who holds a lead is read from ``open_user_id`` where the CRM has that field
(``crm.field_mapping``), else from ``user_id``; an assignment writes every
one of ``user_id``, ``open_user_id`` and ``closer_id`` the CRM has; the
workload counts leads by the same holder field, so that a lead the run
takes from someone leaves their count. Each of these is the value of its
key when the key is set.
"""

from __future__ import annotations

from typing import Literal, get_args

from odoo_lead_manager.config.fields import configured_mapping
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.config.schema.sales_dropback import SalesFilter, SalesFilterReporting
from odoo_lead_manager.config.schema.selection import WorkloadCounting

OwnerField = Literal["user_id", "open_user_id", "closer_id"]
OWNER_FIELDS: tuple[OwnerField, ...] = get_args(OwnerField)


def is_mapped(config: DistributionConfig, logical: str) -> bool:
    """Whether the CRM has the logical lead field (it is not mapped to null)."""
    return configured_mapping(config.crm.field_mapping).get(logical) is not None


def holder_field(config: DistributionConfig) -> OwnerField:
    """The lead field that says who holds a lead (``lead_finding.owner_field``)."""
    explicit = config.lead_finding.owner_field
    if explicit is not None:
        return explicit
    return "open_user_id" if is_mapped(config, "open_user_id") else "user_id"


def written_owner_fields(config: DistributionConfig) -> tuple[OwnerField, ...]:
    """The owner fields an assignment sets (``distribution.owner_fields``)."""
    explicit = config.distribution.owner_fields
    if explicit is not None:
        return tuple(dict.fromkeys(explicit))
    return tuple(field for field in OWNER_FIELDS if is_mapped(config, field))


def workload_counting(config: DistributionConfig) -> WorkloadCounting:
    """``salesperson_selection.workload`` with its holder field filled in."""
    counting = config.salesperson_selection.workload
    if counting.owner_field is not None:
        return counting
    return counting.model_copy(update={"owner_field": holder_field(config)})


def sales_reporting(cfg: SalesFilter) -> SalesFilterReporting:
    """The reporting settings; the short shape's ``log_excluded_leads`` counts unless the
    detailed ``reporting`` section is given (the detailed keys win, as elsewhere)."""
    if "reporting" in cfg.model_fields_set:
        return cfg.reporting
    return cfg.reporting.model_copy(update={"log_excluded_leads": cfg.log_excluded_leads})
