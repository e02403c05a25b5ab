"""`odlm fairness`: what each salesperson was entitled to and received over the last run
days of the campaign (the fairness ledger)."""

from __future__ import annotations

import argparse
from datetime import date

from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.session import EXIT_OK, load
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.reporting.fairness import ledger_json, print_ledger
from odoo_lead_manager.state.tracking import open_tracking


def run(args: argparse.Namespace) -> int:
    """`odlm fairness`: the ledger over ``--days`` run days (default: the configured window)."""
    loaded = load(args.config)
    settings = tracking_settings(loaded)
    configured = loaded.config.distribution.fairness_window_days
    days = args.days or configured or 20
    tracking = open_tracking(settings)
    try:
        if tracking.history is None:
            why = tracking.warning or "tracking.enabled is false"
            raise UserInputError(
                f"the fairness ledger is kept in the tracking history, and there is none: {why}"
            )
        campaign = settings.campaign or ""
        standing = tracking.history.standing(campaign, args.today or date.today(), days)
    finally:
        tracking.close()
    if args.format == "json":
        print(ledger_json(campaign, standing))
        return EXIT_OK
    console = open_console()
    if not configured:
        console.print(
            "Note: distribution.fairness_window_days is 0: runs do not use the ledger.",
            soft_wrap=True,
        )
    print_ledger(console, campaign, standing)
    return EXIT_OK
