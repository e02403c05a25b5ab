"""`odlm check`: can this configuration work against this Odoo?"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from odoo_lead_manager.config.fields import FieldProblem, MappedField, configured_mapping
from odoo_lead_manager.crm.odoo.connect import (
    TransportFactory,
    connect,
    default_transport,
    resolve_fields,
    server_dialect,
    settings_from_config,
)
from odoo_lead_manager.crm.odoo.store import OdooStore, ReadCheck
from odoo_lead_manager.crm.settings import CrmSettings
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment


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


def check_odoo(
    settings: CrmSettings,
    named_teams: Collection[str | None] = (),
    factory: TransportFactory = default_transport,
) -> CheckReport:
    """Connect, authenticate, compare the field mapping with ``fields_get``, then try
    every kind of read a run makes with the names of the server's version: an
    all-clear means a run's reads work, not only that the lead fields exist. ``named_teams``:
    the sales teams the configuration names, whose Odoo assignment the report tells."""
    odoo = settings_from_config(settings)
    connection = connect(odoo, factory)
    fields, problems = resolve_fields(
        connection.transport, configured_mapping(settings.crm.field_mapping)
    )
    # A mapped field that does not fit is reported as such; reading it again adds nothing.
    store = OdooStore(connection.transport, fields, dialect=server_dialect(connection))
    reads = () if problems else tuple(store.verify_reads())
    assignment = None if problems or any(r.problem for r in reads) else store.lead_assignment()
    named = set(named_teams)
    teams = frozenset(t.id for t in assignment.teams if t.name in named) if assignment else ()
    return CheckReport(
        url=odoo.url,
        database=odoo.database,
        username=odoo.username,
        uid=connection.transport.uid,
        server_version=connection.server_version,
        protocol=connection.transport.protocol,
        fields=tuple(f for _, f in fields.items()),
        problems=tuple(problems),
        reads=reads,
        assignment=assignment,
        teams=frozenset(teams),
        accepts_odoo_assignment=settings.crm.odoo_auto_assignment == "accept",
    )
