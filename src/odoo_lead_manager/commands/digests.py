"""`odlm digests resend RUN_ID`: a run's undelivered digests sent again."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass

from rich.console import Console

from odoo_lead_manager.apply.undo import restored_leads
from odoo_lead_manager.commands.outputs import (
    check_outputs,
    deliver_digests,
    odoo_links,
    sends_digests,
)
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.running import opened_tracking
from odoo_lead_manager.commands.session import EXIT_FAILED, EXIT_OK, configure_logging, load
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.domain.runs import COMPLETED, RUN_DIGEST, UNDO_DIGEST, UNDONE
from odoo_lead_manager.errors import (
    UserInputError,
)
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.console import (
    print_notes,
)
from odoo_lead_manager.reporting.digests import Sent, build_corrections, build_digests
from odoo_lead_manager.state import audit

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """`odlm digests resend RUN_ID`: the run's messages not delivered yet, sent again; exit
    1 when some still do not reach their salespeople."""
    loaded = load(args.config)
    level = args.log_level or loaded.config.execution.log_level
    configure_logging(level, loaded, asked=args.log_level is not None)
    result = resend_digests(loaded, args.run_id, console=open_console())
    return EXIT_FAILED if result.failed else EXIT_OK


@dataclass(frozen=True)
class Resent:
    """What `odlm digests resend` did for one run: whose messages it sent and how that went."""

    run_id: str
    kind: str
    salespeople: int
    sent: tuple[Sent, ...]
    # Salespeople every one of whose messages had been delivered: not sent again.
    delivered_before: int

    @property
    def failed(self) -> int:
        return len({s.digest.user_id for s in self.sent if s.problem is not None})


def resend_digests(loaded: LoadedConfig, run_id: str, console: Console | None = None) -> Resent:
    """`odlm digests resend`: send again the messages about run ``run_id`` (its id, or an
    unambiguous start of it) that did not reach their salespeople, through the configured
    channels; those delivered before are not sent again.

    The messages are built as the run built them, from its kept plan and what its
    journal says it wrote (and, for an undone run, what the undo restored: the
    corrections), never from the CRM as it is now.
    """

    console = console or Console(quiet=True)
    settings = loaded.config.reporting.digests
    if settings is None or not sends_digests(settings):
        raise UserInputError(
            f"{loaded.path}: reporting.digests sends nothing (set its email, webhook_url or "
            "directory); nothing was sent"
        )
    check_outputs(loaded)
    with opened_tracking(loaded) as tracking:
        journal = tracking.journal
        record = journal.find_run(run_id) if run_id else None
        if record is None:
            raise UserInputError(f"no run {run_id!r} in the run journal {journal.where}")
        if record.status not in (COMPLETED, UNDONE):
            raise UserInputError(
                f"run {record.run_id} of {record.run_date} did not finish ({record.status}): "
                "its digests are sent once it is finished (odlm dailydist) or undone (odlm "
                "undo); nothing was sent"
            )
        plan = journal.plan(record.run_id)
        undone = record.status == UNDONE
        kind = UNDO_DIGEST if undone else RUN_DIGEST
        leads = (
            restored_leads(journal.batches(record.run_id, "undo"))
            if undone
            else journal.placed(record.run_id)
        )
        past = [d for d in journal.digest_deliveries(record.run_id) if d.kind == kind]
    print_notes(console, tracking.notes)
    version = next((d.odoo_version for d in past if d.odoo_version is not None), None)
    links = odoo_links(loaded, settings, version)
    build = build_corrections if undone else build_digests
    digests = build(plan, leads, settings, links)
    done = {(d.kind, d.user_id, d.channel) for d in past if d.delivered}
    what = "corrections of the undo of run" if undone else "digests of run"
    console.print(
        f"The {what} {record.run_id} ({record.campaign or 'any campaign'}, "
        f"{record.run_date}), built from its kept plan and journal:",
        soft_wrap=True,
        markup=False,
    )
    sent = deliver_digests(loaded, console, record.run_id, digests, version, done)
    attempted = {s.digest.user_id for s in sent}
    before = len({d.user_id for d in digests} - attempted)
    if before:
        console.print(
            f"  Messages to {plural(before, 'salesperson', 'salespeople')} were delivered "
            "before: not sent again",
            soft_wrap=True,
            markup=False,
        )
    if not digests:
        console.print("  nobody to tell: nothing was sent", soft_wrap=True, markup=False)
    result = Resent(record.run_id, kind, len(digests), tuple(sent), before)
    audit.record(
        tracking_settings(loaded),
        "digests resend",
        {
            "run_id": record.run_id,
            "campaign": record.campaign,
            "kind": kind,
            "outcome": "undelivered" if result.failed else "delivered",
            "sent": len(attempted),
            "not_reached": result.failed,
            "delivered_before": before,
        },
    )
    return result
