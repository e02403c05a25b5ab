"""Writing a plan to the CRM safely: journalled batches, re-checks, retries, thresholds.

Each batch is one write of identical values to at most ``batch_size`` leads.
Before writing, the batch's leads are read again: a lead that changed since
it was planned is left alone and reported, a lead that already holds the
values is not written. The journal records the batch (with the leads'
previous values, for undo) before the write and its outcome after, so a run
killed at any instant resumes without writing anything twice.

The applier is the one layer that retries the calls of a run's batches: the
store tries each once (a transport's own backoff beneath would multiply the
waits), and a write whose answer was lost is never sent again as it is. Its
batch is read again first; leads holding the values count as written, only
the others are sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from odoo_lead_manager.crm.store import CrmStore, check_lead_values
from odoo_lead_manager.domain.model import LeadState
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.domain.runs import (
    APPLYING,
    COMPLETED,
    STOPPED,
    UNDOING,
    UNDONE,
    ApplyResult,
    Batch,
    Expectation,
    Totals,
)
from odoo_lead_manager.errors import (
    CrmError,
    CrmOutcomeUnknown,
    CrmUnavailable,
    RunStopped,
    UserInputError,
)
from odoo_lead_manager.ops.logs import stage_line
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.state.database import TrackingUnavailable
from odoo_lead_manager.state.journal import Journal

log = logging.getLogger(__name__)

T = TypeVar("T")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ApplySettings:
    """How a plan is written: batch size, retries of transient failures, tolerances (§9.2)."""

    batch_size: int = 50
    retries: int = 3
    retry_delay_seconds: float = 5.0
    max_failed: int = 10
    max_connection_errors: int = 3
    sleep: Callable[[float], None] = time.sleep


def _ids(ids: Sequence[int], shown: int = 10) -> str:
    """Lead ids for a log line: the first few, and how many more."""
    head = ", ".join(str(i) for i in ids[:shown])
    return head + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


class _Stop(Exception):
    """The run cannot go on: a threshold was passed or the CRM stayed unreachable."""


def planned_batches(plan: Plan, batch_size: int) -> list[Batch]:
    """The plan's write groups cut into batches, each lead with the state it was planned in."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result: list[Batch] = []
    stamps, owners = plan.seen_write_dates, plan.seen_owners
    # One read-only mapping per owner, shared by the owner's leads: a plan of 100,000
    # leads has a few dozen owners.
    expected_owner = {owner: {"user_id": owner} for owner in set(owners.values())}
    for group in plan.writes:
        check_lead_values(group.values)
        ids = group.lead_ids
        size = group.batch_size or batch_size
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            expect = {
                lead_id: Expectation(stamps[lead_id], expected_owner[owners[lead_id]])
                for lead_id in chunk
            }
            result.append(Batch("apply", len(result), tuple(chunk), dict(group.values), expect))
    return result


def apply_plan(
    plan: Plan,
    store: CrmStore,
    journal: Journal,
    settings: ApplySettings,
    forced: bool = False,
    progress: Progress | None = None,
) -> ApplyResult:
    """Write ``plan``, or finish writing it when the journal shows it begun.

    A run the journal shows completed is not written again. Raises
    `RunStopped` when the journal itself fails mid-run.
    """
    record = journal.run(plan.run_id)
    resumed = record is not None
    if record is None:
        # Just recorded: the batches need not be read back from the journal.
        batches = planned_batches(plan, settings.batch_size)
        journal.begin(plan, forced, batches)
    elif record.status in (UNDOING, UNDONE):
        raise UserInputError(f"run {plan.run_id} was undone; it cannot be applied again")
    else:
        if record.status != COMPLETED:
            journal.mark(plan.run_id, APPLYING)
        batches = journal.batches(plan.run_id, "apply")
    writer = BatchWriter(store, journal, plan.run_id, settings, progress, shown_by(plan))
    stopped = writer.write_all(batches)
    totals = Totals.of(batches)
    if record is None or record.status != COMPLETED:
        # Round robin's next start is saved with the run's completion, in one transaction.
        record_end(journal, plan.run_id, totals, stopped, COMPLETED, plan.rotation)
    return ApplyResult(
        run_id=plan.run_id,
        planned=sum(len(b.lead_ids) for b in batches),
        written=totals.written,
        already=totals.already,
        skipped=totals.skipped,
        failed=totals.failed,
        write_calls=writer.write_calls,
        stopped=stopped,
        resumed=resumed,
        placed=frozenset(lead for b in batches for lead in (*b.written, *b.already)),
        unsettled=totals.unsettled,
    )


