"""What the CRM stores are given of a configuration, resolved once by the command
(`commands.resolve.crm_settings`): the ``crm`` section, the Odoo connection, and where
the configuration came from (its file for messages and relative paths, its environment
for the ``ODOO_*`` variables)."""

from __future__ import annotations

from dataclasses import dataclass

from odoo_lead_manager.config.schema.connections import OdooConnection
from odoo_lead_manager.config.schema.root import CrmSettings as CrmSection
from odoo_lead_manager.config.source import ConfigSource


@dataclass(frozen=True)
class CrmSettings:
    source: ConfigSource
    crm: CrmSection
    odoo: OdooConnection | None = None
