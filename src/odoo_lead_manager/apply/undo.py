"""Taking a run back: each lead it wrote gets its previous values, unless it changed since.

The journal holds, for every lead a run wrote, the values it replaced and
the lead's ``write_date`` right after the write. A lead whose written values
and ``write_date`` are still those is restored; any other lead was touched by
someone since, and is left alone and reported. Undo is journalled like a run
(batches of kind ``undo``), so it too can be killed and resumed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from odoo_lead_manager.apply.writer import (
    ApplySettings,
    BatchWriter,
    Progress,
    fields_read,
    holds,
    record_end,
    shown_by,
    sort_leads,
)
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.model import LeadState
from odoo_lead_manager.domain.runs import UNDOING, UNDONE, Batch, Expectation, Totals, UndoResult
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.state.journal import Journal


def undo_run(
    run_id: str,
    store: CrmStore,
    journal: Journal,
    settings: ApplySettings,
    progress: Progress | None = None,
) -> UndoResult:
    """Restore the previous values of the leads run ``run_id`` wrote and nobody changed since."""
    record = journal.run(run_id)
    if record is None:
        raise UserInputError(f"no run {run_id} in the run journal {journal.where}")
    writer = BatchWriter(store, journal, run_id, settings, progress, shown_by(journal.plan(run_id)))
    if record.status not in (UNDOING, UNDONE):
        applied = journal.batches(run_id, "apply")
        _settle_interrupted(applied, writer)
        journal.begin_undo(run_id, undo_batches(applied, settings.batch_size))
    elif record.status == UNDOING:
        journal.mark(run_id, UNDOING)
    batches = journal.batches(run_id, "undo")
    stopped = writer.write_all(batches) if record.status != UNDONE else None
    totals = Totals.of(batches)
    if record.status != UNDONE:
        record_end(journal, run_id, None, stopped, UNDONE)
    return UndoResult(
        run_id=run_id,
        restored=totals.written,
        already=totals.already,
        left_alone=totals.skipped,
        failed=totals.failed,
        write_calls=writer.write_calls,
        stopped=stopped,
        earlier=record.status == UNDONE,
        restored_leads=restored_leads(batches),
    )


def preview_undo(
    run_id: str, store: CrmStore, journal: Journal, settings: ApplySettings
) -> UndoResult:
    """What `undo_run` would do now, from the journal and the CRM as it is: nothing is
    written, to the CRM or to the journal (`odlm undo RUN_ID --dry-run`)."""
    record = journal.run(run_id)
    if record is None:
        raise UserInputError(f"no run {run_id} in the run journal {journal.where}")
    show = shown_by(journal.plan(run_id))
    writer = BatchWriter(store, journal, run_id, settings, None, show)
    if record.status in (UNDOING, UNDONE):
        batches = journal.batches(run_id, "undo")
    else:
        applied = journal.batches(run_id, "apply")
        _settle_interrupted(applied, writer)
        batches = undo_batches(applied, settings.batch_size)
    totals = Totals.of(batches)
    result = UndoResult(
        run_id=run_id,
        restored=totals.written,
        already=totals.already,
        left_alone=totals.skipped,
        failed=totals.failed,
        write_calls=0,
        earlier=record.status == UNDONE,
        restored_leads=restored_leads(batches),
        dry_run=True,
    )
    if result.earlier:
        return result
    would: dict[int, str] = {}
    restored, already, left_alone = result.restored, result.already, dict(result.left_alone)
    for batch in batches:
        pending = batch.open_ids()
        if not pending:
            continue
        current = writer.read_values(pending, fields_read(batch))
        sorting = sort_leads(batch, current, show)
        for lead_id in sorting.to_write:
            would[lead_id] = change(current[lead_id], batch.values, show)
        # Sent by an interrupted undo, and holding the values: given back already.
        restored += len(sorting.landed)
        already += len(sorting.already)
        left_alone.update(sorting.skipped)
    return dataclasses.replace(
        result,
        restored=restored + len(would),
        already=already,
        left_alone=left_alone,
        would_restore=would,
    )


def change(state: LeadState, values: Mapping[str, Any], show: Callable[[str, Any], str]) -> str:
    """What writing ``values`` over a lead read as ``state`` changes; fields that change
    alike (the owner fields, mostly) are said once."""
    alike: dict[str, list[str]] = {}
    for name, value in values.items():
        if state[name] != value:
            alike.setdefault(f"{show(name, state[name])} -> {show(name, value)}", []).append(name)
    return "; ".join(f"{', '.join(names)}: {move}" for move, names in alike.items())


def restored_leads(batches: Sequence[Batch]) -> frozenset[int]:
    """The leads an undo's batches gave back their previous values (not those found
    holding them already: someone else put them back)."""
    return frozenset(lead_id for batch in batches for lead_id in batch.written)


def _settle_interrupted(applied: Sequence[Batch], writer: BatchWriter) -> None:
    """Leads of a batch killed while writing count as written when they hold its values.

    Read through the writer, whose retries are the only ones (the store tries once).
    """
    for batch in applied:
        if batch.state != "writing" or not batch.sent:
            continue
        for lead_id, state in writer.read_values(batch.sent, batch.values).items():
            if holds(state, batch.values):
                batch.written[lead_id] = state["write_date"]


def undo_batches(applied: Sequence[Batch], batch_size: int) -> list[Batch]:
    """One batch per set of identical previous values (at most ``batch_size`` leads each)."""
    groups: dict[str, tuple[dict[str, Any], dict[int, Expectation]]] = {}
    for batch in applied:
        for lead_id, stamp in batch.written.items():
            previous = batch.previous[lead_id]
            key = json.dumps(previous, sort_keys=True)
            expect = groups.setdefault(key, (previous, {}))[1]
            expect[lead_id] = Expectation(stamp, dict(batch.values))
    result: list[Batch] = []
    for values, expect in groups.values():
        ids = sorted(expect)
        for start in range(0, len(ids), batch_size):
            chunk = tuple(ids[start : start + batch_size])
            result.append(Batch("undo", len(result), chunk, values, {i: expect[i] for i in chunk}))
    return result
