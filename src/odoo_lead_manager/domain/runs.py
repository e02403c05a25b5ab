"""The runs odlm keeps, as values: a run's record and totals, its digests' deliveries, a kept
run with its snapshot and plan, and the states a run goes through."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from odoo_lead_manager.domain.model import LeadState
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.snapshot import Snapshot

APPLYING, STOPPED, COMPLETED, UNDOING, UNDONE = (
    "applying",
    "stopped",
    "completed",
    "undoing",
    "undone",
)
UNFINISHED = (APPLYING, STOPPED, UNDOING)
# What a salesperson's message is about: what a run gave and took from them, or what
# `odlm undo` gave back (the correction).
RUN_DIGEST, UNDO_DIGEST = "run", "undo"


@dataclass(frozen=True)
class RunRecord:
    """A journalled run."""

    run_id: str
    campaign: str
    run_date: date
    status: str
    forced: bool
    started_at: datetime
    updated_at: datetime
    planned: int
    written: int
    already: int
    skipped: int
    failed: int
    message: str | None
    # Batches sent whose answer never came (runs that did not finish applying only).
    unsettled: tuple[Unsettled, ...] = ()


@dataclass(frozen=True)
class Totals:
    """What the batches of one kind of a run add up to.

    ``written`` counts only what a read-back confirmed; ``unsettled`` are the
    batches whose outcome is not known (sent, and no answer recorded).
    """

    written: int
    already: int
    skipped: dict[int, str]
    failed: dict[int, str]
    unsettled: tuple[Unsettled, ...] = ()

    @classmethod
    def of(cls, done: Sequence[Batch]) -> Totals:
        skipped: dict[int, str] = {}
        failed: dict[int, str] = {}
        for batch in done:
            skipped.update(batch.skipped)
            failed.update(batch.failed)
        return cls(
            written=sum(len(b.written) for b in done),
            already=sum(len(b.already) for b in done),
            skipped=skipped,
            failed=failed,
            unsettled=tuple(
                Unsettled(b.batch_no, b.sent) for b in done if b.state == "writing" and b.sent
            ),
        )


@dataclass(frozen=True)
class DigestDelivery:
    """Whether one salesperson's message about a run (``kind``) reached them through one
    channel (``email``, ``webhook`` or ``file``), and why not."""

    run_id: str
    kind: str
    user_id: int
    channel: str
    salesperson: str
    delivered: bool
    error: str | None = None
    # The Odoo version the lead links were made for (None: not known).
    odoo_version: int | None = None


@dataclass(frozen=True)
class Undelivered:
    """A run's messages of one kind that did not reach some of its salespeople."""

    run_id: str
    run_date: date
    kind: str
    salespeople: tuple[str, ...]
    reasons: tuple[str, ...]


class RecordedRun(NamedTuple):
    """A run whose snapshot is kept (`Journal.recorded_runs`)."""

    run_id: str
    campaign: str
    run_date: date
    dry_run: bool
    taken_at: datetime


@dataclass(frozen=True)
class Recorded:
    """A kept run: what it was planned from, and the plan it made then."""

    run: RecordedRun
    snapshot: Snapshot
    plan: Plan


class Expectation(NamedTuple):
    """The state a lead must still be in to be written: its last change and some values.

    A tuple: a plan of 100,000 leads makes 100,000 of them.
    """

    write_date: str | None
    fields: Mapping[str, Any]

    def mismatch(
        self, state: LeadState, show: Callable[[str, Any], str] | None = None
    ) -> str | None:
        """Why a lead read as ``state`` (`CrmStore.read_values`) is no longer in this state,
        or None when it is; ``show`` says a field's value (a user by name and id, say)."""
        if self.fields.items() <= state.items() and state["write_date"] == self.write_date:
            return None
        for name, value in self.fields.items():
            now = state[name]
            if now != value:
                said = show or _shown
                return f"{name} is now {said(name, now)}, not {said(name, value)} as planned"
        stamp = state["write_date"]
        return f"modified at {stamp} since it was planned (seen as of {self.write_date})"


@dataclass
class Batch:
    """Leads written with the same values in one call, and what became of each."""

    kind: str
    batch_no: int
    lead_ids: tuple[int, ...]
    values: Mapping[str, Any]
    expect: Mapping[int, Expectation]
    state: str = "pending"
    attempts: int = 0
    previous: dict[int, dict[str, Any]] = field(default_factory=dict)
    sent: tuple[int, ...] = ()
    written: dict[int, str | None] = field(default_factory=dict)
    already: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    # How many of ``previous`` the journal holds: leads only gain a previous state, so
    # a save finding none new leaves the column as it is instead of encoding it again.
    previous_on_record: int = field(default=0, compare=False, repr=False)

    def open_ids(self) -> list[int]:
        """Leads whose fate is not decided yet."""
        settled = self.written.keys() | self.skipped.keys() | self.failed.keys()
        settled |= set(self.already)
        return [lead_id for lead_id in self.lead_ids if lead_id not in settled]


@dataclass(frozen=True)
class Unsettled:
    """A batch whose write was sent and never answered: its leads may hold it, or not.

    Odoo may have committed the write before the connection was lost, or the
    process died before it could record the answer. The next attempt at the
    run reads these leads again and writes only those that do not hold it.
    """

    batch_no: int
    lead_ids: tuple[int, ...]


def _shown(_: str, value: Any) -> str:
    return repr(value)


@dataclass(frozen=True)
class ApplyResult:
    """Where a run stands after this attempt at it: the journal's totals over all attempts."""

    run_id: str
    planned: int
    written: int
    already: int
    skipped: Mapping[int, str]
    failed: Mapping[int, str]
    write_calls: int
    stopped: str | None = None
    resumed: bool = False
    # Leads now holding the planned values: written, or found holding them already.
    placed: frozenset[int] = frozenset()
    # Batches sent whose answer never came: their leads may hold the plan or not
    # (only when the run stopped; finishing it reads them again).
    unsettled: tuple[Unsettled, ...] = ()

    @property
    def complete(self) -> bool:
        """Every planned lead was decided: written, already in place, left alone or refused."""
        return self.stopped is None


@dataclass(frozen=True)
class UndoResult:
    """What an undo restored and what it left alone, over all its attempts."""

    run_id: str
    restored: int
    already: int
    left_alone: Mapping[int, str]
    failed: Mapping[int, str]
    write_calls: int
    stopped: str | None = None
    # True when the run had been undone before: this call changed nothing.
    earlier: bool = False
    # The leads given back their previous values, over all attempts (``restored`` of them).
    restored_leads: frozenset[int] = frozenset()
    # A preview (`odlm undo --dry-run`): nothing was written; ``restored`` counts the leads
    # an undo would give back now, each with what would change.
    dry_run: bool = False
    would_restore: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RetentionResult:
    """What a retention pass moved (or, for a dry run, would move)."""

    cutoff: date
    archived: bool
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)
    runs: int = 0
    # Kept snapshots (`odlm replay`) of runs before the cut-off, deleted.
    snapshots: int = 0