def shown_by(plan: Plan) -> Callable[[str, Any], str]:
    """How messages about ``plan``'s leads name a field's value: a user or a sales team by
    name and id (as far as the plan knows them), anything else as it is."""

    def show(field: str, value: Any) -> str:
        named = plan.value_name(field, value)
        return named if named is not None else repr(value)

    return show


def record_end(
    journal: Journal,
    run_id: str,
    totals: Totals | None,
    stopped: str | None,
    done: str,
    rotation: Rotation | None = None,
) -> None:
    """Record how a run (or its undo) ended: ``done``, or stopped and why; a completed
    run's ``rotation`` is kept with it."""
    try:
        journal.finish(run_id, STOPPED if stopped else done, totals, stopped, rotation)
    except TrackingUnavailable as exc:
        raise RunStopped(
            f"{exc.message}; every batch was written but the run's end is not on record"
        ) from None


class BatchWriter:
    """Writes journalled batches; shared by applying a plan and undoing one."""

    def __init__(
        self,
        store: CrmStore,
        journal: Journal,
        run_id: str,
        settings: ApplySettings,
        progress: Progress | None = None,
        show: Callable[[str, Any], str] | None = None,
    ) -> None:
        self.store = store
        self.journal = journal
        self.run_id = run_id
        self.settings = settings
        self.progress = progress
        # How a "left alone" reason names a value: users and teams by name and id.
        self.show = show
        self.write_calls = 0
        self.connection_errors = 0
        # The next batch's leads as read with this batch's read-back (one call for both):
        # its key, the ids asked, and the states found.
        self._ahead: tuple[tuple[str, int], frozenset[int], dict[int, LeadState]] | None = None

    def write_all(self, batches: Sequence[Batch]) -> str | None:
        """Write every batch not done yet; return why the run stopped, or None."""
        failed = sum(len(b.failed) for b in batches)
        waiting = [b for b in batches if b.state != "done"]
        for index, batch in enumerate(waiting):
            upcoming = waiting[index + 1] if index + 1 < len(waiting) else None
            try:
                self._settle(batch, upcoming)
                _log_batch(batch, len(batches))
            except _Stop as stop:
                return str(stop)
            except CrmError as exc:  # a refused read: retrying will not help
                return exc.message
            except TrackingUnavailable as exc:
                raise RunStopped(
                    f"{exc.message}; the run stopped at batch {batch.batch_no + 1} of "
                    f"{len(batches)}; run the same command again to finish it "
                    f"(run {self.run_id})"
                ) from None
            failed += len(batch.failed)
            if failed > self.settings.max_failed:
                return (
                    f"{plural(failed, 'assignment')} failed, more than "
                    "error_handling.error_thresholds.max_failed_assignments "
                    f"({self.settings.max_failed})"
                )
        return None

    def _settle(self, batch: Batch, upcoming: Batch | None = None) -> None:
        """One batch to the end, retrying transient failures after re-reading its leads;
        ``upcoming``'s leads are re-checked with this batch's read-back."""
        self._retrying(f"batch {batch.batch_no + 1}", lambda: self._attempt(batch, upcoming))

    def read_values(self, ids: Sequence[int], fields: Collection[str]) -> dict[int, LeadState]:
        """`CrmStore.read_values` with this writer's retries, for a read outside a batch.

        Raises `CrmUnavailable` when the retries or the threshold run out.
        """
        try:
            return self._retrying("reading leads", lambda: self.store.read_values(ids, fields))
        except _Stop as stop:
            raise CrmUnavailable(str(stop)) from None

    def _retrying(self, what: str, action: Callable[[], T]) -> T:
        """``action``, tried again after the configured delay while the CRM is unavailable.

        The only retries of a run's CRM calls (the store tries each once), so a
        dead server is given up on after ``retries`` delays, or as soon as
        ``max_connection_errors`` is passed.
        """
        retry = 0
        while True:
            try:
                return action()
            except CrmUnavailable as exc:
                self.connection_errors += 1
                if self.connection_errors > self.settings.max_connection_errors:
                    raise _Stop(
                        f"{exc.message} ({self.connection_errors} connection errors, more than "
                        "error_handling.error_thresholds.max_connection_errors "
                        f"({self.settings.max_connection_errors}))"
                    ) from None
                if retry >= self.settings.retries:
                    raise _Stop(f"{exc.message} (after {retry + 1} attempt(s))") from None
                retry += 1
                # Said apart: the CRM may hold the write, and the re-read decides.
                lost = (
                    "; its leads are read again and only those not holding the values yet "
                    "are written"
                    if isinstance(exc, CrmOutcomeUnknown)
                    else ""
                )
                log.warning(
                    "%s: %s%s; retry %d of %d in %.1f s",
                    what,
                    exc.message,
                    lost,
                    retry,
                    self.settings.retries,
                    self.settings.retry_delay_seconds,
                )
                self.settings.sleep(self.settings.retry_delay_seconds)

    def _recheck(self, batch: Batch, pending: Sequence[int]) -> dict[int, LeadState]:
        """The batch's leads as the CRM holds them now: read with the previous batch's
        read-back when that asked for exactly these leads, else read here."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[:2] == ((batch.kind, batch.batch_no), frozenset(pending)):
            return ahead[2]
        return self.store.read_values(pending, fields_read(batch)) if pending else {}

    def _attempt(self, batch: Batch, upcoming: Batch | None = None) -> None:
        current = self._recheck(batch, batch.open_ids())
        sorting = sort_leads(batch, current, self.show)
        batch.skipped.update(sorting.skipped)
        batch.written.update(sorting.landed)
        batch.already.extend(sorting.already)
        to_write = list(sorting.to_write)
        replaced = _replaced(batch.values)
        for lead_id in to_write:
            # The values the write replaces, which undo restores.
            batch.previous.setdefault(lead_id, {name: current[lead_id][name] for name in replaced})
        batch.sent = tuple(to_write)
        batch.state = "writing"
        batch.attempts += 1
        log.debug(
            "run %s batch %d: %d to write (leads %s), %d already, %d left alone; values %s",
            self.run_id,
            batch.batch_no + 1,
            len(to_write),
            _ids(to_write),
            len(batch.already),
            len(batch.skipped),
            dict(batch.values),
        )
        self.journal.save(self.run_id, batch)
        refused = self._write(to_write, batch.values)
        batch.failed.update(refused)
        sent_ok = [lead_id for lead_id in to_write if lead_id not in refused]
        if sent_ok:
            # The read-back, and the next batch's re-check in the same call: its leads are
            # read after this write, as a re-check of its own would read them.
            ahead = upcoming.open_ids() if upcoming is not None else []
            fields = {*batch.values, *(fields_read(upcoming) if upcoming is not None else ())}
            after = self.store.read_values([*sent_ok, *ahead], fields)
            if upcoming is not None and ahead:
                self._ahead = (
                    (upcoming.kind, upcoming.batch_no),
                    frozenset(ahead),
                    {i: after[i] for i in ahead if i in after},
                )
            for lead_id in sent_ok:
                state = after.get(lead_id)
                if state is not None and holds(state, batch.values):
                    batch.written[lead_id] = state["write_date"]
                else:
                    batch.failed[lead_id] = _not_taken(state, batch.values)
        batch.sent = ()
        batch.state = "done"
        self.journal.save(self.run_id, batch)
        if self.progress is not None:
            self.progress(len(batch.lead_ids))

    def _write(self, ids: Sequence[int], values: Mapping[str, Any]) -> dict[int, str]:
        """Write ``ids``; when the CRM refuses, halve until the refused leads are found."""
        if not ids:
            return {}
        self.write_calls += 1
        try:
            self.store.write_leads(ids, values)
        except CrmUnavailable:
            raise
        except CrmError as exc:
            if len(ids) == 1:
                return {ids[0]: f"refused by the CRM: {exc.message}"}
            middle = len(ids) // 2
            return {**self._write(ids[:middle], values), **self._write(ids[middle:], values)}
        return {}


def _log_batch(batch: Batch, batches: int) -> None:
    stage_line(
        log,
        "undoing" if batch.kind == "undo" else "writing",
        "batch %d of %d: %d written, %d already held the values, %d left alone, %d failed",
        batch.batch_no + 1,
        batches,
        len(batch.written),
        len(batch.already),
        len(batch.skipped),
        len(batch.failed),
        batch=batch.batch_no + 1,
        batches=batches,
        leads=len(batch.lead_ids),
        written=len(batch.written),
        already=len(batch.already),
        left_alone=len(batch.skipped),
        failed=len(batch.failed),
    )


@dataclass(frozen=True)
class Sorting:
    """A batch's undecided leads as the CRM holds them now, by what writing them means."""

    to_write: tuple[int, ...]
    # Holding the values already, not written by this batch.
    already: tuple[int, ...]
    # Sent in an attempt whose answer was lost, and holding the values: the write went
    # through (with the ``write_date`` read).
    landed: Mapping[int, str]
    skipped: Mapping[int, str]


