"""Secrets from the environment never reach the terminal or a log.

Configuration errors already show ``${VAR}`` instead of a value that came
from the environment (`odoo_lead_manager.config.env.Substituted.conceal`);
this is the net under everything else odlm prints: the secrets odlm uses —
the variables it reads them from (``ODOO_PASSWORD``, ``ODOO_API_KEY``,
``TRACKING_DB_PASSWORD``, ``SMTP_PASSWORD``, the password inside
``TRACKING_DB_URL``) and the configuration's own passwords, API key and
database URL password — are replaced by ``***`` in error messages and in
every log record.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Mapping

from pydantic import SecretStr

from odoo_lead_manager.config.schema import DistributionConfig

# The variables odlm reads secrets from when a connection block leaves them out.
SECRET_VARIABLES = ("ODOO_PASSWORD", "ODOO_API_KEY", "TRACKING_DB_PASSWORD", "SMTP_PASSWORD")
URL_VARIABLES = ("TRACKING_DB_URL",)
# Shorter values are not secrets worth the garbled messages their replacing would cause.
_SHORTEST = 4
MASK = "***"


def secret_values(
    environ: Mapping[str, str], config: DistributionConfig | None = None
) -> tuple[str, ...]:
    """The values to hide, longest first: odlm's secret variables, the password in a
    database URL variable, and the secrets of ``config`` (its passwords and API key,
    the password of its database URL), wherever each came from."""
    found = {environ.get(name, "") for name in SECRET_VARIABLES}
    texts = [environ.get(name, "") for name in URL_VARIABLES]
    if config is not None:
        for secret in _secrets_of(config):
            found.add(secret)
            texts.append(secret)
    for text in texts:
        found.update(_url_password(text))
    return tuple(sorted((v for v in found if len(v) >= _SHORTEST), key=len, reverse=True))


def _secrets_of(config: DistributionConfig) -> list[str]:
    sections = (
        config.odoo_connection,
        config.database_connection,
        config.reporting.email,
        config.reporting.digests,
    )
    values = [
        value.get_secret_value()
        for section in sections
        if section is not None
        for value in vars(section).values()
        if isinstance(value, SecretStr)
    ]
    # A webhook's address carries its token in the path (and query): hidden on its own too.
    return values + [_beyond_host(value) for value in values if value.startswith("http")]


def _beyond_host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return url[url.index(parts.netloc) + len(parts.netloc) :] if parts.netloc else url


def _url_password(text: str) -> tuple[str, ...]:
    if "://" not in text:
        return ()
    try:
        password = urllib.parse.urlsplit(text).password
    except ValueError:
        return ()
    return (password, urllib.parse.unquote(password)) if password else ()


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every one of ``secrets`` replaced by ``***``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Formats each record's message, then hides the secrets in it."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message, self.secrets)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True
