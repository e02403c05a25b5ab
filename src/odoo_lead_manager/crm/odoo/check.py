"""`odlm check`: can this configuration work against this Odoo?"""

from __future__ import annotations

from dataclasses import dataclass

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.crm.odoo.connect import (
    TransportFactory,
    connect,
    default_transport,
    resolve_fields,
    settings_from_config,
)
from odoo_lead_manager.crm.odoo.fields import FieldProblem, MappedField, configured_mapping


@dataclass(frozen=True)
class CheckReport:
    """What the server said, and each mapped field's fate."""

    url: str
    database: str
    username: str
    uid: int
    server_version: str
    protocol: str
    fields: tuple[MappedField, ...]
    problems: tuple[FieldProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_odoo(loaded: LoadedConfig, factory: TransportFactory = default_transport) -> CheckReport:
    """Connect, authenticate and compare the field mapping with ``fields_get``."""
    settings = settings_from_config(loaded)
    connection = connect(settings, factory)
    fields, problems = resolve_fields(
        connection.transport, configured_mapping(loaded.config.crm.field_mapping)
    )
    return CheckReport(
        url=settings.url,
        database=settings.database,
        username=settings.username,
        uid=connection.transport.uid,
        server_version=connection.server_version,
        protocol=connection.transport.protocol,
        fields=tuple(f for _, f in fields.items()),
        problems=tuple(problems),
    )
