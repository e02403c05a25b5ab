"""Opening the CRM store a configuration names."""

from __future__ import annotations

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.crm.local_store import LocalStore
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.errors import ConfigError


def open_store(loaded: LoadedConfig) -> CrmStore:
    """The local store of ``crm.local_path``, or the Odoo server of ``odoo_connection``."""
    crm = loaded.config.crm
    if crm.backend == "local":
        if not crm.local_path:
            raise ConfigError(
                f"{loaded.path}: crm.local_path is required when crm.backend is local"
            )
        return LocalStore.open(loaded.resolve_path(crm.local_path))
    # Imported here: the local store needs none of Odoo's transports (httpx, XML-RPC).
    from odoo_lead_manager.crm.odoo.connect import open_odoo_store

    return open_odoo_store(loaded)


def odoo_version(store: CrmStore) -> int | None:
    """The major version of the Odoo server behind ``store`` (None: not Odoo, or unknown)."""
    major = getattr(getattr(store, "dialect", None), "major", None)
    return major if isinstance(major, int) and major > 0 else None
