"""The typed schema of a daily distribution configuration."""

from odoo_lead_manager.config.schema.root import CampaignSettings, CrmSettings, DistributionConfig

__all__ = ["CampaignSettings", "CrmSettings", "DistributionConfig"]
