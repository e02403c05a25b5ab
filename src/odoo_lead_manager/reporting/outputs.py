"""What a finished run leaves for people: recommendations, report files, the e-mail.

Called once per run with its plan and outcome; reads the ``reporting`` and
``security`` sections (the command line's --generate-report,
--report-format, --report-location and --email-notification have already
been merged into them).
"""

from __future__ import annotations

import logging
from pathlib import Path

from rich.console import Console

from odoo_lead_manager.applying import ApplyResult
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.reporting.email import send_report, smtp_settings
from odoo_lead_manager.reporting.files import write_reports
from odoo_lead_manager.reporting.report import Report, build_report

log = logging.getLogger(__name__)


def check_outputs(loaded: LoadedConfig) -> None:
    """Refuse, before anything runs, outputs that could not be produced (exit status 2)."""
    if loaded.config.reporting.email_notification:
        smtp_settings(loaded)


def wants_files(loaded: LoadedConfig) -> bool:
    """Whether this run writes report files or sends the e-mail (which list every lead)."""
    reporting = loaded.config.reporting
    return reporting.generate_report or reporting.email_notification


def report_of(
    loaded: LoadedConfig, plan: Plan, applied: ApplyResult | None, seconds: float
) -> Report:
    cfg = loaded.config
    return build_report(
        plan,
        applied,
        seconds,
        mask=cfg.security.mask_personal_data,
        analytics=cfg.reporting.include_analytics,
        assignments=wants_files(loaded),
    )


def produce_outputs(loaded: LoadedConfig, console: Console, report: Report) -> list[Path]:
    """Write the configured report files and send the e-mail; the files written."""
    reporting = loaded.config.reporting
    if not wants_files(loaded):
        return []
    written: list[Path] = []
    if reporting.generate_report:
        directory = loaded.resolve_path(reporting.report_location)
        written = write_reports(report, reporting.formats, directory)
        for path in written:
            console.print(f"  Report: {path}", soft_wrap=True, markup=False)
    if reporting.email_notification:
        settings = smtp_settings(loaded)
        try:
            send_report(report, settings)
        except UserInputError as exc:
            log.warning("%s", exc.message)
            console.print(f"  WARNING: {exc.message}", soft_wrap=True, markup=False)
        else:
            console.print(f"  E-mail sent to {', '.join(settings.recipients)}", soft_wrap=True)
    return written
