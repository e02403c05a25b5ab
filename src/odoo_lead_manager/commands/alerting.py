"""A command that ends in an error leaves it in the audit trail and alerts on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from odoo_lead_manager.commands.alerts import failure_alert
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.session import known_secrets
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.errors import OdlmError, RunSkipped
from odoo_lead_manager.ops.privacy import mask_text
from odoo_lead_manager.ops.redaction import redact
from odoo_lead_manager.state import audit


@contextmanager
def alerting(loaded: LoadedConfig, command: str, day: date) -> Iterator[None]:
    """An error that ends a run goes into the audit trail (`odlm status` reports it) and is
    alerted on (``monitoring.alert_on_failure``); then it is shown as usual."""
    try:
        yield
    except RunSkipped:
        raise
    except Exception as exc:
        message = exc.message if isinstance(exc, OdlmError) else f"{type(exc).__name__}: {exc}"
        message = redact(message, known_secrets())
        if loaded.config.security.mask_personal_data:
            message = mask_text(message)
        campaign = loaded.config.target_campaign or ""
        audit.record(
            tracking_settings(loaded),
            command,
            {"campaign": campaign, "day": day.isoformat(), "outcome": "failed", "error": message},
        )
        note = failure_alert(
            loaded,
            f"odlm {command} failed: campaign {campaign or '(any)'} on {day}",
            [f"odlm {command} --config {loaded.path} ended with an error: {message}"],
        )
        if note:
            print(f"Note: {note}", file=sys.stderr)
        raise
