"""What a finished run leaves for people: recommendations, report files, the e-mail.

Called once per run with its plan and outcome; reads the ``reporting`` and
``security`` sections (the command line's --generate-report,
--report-format, --report-location and --email-notification have already
been merged into them).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from odoo_lead_manager.applying import ApplyResult
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.config.defaults import holder_field
from odoo_lead_manager.config.schema.operations import Digests
from odoo_lead_manager.errors import ConfigError, UserInputError
from odoo_lead_manager.finding.finder import Rejection
from odoo_lead_manager.finding.sales import sales_reporting
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.reporting.email import send_report, smtp_settings
from odoo_lead_manager.reporting.exports import write_dropback_report, write_ledger
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
    if reporting.digests is not None and reporting.digests.email:
        smtp_settings(loaded, "reporting.digests.email")


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
        dropback=counts_dropback(loaded),
    )


def counts_dropback(loaded: LoadedConfig) -> bool:
    """Whether reports show the dropback (``dropback_filter.reporting.count_dropback_leads``)."""
    dropback = loaded.config.lead_finding.dropback_filter
    return dropback is None or dropback.reporting.count_dropback_leads


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


def produce_exports(
    loaded: LoadedConfig,
    console: Console,
    plan: Plan,
    rejected: Sequence[Rejection],
    dry_run: bool,
    export_excluded: Path | None = None,
) -> list[Path]:
    """The excluded-leads ledger (configured, and ``--export-excluded FILE``) and the
    dropback report, where configured (paths from the configuration's folder); a file
    that cannot be written is a WARNING line."""
    finding = loaded.config.lead_finding
    mask = loaded.config.security.mask_personal_data
    written = []
    sales = finding.sales_filter
    ledger = sales_reporting(sales) if sales is not None and sales.enabled else None
    paths = (
        [loaded.resolve_path(ledger.export_path)] if ledger and ledger.export_excluded_leads else []
    )
    if export_excluded is not None and export_excluded.resolve() not in [
        p.resolve() for p in paths
    ]:
        paths.append(export_excluded)
    for path in paths:
        try:
            count = write_ledger(
                path,
                plan,
                rejected,
                dry_run,
                mask,
                holder_field(loaded.config),
                finding.date_range.date_field,
            )
        except OSError as exc:
            _warn(console, f"the excluded-leads ledger {path} could not be written: {exc}")
        else:
            written.append(path)
            console.print(f"  Excluded leads ({count:,}): {path}", soft_wrap=True, markup=False)
    dropback = finding.dropback_filter
    if dropback is not None and dropback.enabled and dropback.reporting.export_dropback_report:
        path = loaded.resolve_path(dropback.reporting.report_path)
        try:
            count = write_dropback_report(path, plan, dry_run, mask)
        except OSError as exc:
            _warn(console, f"the dropback report {path} could not be written: {exc}")
        else:
            written.append(path)
            console.print(f"  Dropback report ({count:,}): {path}", soft_wrap=True, markup=False)
    return written


def _warn(console: Console, message: str) -> None:
    log.warning("%s", message)
    console.print(f"  WARNING: {message}", soft_wrap=True, markup=False)


def send_digests(loaded: LoadedConfig, console: Console, plan: Plan, applied: ApplyResult) -> None:
    """Each salesperson's digest of the leads this real run wrote to them
    (``reporting.digests``); what could not be delivered is a WARNING line."""
    settings = loaded.config.reporting.digests
    if settings is None or not (settings.email or settings.webhook_url or settings.directory):
        return
    # Imported here: only runs that send digests need the HTTP client.
    from odoo_lead_manager.reporting.digests import (
        build_digests,
        email_digests,
        post_digests,
        write_digests,
    )

    digests = build_digests(plan, applied.placed, settings, _odoo_url(loaded, settings))
    notes = (
        email_digests(digests, smtp_settings(loaded, "reporting.digests.email"))
        if settings.email
        else []
    )
    if settings.webhook_url:
        notes += post_digests(
            digests,
            settings.webhook_url.get_secret_value(),
            settings.webhook_attempts,
            settings.webhook_timeout_seconds,
        )
    if settings.directory:
        folder = loaded.resolve_path(settings.directory)
        sender = (
            smtp_settings(loaded, "reporting.digests.email").sender
            if settings.email
            else "odlm@localhost"
        )
        try:
            written = write_digests(digests, folder, sender)
        except OSError as exc:
            notes.append(f"reporting.digests.directory: cannot write {folder}: {exc.strerror}")
        else:
            if written:
                console.print(f"  Digests written to {folder}", soft_wrap=True, markup=False)
    for note in notes:
        _warn(console, note)
    if digests:
        console.print(
            f"  Digests: {len(digests)} salespeople told what they received", soft_wrap=True
        )


def _odoo_url(loaded: LoadedConfig, settings: Digests) -> str | None:
    """Where lead links start: ``odoo_url``, else the Odoo server the run used."""
    if settings.odoo_url:
        return settings.odoo_url
    if loaded.config.crm.backend != "odoo":
        return None
    from odoo_lead_manager.crm.odoo.connect import settings_from_config

    try:
        return settings_from_config(loaded).url
    except UserInputError:
        return None
