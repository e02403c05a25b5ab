"""The net under every message: the secrets odlm uses are never printed."""

from __future__ import annotations

import logging

import pytest

from odoo_lead_manager.config.loading import parse_config
from odoo_lead_manager.config.secrets import secrets_of
from odoo_lead_manager.ops.redaction import RedactingFilter, redact, secret_values


def test_odlms_secret_variables_and_url_passwords_are_hidden() -> None:
    environ = {
        "ODOO_PASSWORD": "odoo-pass",
        "SMTP_PASSWORD": "smtp-pass",
        "TRACKING_DB_URL": "postgresql://u:p%40ss-word@db/t",
        "HOME": "/root",
        "OTHER_PASSWORD": "not-odlms",  # odlm never reads it: nothing to hide
        "ODOO_API_KEY": "abc",  # too short to hide without garbling messages
    }
    secrets = secret_values(environ)
    assert set(secrets) == {"odoo-pass", "smtp-pass", "p%40ss-word", "p@ss-word"}
    assert redact("login odoo-pass failed at p@ss-word", secrets) == "login *** failed at ***"


def test_the_configurations_own_secrets_are_hidden_wherever_they_came_from() -> None:
    config = parse_config(
        {
            "odoo_connection": {"password": "written-in-the-file", "api_key": "key-1234"},
            "database_connection": {"url": "mysql://odlm:in-the-url@db/t"},
            "reporting": {"email": {"password": "mail-pass"}},
        },
        "config.yaml",
        environ={},
    )
    secrets = secret_values({}, secrets_of(config))
    assert {"written-in-the-file", "key-1234", "in-the-url", "mail-pass"} <= set(secrets)


@pytest.mark.parametrize("args", [("login %s refused", ("odoo-pass",)), ("login odoo-pass", None)])
def test_log_records_are_redacted_after_formatting(args: tuple[str, tuple[str] | None]) -> None:
    message, arguments = args
    record = logging.LogRecord("odlm", logging.WARNING, __file__, 1, message, arguments, None)
    assert RedactingFilter(("odoo-pass",)).filter(record)
    assert "odoo-pass" not in record.getMessage() and "***" in record.getMessage()
