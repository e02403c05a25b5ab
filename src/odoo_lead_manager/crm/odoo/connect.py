"""From ``odoo_connection`` and the environment to an authenticated `OdooStore`."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from odoo_lead_manager.config.fields import FieldMap, FieldProblem, configured_mapping
from odoo_lead_manager.config.schema.connections import OdooConnection
from odoo_lead_manager.crm.odoo.dialect import ODOO_17, ODOO_19, Dialect, dialect_for
from odoo_lead_manager.crm.odoo.store import OdooStore, WriteOptions
from odoo_lead_manager.crm.odoo.transport import (
    JSON2_SINCE,
    HttpSession,
    Json2Transport,
    JsonRpcTransport,
    OdooRefused,
    RetryPolicy,
    Transport,
    XmlRpcTransport,
)
from odoo_lead_manager.crm.settings import CrmSettings
from odoo_lead_manager.errors import ConfigError, CrmError
from odoo_lead_manager.ops.limits import port_number

ENVIRONMENT = {
    "host": "ODOO_HOST",
    "port": "ODOO_PORT",
    "database": "ODOO_DB",
    "username": "ODOO_USERNAME",
    "password": "ODOO_PASSWORD",
    "api_key": "ODOO_API_KEY",
}


@dataclass(frozen=True)
class OdooSettings:
    """Everything needed to connect; ``secret`` and ``api_key`` are never shown."""

    url: str
    database: str
    username: str
    secret: str = field(repr=False)
    api_key: str | None = field(default=None, repr=False)
    protocol: str = "auto"
    timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # One pooled HTTP client for every transport made from these settings: a run
    # reads its settings once, so its calls share connections.
    http: HttpSession = field(default_factory=HttpSession, repr=False, compare=False)


def settings_from_config(settings: CrmSettings) -> OdooSettings:
    """Connection settings: the config's values, else the ODOO_* environment variables."""
    where = settings.source.path
    section = settings.odoo or OdooConnection()
    section.bind(str(where), "odoo_connection")
    env = settings.source.environ

    def value(name: str) -> Any:
        configured = section.resolved(name)
        if configured is not None:
            return configured
        return env.get(ENVIRONMENT[name]) or None

    host, database, username = value("host"), value("database"), value("username")
    password, api_key = value("password"), value("api_key")
    missing = [
        f"odoo_connection.{key} (or {ENVIRONMENT[key]})"
        for key, given in (("host", host), ("database", database), ("username", username))
        if not given
    ]
    if not (password or api_key):
        missing.append("odoo_connection.password (or ODOO_PASSWORD, or an API key in ODOO_API_KEY)")
    if missing:
        raise ConfigError(f"{where}: the Odoo connection needs {', '.join(missing)}")
    if section.protocol == "json2" and not api_key:
        raise ConfigError(
            f"{where}: odoo_connection.protocol json2 needs an API key "
            "(odoo_connection.api_key or ODOO_API_KEY)"
        )
    return OdooSettings(
        url=server_url(str(host), value("port")),
        database=str(database),
        username=str(username),
        secret=str(password or api_key),
        api_key=str(api_key) if api_key else None,
        protocol=section.protocol,
        timeout=section.timeout_seconds,
        retry=RetryPolicy(section.max_retries, section.retry_backoff_seconds),
    )


def server_url(host: str, port: Any) -> str:
    """``host`` as a base URL: http by default, the port added when one is given."""
    url = host.strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    scheme, rest = url.split("://", 1)
    if scheme not in ("http", "https"):
        raise ConfigError(f"odoo_connection.host: {host!r} must be an http or https address")
    if port and ":" not in rest.split("/", 1)[0]:
        try:
            number = port_number(port)
        except ValueError as exc:
            raise ConfigError(f"odoo_connection.port ({ENVIRONMENT['port']}): {exc}") from None
        head, _, tail = rest.partition("/")
        rest = f"{head}:{number}" + (f"/{tail}" if tail else "")
    url = f"{scheme}://{rest}"
    try:
        urllib.parse.urlsplit(url).port  # noqa: B018 - raises on a port that is not one
    except ValueError:
        raise ConfigError(
            "odoo_connection.host: the port in the address must be a number from 1 to 65535"
        ) from None
    return url


