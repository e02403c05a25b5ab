"""Finding the distributable leads: one small filter object per rule, and the finder."""

from odoo_lead_manager.domain.fetched import Fetched
from odoo_lead_manager.pipeline.finding.filters import LeadFilter
from odoo_lead_manager.pipeline.finding.finder import (
    FindResult,
    Pipeline,
    Split,
    base_domain,
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
    "find_leads",
    "found_in",
    "run_pipeline",
    "server_domain",
]
