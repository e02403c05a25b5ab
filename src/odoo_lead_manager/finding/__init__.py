"""Finding the distributable leads: one small filter object per rule, and the finder."""

from odoo_lead_manager.finding.filters import LeadFilter
from odoo_lead_manager.finding.finder import (
    FindResult,
    Pipeline,
    Split,
    base_domain,
    find_in_store,
    find_leads,
    run_pipeline,
    server_domain,
)

__all__ = [
    "FindResult",
    "LeadFilter",
    "Pipeline",
    "Split",
    "base_domain",
    "find_in_store",
    "find_leads",
    "run_pipeline",
    "server_domain",
]