@dataclass(frozen=True)
class Connection:
    """An authenticated transport and what the server said about itself."""

    transport: Transport
    server_version: str
    version_major: int | None


TransportFactory = Callable[[OdooSettings, str], Transport]


def default_transport(settings: OdooSettings, protocol: str) -> Transport:
    if protocol == "json2":
        assert settings.api_key is not None
        return Json2Transport(
            settings.url,
            settings.database,
            settings.username,
            settings.api_key,
            settings.timeout,
            settings.retry,
            settings.http,
        )
    kind = JsonRpcTransport if protocol == "jsonrpc" else XmlRpcTransport
    return kind(
        settings.url,
        settings.database,
        settings.username,
        settings.secret,
        settings.timeout,
        settings.retry,
        settings.http,
    )


def connect(settings: OdooSettings, factory: TransportFactory = default_transport) -> Connection:
    """Ask the server's version (one plain HTTP call, no login), pick the protocol
    when asked to, then authenticate."""
    protocol = settings.protocol
    probe = factory(settings, "jsonrpc" if protocol == "auto" else protocol)
    info = _version(probe)
    version = str(info.get("server_version") or "unknown")
    numbers = info.get("server_version_info") or []
    major = int(numbers[0]) if numbers and str(numbers[0]).isdigit() else None
    if protocol == "json2" and major is not None and major < JSON2_SINCE:
        raise CrmError(
            f"Odoo at {settings.url} is version {version}, which has no JSON-2 API (Odoo "
            f"{JSON2_SINCE} and later): set odoo_connection.protocol to jsonrpc, xmlrpc "
            "or auto"
        )
    if protocol == "auto":
        # JSON-RPC before JSON-2: the same calls as XML-RPC, three times faster to read
        # leads with (issue 27); both go with Odoo 20, which has JSON-2 alone.
        newer = major is not None and major >= JSON2_SINCE
        protocol = "json2" if newer and settings.api_key else "jsonrpc"
    transport = probe if protocol == probe.protocol else factory(settings, protocol)
    try:
        uid = transport.authenticate()
    except OdooRefused as exc:
        raise CrmError(_explain(exc.message, settings)) from None
    if not uid:
        raise CrmError(
            f"Odoo at {settings.url} rejected the login {settings.username!r} on database "
            f"{settings.database!r}"
        )
    return Connection(transport, version, major)


def server_dialect(connection: Connection) -> Dialect:
    """The names this server understands, by its major version; a server that would
    not say it is taken for 19 when it speaks JSON-2 (19 and later only), else for 17."""
    if connection.version_major is not None:
        return dialect_for(connection.version_major)
    return ODOO_19 if connection.transport.protocol == "json2" else ODOO_17


def _version(transport: Transport) -> Mapping[str, Any]:
    getter = getattr(transport, "version", None)
    return dict(getter()) if callable(getter) else {}


def _explain(message: str, settings: OdooSettings) -> str:
    lowered = message.lower()
    if "database" in lowered and "does not exist" in lowered:
        return f"database {settings.database!r} does not exist on the Odoo server at {settings.url}"
    return message


def resolve_fields(
    transport: Transport, mapping: Mapping[str, str | None]
) -> tuple[FieldMap, list[FieldProblem]]:
    """Check the field mapping against the server's crm.lead fields (one call)."""
    try:
        server_fields = transport.call(
            "crm.lead", "fields_get", None, attributes=["type", "relation"]
        )
    except OdooRefused as exc:
        raise CrmError(
            f"cannot read the crm.lead model ({exc.message}); is the CRM app installed and "
            "may this user read leads?"
        ) from None
    return FieldMap.resolve(mapping, server_fields)


def open_odoo_store(
    settings: CrmSettings, factory: TransportFactory = default_transport
) -> OdooStore:
    """Connect, check the field mapping, and return the store for a run."""
    crm = settings.crm
    connection = connect(settings_from_config(settings), factory)
    fields, problems = resolve_fields(connection.transport, configured_mapping(crm.field_mapping))
    if problems:
        listed = "; ".join(f"{p.logical}: {p.problem}" for p in problems)
        raise CrmError(
            f"{settings.source.path}: crm.field_mapping does not fit this Odoo: {listed}"
        )
    options = WriteOptions(crm.mail_tracking, crm.notify_salespeople)
    return OdooStore(connection.transport, fields, options, server_dialect(connection))
