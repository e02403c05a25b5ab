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
from collections.abc import Iterable, Mapping

# The variables odlm reads secrets from when a connection block leaves them out.
SECRET_VARIABLES = ("ODOO_PASSWORD", "ODOO_API_KEY", "TRACKING_DB_PASSWORD", "SMTP_PASSWORD")
URL_VARIABLES = ("TRACKING_DB_URL",)
# Shorter values are not secrets worth the garbled messages their replacing would cause.
_SHORTEST = 4
MASK = "***"


def secret_values(environ: Mapping[str, str], secrets: Iterable[str] = ()) -> tuple[str, ...]:
    """The values to hide, longest first: odlm's secret variables, the password in a
    database URL variable, and ``secrets`` (a configuration's passwords, API key and
    webhook addresses), with the password of each URL among them."""
    found = {environ.get(name, "") for name in SECRET_VARIABLES}
    texts = [environ.get(name, "") for name in URL_VARIABLES]
    for secret in secrets:
        found.add(secret)
        texts.append(secret)
    for text in texts:
        found.update(_url_password(text))
    return tuple(sorted((v for v in found if len(v) >= _SHORTEST), key=len, reverse=True))


def beyond_host(url: str) -> str:
    """What of ``url`` follows its host: a webhook's token lives in its path and query."""
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
