"""The fetch step: the one place planning reads the CRM and the files (DESIGN.md).

`take_snapshot` reads the configured salesperson source and web-source list,
runs `pipeline.preparing.prepare` against the CRM with every answer kept (`Recorder`)
to learn who is selected and which rules apply, pages the leads those rules
fetch, and asks the names of the users holding them. What it returns, a
`Snapshot`, is all `planning.plan_snapshot` needs. The calls are those a
run always made: fixed lookups and grouped counts, one per page of leads.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime

from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.fetched import Fetched
from odoo_lead_manager.domain.ledger import Standing
from odoo_lead_manager.domain.lookups import Recorder
from odoo_lead_manager.domain.model import Absence
from odoo_lead_manager.domain.received import Received
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.ops.logs import stage_line
from odoo_lead_manager.pipeline.finding import base_domain
from odoo_lead_manager.pipeline.preparing import (
    Prepared,
    keeps_rejected,
    member_leads,
    owner_ids,
    prepare,
    unread_fields,
)
from odoo_lead_manager.pipeline.selection.absences import strangers, unknown_absentees
from odoo_lead_manager.pipeline.settings import PlanSettings
from odoo_lead_manager.snapshot.absences_file import read_absences_csv
from odoo_lead_manager.snapshot.leads import fetch_leads
from odoo_lead_manager.snapshot.masking import masked
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.snapshot.outside import outside_receipts
from odoo_lead_manager.snapshot.selection import read_candidates
from odoo_lead_manager.snapshot.settings import ReadSettings
from odoo_lead_manager.snapshot.web_sources import read_source_names

log = logging.getLogger(__name__)


def take_snapshot(
    settings: PlanSettings,
    reads: ReadSettings,
    store: CrmStore,
    options: RunOptions | None = None,
    rotation: Rotation | None = None,
    received: Received | None = None,
    moved_elsewhere: Collection[int] = (),
    standing: Standing | None = None,
) -> Snapshot:
    """Everything planning needs from the CRM and the files, read once.

    ``rotation``, ``received`` and ``standing`` (the fairness ledger) come from the
    tracking database (the caller reads them: `state.rotation.current_rotation`,
    `state.received.received_history`, `state.received.ledger_standing`); with the
    ledger, the leads the salespeople received outside odlm since are counted here.
    ``settings`` are the planner's and ``reads`` what is read besides the CRM, both resolved
    by the command: the fetch
    runs `prepare` as the planner will. The day is ``options.today`` or the clock's; with
    ``security.mask_personal_data`` the snapshot comes back masked (`masked`).
    """
    options = options or RunOptions()
    taken_at = datetime.now(UTC).replace(microsecond=0)
    today = options.today or date.today()
    campaign = settings.campaign
    recorder = Recorder(store)
    candidates = read_candidates(settings.selection, reads, recorder, campaign)
    sources = settings.finding.web_sources
    web_sources = tuple(read_source_names(reads, sources)) if sources is not None else ()
    absences_file = reads.absences_file
    absences = read_absences_csv(reads.source.resolve_path(absences_file)) if absences_file else ()
    _check_absentees(settings, recorder, candidates, absences)
    moved = tuple(sorted({*moved_elsewhere, *options.moved_elsewhere}))
    prepared = prepare(
        settings, recorder, candidates, today, web_sources, options.date_range, moved, taken_at
    )
    fetched = fetch_leads(
        store,
        base_domain(list(settings.lead_types)),
        prepared.setup.pipeline,
        reads.page_size,
        options.on_fetched,
        push=keeps_rejected(settings.finding, options.ledger) is not True,
        unread=unread_fields(prepared.setup, prepared),
    )
    filtered = sum(removed for _, removed in fetched.removed)
    stage_line(
        log,
        "fetching",
        "leads fetched: %d (%d more filtered out by the server)",
        len(fetched.leads),
        filtered,
        fetched=len(fetched.leads),
        filtered_on_server=filtered,
    )
    _ask_holders(recorder, fetched, settings, prepared)
    selection = prepared.selection
    outside = outside_receipts(
        store, {p.user_id for p in selection.eligible}, settings.owners.counting, standing, taken_at
    )
    member_leads(
        settings.selection,
        recorder,
        candidates,
        (*selection.eligible, *selection.inactive),
        fetched,
    )
    snapshot = Snapshot(
        snapshot_id=options.run_id or uuid.uuid4().hex,
        today=today,
        taken_at=taken_at,
        campaign=campaign,
        candidates=candidates,
        answers=recorder.answers(),
        fetched=fetched,
        rotation=rotation,
        received=received,
        absences=absences,
        moved_elsewhere=moved,
        web_sources=web_sources,
        date_range=options.date_range,
        max_leads=options.max_leads,
        force_round_robin=options.force_round_robin,
        standing=standing,
        outside=outside,
    )
    return masked(snapshot) if reads.mask_personal_data else snapshot


def _check_absentees(
    settings: PlanSettings,
    recorder: Recorder,
    candidates: Candidates,
    absences: Sequence[Absence],
) -> None:
    """Absences naming someone the salesperson source does not: the CRM is asked about them
    (recorded). One that names nobody known either stops the run before anything is written
    (``availability.unknown_absentees: error``), with the nearest name; planning warns."""
    table = [row.salesperson_name for row in candidates.rows]
    names = strangers(absences, table)
    if not names:
        return
    problems = unknown_absentees(absences, table, recorder.find_users(names))
    if problems and settings.selection.availability.unknown_absentees == "error":
        raise UserInputError(
            "; ".join(problems) + "; a typo leaves the salesperson receiving leads while away "
            "(salesperson_selection.availability.unknown_absentees: warn goes on regardless); "
            "nothing was changed"
        )


def _ask_holders(
    recorder: Recorder, fetched: Fetched, settings: PlanSettings, prepared: Prepared
) -> None:
    """The names of the users holding the fetched leads that planning does not know by name
    yet (its members, the dropback users), in one call, for the reports."""
    selection, dropback = prepared.selection, prepared.setup.dropback
    known = {p.user_id for p in (*selection.eligible, *selection.inactive)}
    if dropback is not None:
        known.update(t.user_id for t in dropback.targets.values())
    fields = (settings.owners.holder, settings.owners.counting)
    missing = owner_ids(fetched.leads, fields) - known
    if missing:
        recorder.users_by_id(missing)
