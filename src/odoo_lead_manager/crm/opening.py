"""Opening the CRM store a configuration names."""

from __future__ import annotations

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.crm.odoo.connect import open_odoo_store
from odoo_lead_manager.crm.settings import CrmSettings
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.errors import ConfigError


def open_store(settings: CrmSettings) -> CrmStore:
    """The local store of ``crm.local_path``, or the Odoo server of ``odoo_connection``."""
    crm = settings.crm
    if crm.backend == "local":
        if not crm.local_path:
            raise ConfigError(
                f"{settings.source.path}: crm.local_path is required when crm.backend is local"
            )
        return LocalStore.open(settings.source.resolve_path(crm.local_path))
    return open_odoo_store(settings)


def odoo_version(store: CrmStore) -> int | None:
    """The major version of the Odoo server behind ``store`` (None: not Odoo, or unknown)."""
    major = getattr(getattr(store, "dialect", None), "major", None)
    return major if isinstance(major, int) and major > 0 else None
