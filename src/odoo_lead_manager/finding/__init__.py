"""Finding the distributable leads: one small filter object per rule, and the finder."""

from odoo_lead_manager.finding.filters import LeadFilter
from odoo_lead_manager.finding.finder import FindResult, base_domain, find_leads, server_domain

__all__ = ["FindResult", "LeadFilter", "base_domain", "find_leads", "server_domain"]
