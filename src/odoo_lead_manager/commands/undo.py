"""`odlm undo RUN_ID`: a run's leads given back their previous values."""

from __future__ import annotations

import argparse
import logging
import sys

from rich.console import Console
from rich.prompt import Confirm

from odoo_lead_manager.apply.recording import record_undo
from odoo_lead_manager.apply.undo import preview_undo, undo_run
from odoo_lead_manager.commands.outputs import (
    send_corrections,
)
from odoo_lead_manager.commands.resolve import apply_settings, record_settings, tracking_settings
from odoo_lead_manager.commands.running import (
    in_campaign_context,
    lease_minutes,
    opened_crm,
    opened_tracking,
)
from odoo_lead_manager.commands.session import EXIT_FAILED, EXIT_OK, configure_logging, load
from odoo_lead_manager.commands.terminal import open_console, progress_bar
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.crm.opening import odoo_version
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.runs import RunRecord, UndoResult
from odoo_lead_manager.errors import (
    UserInputError,
)
from odoo_lead_manager.ops.pacing import bulk_objects
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.console import (
    print_notes,
    print_undo_result,
)
from odoo_lead_manager.state import audit
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.locks import run_lock

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """`odlm undo`: restore what a run replaced, where nobody changed it since.

    ``--dry-run`` only shows what would go back. On a terminal, a real undo shows
    that first and asks before writing, unless ``--yes``; elsewhere (cron, a
    script) nobody is there to answer, and it goes ahead.
    """
    loaded = load(args.config)
    level = args.log_level or loaded.config.execution.log_level
    configure_logging(level, loaded, asked=args.log_level is not None)
    console = open_console()
    if args.dry_run or (not args.yes and answering()):
        shown = preview(loaded, args.run_id, console=console)
        if args.dry_run or shown.earlier:
            return EXIT_OK
        # Nothing left to write: the undo only records its end, nothing to ask about.
        if shown.would_restore and not Confirm.ask(
            f"Give {plural(len(shown.would_restore), 'lead')} back their previous values?",
            console=console,
            default=False,
        ):
            console.print("Nothing was changed.")
            return EXIT_FAILED
    result = undo(loaded, args.run_id, console=console)
    return EXIT_FAILED if result.stopped else EXIT_OK


def named_run(journal: Journal, run_id: str, loaded: LoadedConfig) -> RunRecord:
    """The run ``run_id`` (or an unambiguous start of it) names in ``journal``, a run of
    ``loaded``'s campaign: another campaign's run is undone with its own configuration,
    whose settings (batches, retries, the corrections' e-mail) are meant for it."""
    record = journal.find_run(run_id) if run_id else None
    if record is None:
        raise UserInputError(f"no run {run_id} in the run journal {journal.where}")
    campaign = loaded.config.target_campaign or ""
    if record.campaign != campaign:
        raise UserInputError(
            f"run {record.run_id} distributed campaign {record.campaign or '(none)'}, but "
            f"{loaded.path} is the configuration of {campaign or '(no campaign)'}: undo it "
            "with that campaign's configuration; nothing was changed"
        )
    return record


def answering() -> bool:
    """Whether somebody at a terminal can answer a question."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@bulk_objects()
@in_campaign_context
def preview(
    loaded: LoadedConfig,
    run_id: str,
    console: Console | None = None,
    store: CrmStore | None = None,
) -> UndoResult:
    """`odlm undo --dry-run`: what an undo would give back now; nothing is written."""
    console = console or Console(quiet=True)
    with opened_crm(loaded, store) as crm, opened_tracking(loaded) as tracking:
        journal = tracking.journal
        record = named_run(journal, run_id, loaded)
        result = preview_undo(record.run_id, crm, journal, apply_settings(loaded))
    print_notes(console, tracking.notes)
    print_undo_result(console, result)
    return result


@bulk_objects()
@in_campaign_context
def undo(
    loaded: LoadedConfig,
    run_id: str,
    console: Console | None = None,
    store: CrmStore | None = None,
) -> UndoResult:
    """`odlm undo`: give a run's leads their previous values where nobody changed them since.

    Once every lead is decided, each salesperson it touched gets a correction
    (``reporting.digests``): what they had received and lost again, what is
    theirs again.
    """
    console = console or Console(quiet=True)
    with opened_crm(loaded, store) as crm, opened_tracking(loaded) as tracking:
        journal = tracking.journal
        record = named_run(journal, run_id, loaded)
        run_id = record.run_id
        with run_lock(journal, record.campaign, crm, lease_minutes(loaded)):
            settings = apply_settings(loaded)
            with progress_bar(console, record.written, "Undoing") as advance:
                result = undo_run(run_id, crm, journal, settings, advance)
            plan = journal.plan(run_id)
            recording = record_settings(loaded)
            recorded = () if result.earlier else record_undo(recording, tracking, plan, crm)
        version = odoo_version(crm)
    print_notes(console, (*tracking.notes, *recorded))
    print_undo_result(console, result)
    if not result.earlier and result.stopped is None:
        send_corrections(loaded, console, plan, result.restored_leads, version)
    audit.record(
        tracking_settings(loaded),
        "undo",
        {
            "run_id": run_id,
            "campaign": record.campaign,
            "outcome": "stopped" if result.stopped else "completed",
            "restored": result.restored,
            "already": result.already,
            "left_alone": len(result.left_alone),
            "failed": len(result.failed),
        },
    )
    return result
