"""`odlm runs`: the run journal, newest first."""

from __future__ import annotations

import argparse

from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.session import EXIT_OK, load
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.reporting.console import print_kept, print_runs
from odoo_lead_manager.state.tracking import open_journal


def run(args: argparse.Namespace) -> int:
    """`odlm runs`: the run journal, newest first, for `odlm undo`."""
    journal, warning = open_journal(tracking_settings(load(args.config)))
    try:
        records = journal.recent(args.limit)
        kept = journal.recorded_runs()[-args.limit :][::-1]
    finally:
        journal.close()
    console = open_console()
    if warning:
        console.print(f"Note: {warning}")
    print_runs(console, journal.where, records)
    print_kept(console, kept)
    return EXIT_OK
