"""`odlm retention`: tracking history past its retention archived or deleted."""

from __future__ import annotations

import argparse
from datetime import date

from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.session import EXIT_OK, load
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.console import print_retention
from odoo_lead_manager.state.audit import audit_path, prune
from odoo_lead_manager.state.retention import apply_retention
from odoo_lead_manager.state.tracking import history_engine


def run(args: argparse.Namespace) -> int:
    """`odlm retention`: apply tracking.retention_days and archive_old_data."""
    loaded = load(args.config)
    kept = tracking_settings(loaded)
    settings = kept.tracking
    engine = history_engine(kept)
    try:
        result = apply_retention(
            engine,
            args.days or settings.retention_days,
            settings.archive_old_data,
            args.today or date.today(),
            args.dry_run,
        )
    finally:
        engine.dispose()
    console = open_console()
    print_retention(console, engine.url.render_as_string(hide_password=True), result)
    trail = audit_path(kept)
    keep = loaded.config.security.retention_policy_days
    dropped = prune(trail, keep, args.today or date.today(), args.dry_run)
    verb = "would be dropped" if args.dry_run else "dropped"
    console.print(
        f"Audit trail {trail}: {plural(dropped, 'entry', 'entries')} older than "
        f"{plural(keep, 'day')} "
        f"(security.retention_policy_days) {verb}",
        soft_wrap=True,
        markup=False,
    )
    return EXIT_OK
