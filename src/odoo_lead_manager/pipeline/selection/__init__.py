"""Salesperson selection (spec §2): sources, resolution in the CRM, filters."""

from odoo_lead_manager.domain.candidates import CampaignRow
from odoo_lead_manager.pipeline.selection.rows import parse_bool, parse_int
from odoo_lead_manager.pipeline.selection.select import (
    Selection,
    SelectionCriteria,
    limit_workload,
    select_salespeople,
)

__all__ = [
    "CampaignRow",
    "Selection",
    "SelectionCriteria",
    "limit_workload",
    "parse_bool",
    "parse_int",
    "select_salespeople",
]
