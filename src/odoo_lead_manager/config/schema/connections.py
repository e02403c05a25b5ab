"""Connection sections whose values are only needed when the connection is made.

They may reference environment variables that are unset on a machine that
never opens the connection (a dry run on the local store, say), so an unset
``${VAR}`` here is kept as written and reported by `resolved` when the value
is asked for, naming the file, the key and the variable.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, PrivateAttr, SecretStr

from odoo_lead_manager.config.env import unresolved_variables
from odoo_lead_manager.config.schema.base import NonNegativeSeconds, Seconds, Section
from odoo_lead_manager.errors import ConfigError, MissingEnvironmentVariable
from odoo_lead_manager.ops.limits import port_number


def _port(value: Any) -> int | str:
    if isinstance(value, str) and unresolved_variables(value):
        return value  # resolved, and checked, when the connection is made
    return port_number(value)


# A port, or a still-unresolved ``${VAR}`` reference to one.
Port = Annotated[int | str, PlainValidator(_port)]


class DeferredSection(Section):
    """A section whose unresolved ``${VAR}`` values fail only when used."""

    _source: str = PrivateAttr(default="configuration")
    _key: str = PrivateAttr(default="")

    def bind(self, source: str, key: str) -> None:
        """Remember where this section came from, for error messages."""
        self._source = source
        self._key = key

    def resolved(self, field: str) -> Any:
        """The value of ``field``; a secret is revealed, an unset variable is an error."""
        if field not in type(self).model_fields:
            raise KeyError(field)
        value = getattr(self, field)
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str):
            missing = unresolved_variables(text)
            if missing:
                raise MissingEnvironmentVariable(
                    f"{self._source}: {self._key}.{field}: environment variable "
                    f"{missing[0]} is not set (and the value gives no default)"
                )
            if field.endswith("port"):
                try:
                    return port_number(text)
                except ValueError as exc:
                    raise ConfigError(f"{self._source}: {self._key}.{field}: {exc}") from None
        return text


class ServerConnection(DeferredSection):
    """Where a server is and who logs in."""

    host: str | None = None
    port: Port | None
    database: str | None = None
    username: str | None = None
    password: SecretStr | None = None


class OdooConnection(ServerConnection):
    """``odoo_connection`` (§5.1): the Odoo server.

    ``host`` may be a name or a URL (``https://crm.example.com``); without a
    scheme, http is used. Keys left out come from the environment
    (ODOO_HOST, ODOO_PORT, ODOO_DB, ODOO_USERNAME, ODOO_PASSWORD,
    ODOO_API_KEY). ``protocol: auto`` uses JSON-2 on Odoo 19 and later when
    an API key is set, JSON-RPC otherwise; ``jsonrpc`` and ``xmlrpc`` (the same
    calls, XML-RPC three times slower to read leads with) work on every Odoo
    up to 19.
    """

    port: Port | None = None
    protocol: Literal["auto", "jsonrpc", "xmlrpc", "json2"] = "auto"
    api_key: SecretStr | None = None
    timeout_seconds: Seconds = 60.0
    max_retries: int = Field(default=3, ge=0, le=10)
    retry_backoff_seconds: NonNegativeSeconds = 1.0


class DatabaseConnection(ServerConnection):
    """``database_connection`` (§5.1, §9.4): the tracking and analytics database.

    Either ``url`` (a SQLAlchemy URL such as
    ``postgresql://odlm@db.example.com/tracking``; the driver part is
    odlm's choice) or the parts: ``type`` picks the server kind (the spec's
    MySQL by default); for ``sqlite``, ``database`` is the file's path
    (relative to the configuration file) and the server keys are not used.
    Keys left out come from the environment: TRACKING_DB_URL,
    TRACKING_DB_HOST, TRACKING_DB_PORT, TRACKING_DB_NAME, TRACKING_DB_USER,
    TRACKING_DB_PASSWORD, and for TLS DB_CA_CERT (the server's certificate
    authority: the server's certificate and host name are verified),
    DB_CLIENT_CERT and DB_CLIENT_KEY (a client certificate).
    """

    type: Literal["mysql", "mariadb", "postgresql", "sqlite"] = "mysql"
    port: Port | None = None
    url: SecretStr | None = None
    ssl_ca: str | None = None
    ssl_cert: str | None = None
    ssl_key: str | None = None


class EmailSettings(DeferredSection):
    """``reporting.email``: how the distribution report is sent when e-mail is enabled.

    ``use_tls`` upgrades the connection with STARTTLS (port 465 speaks TLS
    from the start); the server's certificate is verified against the
    system's authorities, or ``ssl_ca`` for a private one. Put the password
    in the environment: ``password: ${SMTP_PASSWORD}``.
    """

    smtp_host: str | None = None
    smtp_port: Port = 587
    username: str | None = None
    password: SecretStr | None = None
    use_tls: bool = True
    ssl_ca: str | None = None
    timeout_seconds: Seconds = 30.0
    sender: str | None = None
    recipients: list[str] = Field(default_factory=list)
