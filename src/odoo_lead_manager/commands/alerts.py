"""Alerts about a run that was slow or failed (``monitoring``, spec §12.2).

An alert is always an error or warning in the log; when ``reporting.email``
is configured it is also an e-mail to its recipients, since nobody reads
the log of a morning's unattended run until something is missed. A mail
server that refuses the alert is one more warning: the run's outcome
stands and its exit status says what happened.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from odoo_lead_manager.commands.resolve import smtp_settings
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.errors import OdlmError
from odoo_lead_manager.ops.redaction import redact
from odoo_lead_manager.reporting.email import send_message

log = logging.getLogger(__name__)


def failure_alert(loaded: LoadedConfig, subject: str, lines: list[str]) -> str | None:
    """A failed run, when ``monitoring.alert_on_failure``: an error in the log, and the
    e-mail; returns the note to show when the e-mail could not be sent."""
    if not loaded.config.monitoring.alert_on_failure:
        return None
    secrets = loaded.secrets()
    log.error("ALERT: %s: %s", redact(subject, secrets), redact(" ".join(lines), secrets))
    return send_alert(loaded, subject, lines)


def send_alert(loaded: LoadedConfig, subject: str, lines: list[str]) -> str | None:
    """E-mail the alert when ``reporting.email`` is configured (the caller logs it).

    Returns a note when the e-mail could not be sent; secrets never appear.
    """
    secrets = loaded.secrets()
    subject = redact(subject, secrets)
    body = redact("\n".join(lines), secrets)
    if loaded.config.reporting.email is None:
        return None
    try:
        settings = smtp_settings(loaded)
        message = EmailMessage()
        message["Subject"] = f"odlm ALERT: {subject}"
        message["From"] = settings.sender
        message["To"] = ", ".join(settings.recipients)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="odlm")
        message.set_content(f"{body}\n\nConfiguration: {loaded.path}\n")
        send_message(message, settings)
    except OdlmError as exc:
        note = f"the alert e-mail was not sent: {redact(exc.message, secrets)}"
        log.warning("%s", note)
        return note
    return None


def slow_alert(loaded: LoadedConfig, seconds: float) -> bool:
    """Whether a run of ``seconds`` is to be alerted on as slow."""
    monitoring = loaded.config.monitoring
    return (
        monitoring.alert_on_slow_execution and seconds > monitoring.slow_execution_threshold_seconds
    )
