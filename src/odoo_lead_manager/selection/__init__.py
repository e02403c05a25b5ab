"""Salesperson selection (spec §2): sources, resolution in the CRM, filters."""

from odoo_lead_manager.selection.rows import (
    CampaignRow,
    parse_bool,
    parse_int,
    read_campaign_csv,
    read_legacy_file,
)
from odoo_lead_manager.selection.select import (
    Selection,
    SelectionCriteria,
    limit_workload,
    select_salespeople,
)
from odoo_lead_manager.selection.sources import select_from_config, target_campaign

__all__ = [
    "CampaignRow",
    "Selection",
    "SelectionCriteria",
    "limit_workload",
    "parse_bool",
    "parse_int",
    "read_campaign_csv",
    "read_legacy_file",
    "select_from_config",
    "select_salespeople",
    "target_campaign",
]
