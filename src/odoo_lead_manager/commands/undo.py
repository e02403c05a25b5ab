"""`odlm undo RUN_ID`: a run's leads given back their previous values."""

from __future__ import annotations

import argparse
import logging

from rich.console import Console

from odoo_lead_manager.apply.recording import record_undo
from odoo_lead_manager.apply.undo import undo_run
from odoo_lead_manager.commands.outputs import (
    send_corrections,
)
from odoo_lead_manager.commands.resolve import apply_settings, record_settings, tracking_settings
from odoo_lead_manager.commands.running import (
    in_campaign_context,
    lease_minutes,
    opened_crm,
    opened_tracking,
    progress_bar,
)
from odoo_lead_manager.commands.session import EXIT_FAILED, EXIT_OK, configure_logging, load
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.crm.opening import odoo_version
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.runs import UndoResult
from odoo_lead_manager.errors import (
    UserInputError,
)
from odoo_lead_manager.ops.pacing import bulk_objects
from odoo_lead_manager.reporting.console import (
    print_notes,
    print_undo_result,
)
from odoo_lead_manager.state import audit
from odoo_lead_manager.state.locks import run_lock

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """`odlm undo`: restore what a run replaced, where nobody changed it since."""
    loaded = load(args.config)
    configure_logging(loaded.config.execution.log_level, loaded)
    result = undo(loaded, args.run_id, console=open_console())
    return EXIT_FAILED if result.stopped else EXIT_OK


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
        record = journal.find_run(run_id) if run_id else None
        if record is None:
            raise UserInputError(f"no run {run_id} in the run journal {journal.where}")
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
