"""What a finished run leaves for people: recommendations, report files, the e-mail.

Called once per run with its plan and outcome; reads the ``reporting`` and
``security`` sections (the command line's --generate-report,
--report-format, --report-location and --email-notification have already
been merged into them).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from rich.console import Console

from odoo_lead_manager.applying import ApplyResult
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import ConfigError, UserInputError
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.reporting.email import send_report, smtp_settings
from odoo_lead_manager.reporting.files import write_reports
from odoo_lead_manager.reporting.report import Report, build_report

log = logging.getLogger(__name__)


def check_outputs(loaded: LoadedConfig) -> None:
    """Refuse, before anything runs, outputs that could not be produced (exit status 2)."""
    reporting = loaded.config.reporting
    if reporting.generate_report:
        directory = loaded.resolve_path(reporting.report_location)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"{loaded.path}: reporting.report_location: cannot create {directory}: "
                f"{exc.strerror or exc}"
            ) from None
        if not os.access(directory, os.W_OK):
            raise ConfigError(
                f"{loaded.path}: reporting.report_location: {directory} is not writable"
            )
    if reporting.email_notification:
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
        try:
            written = write_reports(report, reporting.formats, directory)
        except UserInputError as exc:  # the run is done: say so, do not pretend nothing changed
            _warn(console, exc.message)
        for path in written:
            console.print(f"  Report: {path}", soft_wrap=True, markup=False)
    if reporting.email_notification:
        settings = smtp_settings(loaded)
        try:
            send_report(report, settings)
        except UserInputError as exc:
            _warn(console, exc.message)
        else:
            console.print(f"  E-mail sent to {', '.join(settings.recipients)}", soft_wrap=True)
    return written


def _warn(console: Console, message: str) -> None:
    log.warning("%s", message)
    console.print(f"  WARNING: {message}", soft_wrap=True, markup=False)
