"""Everything that talks to a CRM: the `CrmStore` contract and its implementations."""

from odoo_lead_manager.crm.store import CrmStore, LeadValues

__all__ = ["CrmStore", "LeadValues"]
