"""What a finished run leaves for people: recommendations, report files, the e-mail.

Called once per run with its plan and outcome; reads the ``reporting`` and
``security`` sections (the command line's --generate-report,
--report-format, --report-location and --email-notification have already
been merged into them).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from odoo_lead_manager.commands.resolve import crm_settings, smtp_settings, tracking_settings
from odoo_lead_manager.config.defaults import holder_field, sales_reporting
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.config.schema.operations import Digests
from odoo_lead_manager.crm.odoo.connect import settings_from_config
from odoo_lead_manager.domain.fetched import Rejection
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import UNDO_DIGEST, ApplyResult, DigestDelivery
from odoo_lead_manager.errors import ConfigError, UserInputError
from odoo_lead_manager.ops.redaction import redact
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.digests import (
    FILE,
    Channels,
    OdooLinks,
    build_corrections,
    build_digests,
    deliver,
)
from odoo_lead_manager.reporting.email import send_report
from odoo_lead_manager.reporting.exports import write_dropback_report, write_ledger
from odoo_lead_manager.reporting.files import write_reports
from odoo_lead_manager.reporting.report import Report, build_report
from odoo_lead_manager.state.tracking import open_journal

if TYPE_CHECKING:
    from odoo_lead_manager.reporting.digests import Channels, Digest, OdooLinks, Sent

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


def sends_digests(settings: Digests | None) -> bool:
    """Whether ``reporting.digests`` sends anything (e-mail, webhook or files)."""
    return settings is not None and bool(
        settings.email or settings.webhook_url or settings.directory
    )


def send_digests(
    loaded: LoadedConfig,
    console: Console,
    plan: Plan,
    applied: ApplyResult,
    odoo_version: int | None = None,
) -> list[Sent]:
    """Each salesperson's digest of what this real run wrote to them and moved from them
    (``reporting.digests``), once the run is finished; what could not be delivered is a
    WARNING line, and every outcome is kept in the run journal."""
    settings = loaded.config.reporting.digests
    if settings is None or not sends_digests(settings):
        return []
    if not applied.complete:
        console.print(
            "  Digests: not sent while the run is unfinished; finishing it sends them "
            f"(or: odlm digests resend {plan.run_id} --config {loaded.path})",
            soft_wrap=True,
            markup=False,
        )
        return []

    links = odoo_links(loaded, settings, odoo_version)
    digests = build_digests(plan, applied.placed, settings, links)
    return deliver_digests(loaded, console, plan.run_id, digests, odoo_version)


def send_corrections(
    loaded: LoadedConfig,
    console: Console,
    plan: Plan,
    restored: Collection[int],
    odoo_version: int | None = None,
) -> list[Sent]:
    """`odlm undo`'s correction to each salesperson it touched: the leads they had received
    and that went back, and their own leads that are theirs again (``restored`` only)."""
    settings = loaded.config.reporting.digests
    if settings is None or not sends_digests(settings):
        return []

    links = odoo_links(loaded, settings, odoo_version)
    digests = build_corrections(plan, restored, settings, links)
    return deliver_digests(loaded, console, plan.run_id, digests, odoo_version)


def deliver_digests(
    loaded: LoadedConfig,
    console: Console,
    run_id: str,
    digests: Sequence[Digest],
    odoo_version: int | None,
    done: Collection[tuple[str, int, str]] = (),
) -> list[Sent]:
    """Send ``digests`` through the configured channels (but the (kind, user id, channel)
    in ``done``), keep each outcome in the run journal and say what happened."""
    settings = loaded.config.reporting.digests
    assert settings is not None
    sent = deliver(digests, digest_channels(loaded, settings), done)
    secrets = loaded.secrets()
    _record_deliveries(loaded, console, sent, odoo_version, secrets)
    if any(s.channel == FILE and s.problem is None for s in sent):
        folder = loaded.resolve_path(settings.directory or ".")
        console.print(f"  Digests written to {folder}", soft_wrap=True, markup=False)
    for item in sent:
        if item.problem is not None:
            _warn(console, redact(item.note, secrets))
    if sent:
        failed = {s.digest.user_id for s in sent if s.problem is not None}
        reached = {s.digest.user_id for s in sent} - failed
        undo = any(s.digest.kind == UNDO_DIGEST for s in sent)
        told = "what undo gave back" if undo else "what the run gave and took"
        people = plural(len(reached), "salesperson", "salespeople")
        line = f"  {'Corrections' if undo else 'Digests'}: {people} told {told}"
        if failed:
            line += (
                f"; {len(failed)} not reached (odlm status lists them; send again with: odlm "
                f"digests resend {run_id} --config {loaded.path})"
            )
        console.print(line, soft_wrap=True, markup=False)
    return sent


def digest_channels(loaded: LoadedConfig, settings: Digests) -> Channels:
    """The configured channels of ``reporting.digests``."""
    smtp = smtp_settings(loaded, "reporting.digests.email") if settings.email else None
    return Channels(
        smtp=smtp,
        webhook_url=settings.webhook_url.get_secret_value() if settings.webhook_url else None,
        webhook_attempts=settings.webhook_attempts,
        webhook_timeout=settings.webhook_timeout_seconds,
        directory=loaded.resolve_path(settings.directory) if settings.directory else None,
        sender=smtp.sender if smtp is not None else "odlm@localhost",
    )


def _record_deliveries(
    loaded: LoadedConfig,
    console: Console,
    sent: Sequence[Sent],
    odoo_version: int | None,
    secrets: tuple[str, ...],
) -> None:
    """Keep whether each digest was delivered in the run journal (`odlm status` reads it);
    a journal that cannot take it is a WARNING line."""
    if not sent:
        return
    rows = [
        DigestDelivery(
            run_id=s.digest.run_id,
            kind=s.digest.kind,
            user_id=s.digest.user_id,
            channel=s.channel,
            salesperson=s.digest.name,
            delivered=s.problem is None,
            error=redact(s.problem, secrets) if s.problem is not None else None,
            odoo_version=odoo_version,
        )
        for s in sent
    ]
    try:
        journal, _ = open_journal(tracking_settings(loaded))
        try:
            journal.record_digests(rows)
        finally:
            journal.close()
    except UserInputError as exc:
        _warn(console, f"whether the digests were delivered is not recorded: {exc.message}")


def odoo_links(
    loaded: LoadedConfig, settings: Digests, odoo_version: int | None
) -> OdooLinks | None:
    """Where lead links start (``odoo_url``, else the Odoo server the run used), in the
    configured database (``odoo_connection.database`` or ODOO_DB); None without an address."""
    base = settings.odoo_url
    if not base and loaded.config.crm.backend == "odoo":
        try:
            base = settings_from_config(crm_settings(loaded)).url
        except UserInputError:
            base = None
    if not base:
        return None
    return OdooLinks(base, _odoo_database(loaded), odoo_version)


def _odoo_database(loaded: LoadedConfig) -> str | None:
    section = loaded.config.odoo_connection
    try:
        value = section.resolved("database") if section is not None else None
    except UserInputError:
        value = None
    return str(value) if value else (loaded.environ.get("ODOO_DB") or None)
