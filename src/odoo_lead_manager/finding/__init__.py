"""Finding the distributable leads: one small filter object per rule, and the finder."""

from odoo_lead_manager.finding.filters import LeadFilter
from odoo_lead_manager.finding.finder import (
    Fetched,
    FindResult,
    Pipeline,
    Split,
    base_domain,
    fetch_leads,
    find_in_store,
    find_leads,
    found_in,
    run_pipeline,
    server_domain,
)

__all__ = [
    "Fetched",
    "FindResult",
    "LeadFilter",
    "Pipeline",
    "Split",
    "base_domain",
    "fetch_leads",
    "find_in_store",
    "find_leads",
    "found_in",
    "run_pipeline",
    "server_domain",
]
