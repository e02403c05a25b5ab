"""The secrets a configuration holds, for every output to hide."""

from __future__ import annotations

from pydantic import SecretStr

from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.ops.redaction import beyond_host


def secrets_of(config: DistributionConfig) -> list[str]:
    """Its passwords and API key, and each webhook address beyond its host."""
    sections = (
        config.odoo_connection,
        config.database_connection,
        config.reporting.email,
        config.reporting.digests,
    )
    values = [
        value.get_secret_value()
        for section in sections
        if section is not None
        for value in vars(section).values()
        if isinstance(value, SecretStr)
    ]
    # A webhook's address carries its token in the path (and query): hidden on its own too.
    return values + [beyond_host(value) for value in values if value.startswith("http")]