def sort_leads(
    batch: Batch, current: Mapping[int, LeadState], show: Callable[[str, Any], str] | None
) -> Sorting:
    """Sort ``batch``'s undecided leads, read as ``current``: a write, a dry run and an
    undo's preview decide each lead alike."""
    to_write: list[int] = []
    already: list[int] = []
    landed: dict[int, str] = {}
    skipped: dict[int, str] = {}
    for lead_id in batch.open_ids():
        state = current.get(lead_id)
        if state is None:
            skipped[lead_id] = "no longer in the CRM"
        elif holds(state, batch.values):
            if lead_id in batch.sent:
                landed[lead_id] = state["write_date"]
            else:
                already.append(lead_id)
        elif (why := batch.expect[lead_id].mismatch(state, show)) is not None:
            skipped[lead_id] = f"left alone: {why}"
        else:
            to_write.append(lead_id)
    return Sorting(tuple(to_write), tuple(already), landed, skipped)


def fields_read(batch: Batch) -> set[str]:
    """What re-checking a batch reads: the fields its write replaces and those it expects."""
    names = set(_replaced(batch.values))
    for expectation in batch.expect.values():
        names.update(expectation.fields)
    return names


def holds(state: LeadState, values: Mapping[str, Any]) -> bool:
    """Whether a lead read as ``state`` has every one of ``values`` already."""
    return values.items() <= state.items()


def _replaced(values: Mapping[str, Any]) -> list[str]:
    """The fields a write of ``values`` replaces: with the team when the owner changes,
    since Odoo moves a lead to its new owner's team unless the team is written too."""
    return [*values, *(["team_id"] if "user_id" in values else [])]


def _not_taken(state: LeadState | None, values: Mapping[str, Any]) -> str:
    if state is None:
        return "written, but no longer in the CRM"
    differing = {n: state[n] for n, v in values.items() if state[n] != v}
    return f"written, but the CRM now shows {differing}"
