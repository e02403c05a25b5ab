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


# Both connections have a host, a port, a database, a user and a password; each declares
# them itself, since where a value left out comes from differs (and so their descriptions).


class OdooConnection(DeferredSection):
    """``odoo_connection``: the Odoo server.

    ``host`` may be a name or a URL (``https://crm.example.com``); without a
    scheme, http is used. Keys left out come from the environment
    (ODOO_HOST, ODOO_PORT, ODOO_DB, ODOO_USERNAME, ODOO_PASSWORD,
    ODOO_API_KEY). ``protocol: auto`` uses JSON-2 on Odoo 19 and later when
    an API key is set, JSON-RPC otherwise; ``jsonrpc`` and ``xmlrpc`` (the same
    calls, XML-RPC three times slower to read leads with) work on every Odoo
    up to 19.
    """

    host: str | None = None
    """The Odoo server, as a name or a URL, for example ``https://crm.example.com``
    (without a scheme, http is used); left out, ODOO_HOST is read."""
    port: Port | None = None
    """The Odoo server's port when ``host`` has none, for example ``8069``; left out,
    ODOO_PORT, else the scheme's own (80 or 443)."""
    database: str | None = None
    """The Odoo database, for example ``production``; left out, ODOO_DB is read."""
    username: str | None = None
    """The Odoo login odlm works as, for example ``odlm@example.com``; left out,
    ODOO_USERNAME is read."""
    password: SecretStr | None = None
    """The Odoo password; write ``${ODOO_PASSWORD}`` to keep it out of the file (left out,
    that variable is read). Not needed with an API key; never shown in messages."""
    protocol: Literal["auto", "jsonrpc", "xmlrpc", "json2"] = "auto"
    """How odlm talks to Odoo: ``auto`` picks JSON-2 on Odoo 19 and later when an API key
    is set, JSON-RPC otherwise; ``json2`` needs an API key and Odoo 19."""
    api_key: SecretStr | None = None
    """An Odoo API key, used instead of the password; write ``${ODOO_API_KEY}`` (left
    out, that variable is read). Never shown in messages."""
    timeout_seconds: Seconds = 60.0
    """How long odlm waits for Odoo's answer to one request before it counts as failed
    (seconds)."""
    max_retries: int = Field(default=3, ge=0, le=10)
    """How many times a request that could not reach Odoo is tried again (0 to 10)."""
    retry_backoff_seconds: NonNegativeSeconds = 1.0
    """The wait before the first retry (seconds); each further retry waits twice as long."""


class DatabaseConnection(DeferredSection):
    """``database_connection``: the tracking and analytics database.

    Either ``url`` (a SQLAlchemy URL such as
    ``postgresql://odlm@db.example.com/tracking``; the driver part is
    odlm's choice) or the parts: ``type`` picks the server kind (MySQL by
    default); for ``sqlite``, ``database`` is the file's path
    (relative to the configuration file) and the server keys are not used.
    Keys left out come from the environment: TRACKING_DB_URL,
    TRACKING_DB_HOST, TRACKING_DB_PORT, TRACKING_DB_NAME, TRACKING_DB_USER,
    TRACKING_DB_PASSWORD, and for TLS DB_CA_CERT (the server's certificate
    authority: the server's certificate and host name are verified),
    DB_CLIENT_CERT and DB_CLIENT_KEY (a client certificate).
    """

    host: str | None = None
    """The database server's host name, for example ``db.example.com``; left out,
    TRACKING_DB_HOST, else ``localhost``."""
    port: Port | None = None
    """The database server's port; left out, TRACKING_DB_PORT, else the server kind's own
    (3306 for MySQL and MariaDB, 5432 for PostgreSQL)."""
    database: str | None = None
    """The database's name, for example ``odlm_tracking``, or with ``type: sqlite`` the
    file's path (relative to the configuration file); left out, TRACKING_DB_NAME is read."""
    username: str | None = None
    """Who logs in to the database; left out, TRACKING_DB_USER is read."""
    password: SecretStr | None = None
    """The database password; write ``${TRACKING_DB_PASSWORD}`` to keep it out of the file
    (left out, that variable is read). Never shown in messages."""
    type: Literal["mysql", "mariadb", "postgresql", "sqlite"] = "mysql"
    """The kind of database server; with ``sqlite``, ``database`` is the file's path
    (relative to the configuration file)."""
    url: SecretStr | None = None
    """The whole connection as one URL, for example
    ``postgresql://odlm@db.example.com/tracking``, instead of the separate keys; write
    ``${TRACKING_DB_URL}`` when it holds a password."""
    ssl_ca: str | None = None
    """The certificate authority file that the server's certificate must be signed by;
    with it, the certificate and host name are checked. Left out, DB_CA_CERT is read."""
    ssl_cert: str | None = None
    """A client certificate file, for servers that ask for one (needs ``ssl_key``); left
    out, DB_CLIENT_CERT is read."""
    ssl_key: str | None = None
    """The client certificate's private key file (needs ``ssl_cert``); left out,
    DB_CLIENT_KEY is read."""


class EmailSettings(DeferredSection):
    """``reporting.email``: how the distribution report is sent when e-mail is enabled.

    ``use_tls`` upgrades the connection with STARTTLS (port 465 speaks TLS
    from the start); the server's certificate is verified against the
    system's authorities, or ``ssl_ca`` for a private one. Put the password
    in the environment: ``password: ${SMTP_PASSWORD}``.
    """

    smtp_host: str | None = None
    """The SMTP server that sends the e-mail, for example ``smtp.example.com``; required
    to send."""
    smtp_port: Port = 587
    """The SMTP server's port: 587 with STARTTLS, 465 for TLS from the start."""
    username: str | None = None
    """Who logs in to the SMTP server; left out, no login."""
    password: SecretStr | None = None
    """The SMTP login password; write ``${SMTP_PASSWORD}`` to keep it out of the file."""
    use_tls: bool = True
    """Encrypt the connection with STARTTLS (port 465 always uses TLS)."""
    ssl_ca: str | None = None
    """A certificate authority file for a server with a private certificate, relative to
    the configuration file; left out, the system's authorities are used."""
    timeout_seconds: Seconds = 30.0
    """How long the SMTP server may take to answer before sending fails (seconds)."""
    sender: str | None = None
    """The From address, for example ``odlm@example.com``; required to send."""
    recipients: list[str] = Field(default_factory=list)
    """Who receives the report e-mail and the alerts, for example
    ``[sales-ops@example.com]``; required for ``reporting.email_notification``."""
