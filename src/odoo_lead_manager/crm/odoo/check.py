"""`odlm check`: can this configuration work against this Odoo?"""

from __future__ import annotations

from dataclasses import dataclass

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.crm.odoo.connect import (
    TransportFactory,
    connect,
    default_transport,
    resolve_fields,
    server_dialect,
    settings_from_config,
)
from odoo_lead_manager.crm.odoo.fields import FieldProblem, MappedField, configured_mapping
from odoo_lead_manager.crm.odoo.store import OdooStore, ReadCheck
from odoo_lead_manager.odoo_assignment import LeadAssignment


@dataclass(frozen=True)
class CheckReport:
    """What the server said, each mapped field's fate, and each kind of read a run makes."""

    url: str
    database: str
    username: str
    uid: int
    server_version: str
    protocol: str
    fields: tuple[MappedField, ...]
    problems: tuple[FieldProblem, ...]
    reads: tuple[ReadCheck, ...] = ()
    # Odoo's own lead assignment, and the configuration's teams (None: not read, after a
    # problem) and answer to it (``crm.odoo_auto_assignment``).
    assignment: LeadAssignment | None = None
    teams: frozenset[int] = frozenset()
    accepts_odoo_assignment: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.failed_reads and not self.refused

    @property
    def refused(self) -> bool:
        """Whether a real run is refused because Odoo assigns leads on its own."""
        return (
            self.assignment is not None
            and self.assignment.automatic
            and not self.accepts_odoo_assignment
        )

    @property
    def failed_reads(self) -> tuple[ReadCheck, ...]:
        return tuple(r for r in self.reads if r.problem is not None)


def check_odoo(loaded: LoadedConfig, factory: TransportFactory = default_transport) -> CheckReport:
    """Connect, authenticate, compare the field mapping with ``fields_get``, then try
    every kind of read a run makes with the names of the server's version: an
    all-clear means a run's reads work, not only that the lead fields exist."""
    settings = settings_from_config(loaded)
    connection = connect(settings, factory)
    fields, problems = resolve_fields(
        connection.transport, configured_mapping(loaded.config.crm.field_mapping)
    )
    # A mapped field that does not fit is reported as such; reading it again adds nothing.
    store = OdooStore(connection.transport, fields, dialect=server_dialect(connection))
    reads = () if problems else tuple(store.verify_reads())
    assignment = None if problems or any(r.problem for r in reads) else store.lead_assignment()
    cfg = loaded.config
    named = {
        cfg.salesperson_selection.source_config.team,
        cfg.distribution.team_assignment,
        cfg.campaign.target_campaign or cfg.campaign.name,
    }
    teams = frozenset(t.id for t in assignment.teams if t.name in named) if assignment else ()
    return CheckReport(
        url=settings.url,
        database=settings.database,
        username=settings.username,
        uid=connection.transport.uid,
        server_version=connection.server_version,
        protocol=connection.transport.protocol,
        fields=tuple(f for _, f in fields.items()),
        problems=tuple(problems),
        reads=reads,
        assignment=assignment,
        teams=frozenset(teams),
        accepts_odoo_assignment=cfg.crm.odoo_auto_assignment == "accept",
    )
