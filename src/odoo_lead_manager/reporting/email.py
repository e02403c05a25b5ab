"""Sending the distribution report by e-mail (``reporting.email_notification``).

The body is the summary in plain text; the HTML report is attached. The
settings are checked before a run starts, so a missing SMTP host or
recipient is exit status 2 with nothing changed; a server that refuses the
message once the run is done is a warning, and the password never appears
in it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.files import render_html, report_stem
from odoo_lead_manager.reporting.report import Report

IMPLICIT_TLS_PORT = 465


class EmailNotSent(UserInputError):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_tls: bool = True
    ssl_ca: str | None = None
    timeout: float = 30.0


def compose(report: Report, settings: SmtpSettings) -> EmailMessage:
    """The message: the summary as text, the HTML report attached."""
    kind = "DRY RUN" if report.dry_run else "distributed"
    message = EmailMessage()
    message["Subject"] = (
        f"odlm {report.campaign or '(any campaign)'} {report.day}: "
        f"{plural(report.distributed, 'lead')} {kind}"
    )
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="odlm")
    message.set_content(summary_text(report))
    message.add_attachment(
        render_html(report).encode("utf-8"),
        maintype="text",
        subtype="html",
        filename=f"{report_stem(report)}.html",
    )
    return message


def summary_text(report: Report) -> str:
    """The e-mail body: the figures a manager looks for first."""
    lines = [
        f"Lead distribution for {report.campaign or '(any campaign)'} on {report.day}"
        + (" (DRY RUN: nothing was changed in the CRM)" if report.dry_run else ""),
        f"Run {report.run_id}, strategy {report.strategy}",
        "",
        f"Leads examined:      {report.examined:,}",
        f"Leads distributable: {report.distributable:,}",
        f"Leads distributed:   {report.distributed:,} ({report.efficiency:.1f}%)",
    ]
    if report.applied is not None:
        lines.append(f"Written to the CRM:  {report.applied.written:,}")
        if report.applied.outcome_unknown:
            batches = ", ".join(str(n) for n in report.applied.unknown_batches)
            lines.append(
                f"Outcome unknown:     {report.applied.outcome_unknown:,} (sent in batch "
                f"{batches}, no answer came back; finishing the run reads them again)"
            )
        if report.applied.stopped:
            lines.append(f"STOPPED: {report.applied.stopped}")
    lines += ["", "Salesperson: current - taken + new = after (target)"]
    for p in report.people:
        target = f" ({p.target})" if p.target is not None else ""
        lines.append(f"  {p.name}: {p.current} - {p.taken} + {p.received} = {p.after}{target}")
    lines += ["", "Recommendations:", *(f"  - {advice}" for advice in report.recommendations)]
    lines += ["", "The full report is attached."]
    return "\n".join(lines) + "\n"


def send_report(report: Report, settings: SmtpSettings) -> None:
    """Send ``report``; any failure is an `EmailNotSent` naming the server, never the password."""
    send_message(compose(report, settings), settings)


def send_message(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send ``message`` through the configured server; a failure is an `EmailNotSent`."""
    context = ssl.create_default_context(cafile=settings.ssl_ca)
    try:
        if settings.port == IMPLICIT_TLS_PORT:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.use_tls and settings.port != IMPLICIT_TLS_PORT:
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc)
        if settings.password:
            reason = reason.replace(settings.password, "***")
        raise EmailNotSent(
            f"e-mail to {', '.join(settings.recipients)} not sent: SMTP server "
            f"{settings.host}:{settings.port}: {reason}"
        ) from None
