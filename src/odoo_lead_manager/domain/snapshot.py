"""What a plan is computed from: a `Snapshot` of the CRM and the files, taken once per run.

Planning is two steps (DESIGN.md's one-way flow made literal):

1. the fetch step (`snapshot.fetch.take_snapshot`) reads the configured files and
   asks the CRM everything planning needs — users by name and id, teams,
   grouped counts (workload, sales filter), utm sources — and pages the
   leads; every answer is kept in the snapshot;
2. the planner (`pipeline.planning.plan_snapshot`) computes the plan from
   its settings and the snapshot alone: no store, no file, no clock.

The stages ask their questions through `domain.lookups.Lookups`, which the fetch
step answers from the CRM (keeping each answer) and the planner from the
snapshot.

Snapshots are kept compressed in the run journal's database (`to_bytes`),
so that any run can be replayed, explained and compared months later.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from pydantic import TypeAdapter, ValidationError

from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.fetched import Fetched
from odoo_lead_manager.domain.ledger import Standing
from odoo_lead_manager.domain.lookups import Answers, Replayed
from odoo_lead_manager.domain.model import Absence, Lead
from odoo_lead_manager.domain.received import Received
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.errors import UserInputError

# Raised when what a kept snapshot holds changes meaning; older ones are refused by name.
SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class Snapshot:
    """Everything a plan is computed from, as one value.

    ``snapshot_id`` is drawn when it is taken and becomes the run id of the
    plan computed from it, so a replay names the run it replays.
    """

    snapshot_id: str
    today: date
    taken_at: datetime
    campaign: str | None
    candidates: Candidates
    answers: Answers
    fetched: Fetched
    # Where round robin's cycle stood (the tracking database's rotation).
    rotation: Rotation | None = None
    # The web-source names the configured file or table gave (empty: not configured).
    web_sources: tuple[str, ...] = ()
    # The run's command-line overrides: --override-date-range, --max-leads, --force-round-robin.
    date_range: tuple[date, date] | None = None
    max_leads: int | None = None
    force_round_robin: bool = False
    # What each salesperson received in earlier real runs (the tracking history), for
    # ``distribution.caps`` and ``consider_weekend_workload``; None: not read (neither set).
    received: Received | None = None
    # The absences file's rows (``salesperson_selection.availability.absences_file``).
    absences: tuple[Absence, ...] = ()
    # Leads other campaigns' real runs moved on the day: not moved again (a rule).
    moved_elsewhere: tuple[int, ...] = ()
    # Each fetched lead's holders as earlier real runs recorded them, oldest first
    # (``distribution.never_back_to_last``); empty without a tracking history.
    earlier_holders: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # The fairness ledger before the run (None: off, or no tracking history), and the leads
    # each eligible salesperson received outside odlm since the previous real run.
    standing: Standing | None = None
    outside: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # Personal data pseudonymised (``security.mask_personal_data``), see `masked`.
    masked: bool = False
    format_version: int = SNAPSHOT_FORMAT

    def lookups(self) -> Replayed:
        return Replayed(self.answers, f"the snapshot of {self.today}")

    def user_names(self) -> dict[int, str]:
        """The name of every user the run asked the CRM about."""
        return {uid: user.name for uid, user in self.answers.users.items()}

    @cached_property
    def _json(self) -> bytes:
        return _SNAPSHOT.dump_json(self)

    def to_bytes(self) -> bytes:
        """Compressed JSON, as the journal keeps it (zlib's fastest level: a snapshot of
        70,000 leads is 3.6 MB, compressed in a tenth of a second; level 6 saved a fifth
        of that for five times the time)."""
        return zlib.compress(self._json, 1)

    @classmethod
    def from_bytes(cls, data: bytes, where: str = "snapshot") -> Snapshot:
        try:
            text = zlib.decompress(data)
        except zlib.error:
            raise UserInputError(f"{where}: not a compressed odlm snapshot") from None
        return cls.from_json(text, where)

    @classmethod
    def from_json(cls, text: str | bytes, where: str = "snapshot") -> Snapshot:
        try:
            snapshot = _SNAPSHOT.validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            at = ".".join(str(part) for part in first["loc"]) or "the document"
            raise UserInputError(f"{where}: {at}: {first['msg']}") from None
        if snapshot.format_version != SNAPSHOT_FORMAT:
            raise UserInputError(
                f"{where}: snapshot format {snapshot.format_version}, this odlm reads "
                f"format {SNAPSHOT_FORMAT}"
            )
        return snapshot

    def digest(self) -> str:
        """A SHA-256 of the snapshot's content: what a plan names it by."""
        return hashlib.sha256(self._json).hexdigest()

    def lead(self, lead_id: int) -> Lead | None:
        for lead in self.fetched.leads:
            if lead.id == lead_id:
                return lead
        return None


_SNAPSHOT = TypeAdapter(Snapshot)
