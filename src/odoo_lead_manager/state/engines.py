"""SQLAlchemy engines for ``database_connection``: campaign and web-source tables, tracking.

The URL is built from the section's parts with `sqlalchemy.engine.URL.create`,
never by pasting text, and the password only ever lives inside that object
(whose ``str`` masks it). Connection failures become one `UserInputError`
naming the server, not the password.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchTableError, SQLAlchemyError

from odoo_lead_manager.config.schema.connections import DatabaseConnection
from odoo_lead_manager.config.source import ConfigSource
from odoo_lead_manager.errors import ConfigError, DataFileError, UserInputError
from odoo_lead_manager.ops.limits import port_number

DRIVERS = {
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "postgresql": "postgresql+psycopg",
    "sqlite": "sqlite",
}
DEFAULT_PORTS = {"mysql": 3306, "mariadb": 3306, "postgresql": 5432}
# The driver module each server dialect needs, and the extra that installs it.
DRIVER_EXTRAS = {"postgresql": ("psycopg", "postgresql"), "mysql": ("pymysql", "mysql")}
# Table and column names taken from configuration: plain identifiers only,
# optionally schema-qualified for tables.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def check_identifier(name: str, what: str, qualified: bool = False) -> str:
    """``name`` if it is a plain SQL identifier (``schema.table`` when ``qualified``)."""
    parts = name.split(".") if qualified else [name]
    if len(parts) > 2 or not all(IDENTIFIER.fullmatch(p) for p in parts):
        raise ConfigError(
            f"{what}: {name!r} is not a plain identifier (letters, digits and _ only)"
        )
    return name


# Keys of ``database_connection`` left out of the file come from these (spec §9.4).
ENVIRONMENT = {
    "url": "TRACKING_DB_URL",
    "host": "TRACKING_DB_HOST",
    "port": "TRACKING_DB_PORT",
    "database": "TRACKING_DB_NAME",
    "username": "TRACKING_DB_USER",
    "password": "TRACKING_DB_PASSWORD",
    "ssl_ca": "DB_CA_CERT",
    "ssl_cert": "DB_CLIENT_CERT",
    "ssl_key": "DB_CLIENT_KEY",
}
_PARTS = ("host", "port", "database", "username", "password")


def database_engine(section: DatabaseConnection | None, source: ConfigSource) -> Engine:
    """An engine for the ``database_connection`` of the configuration at ``source``; nothing
    is connected yet."""
    if section is None:
        raise ConfigError(f"{source.path}: database_connection is required to read from a database")
    section.bind(str(source.path), "database_connection")
    where = f"{source.path}: database_connection"

    def value(name: str) -> Any:
        configured = section.resolved(name)
        if configured is not None:
            return configured
        return source.environ.get(ENVIRONMENT[name]) or None

    url = _configured_url(section, value, where)
    if url is None:
        url = _url_from_parts(section.type, value, where)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            url = url.set(database=str(source.resolve_path(url.database)))
        return create_engine(url)
    require_driver(url.get_backend_name(), where)
    return create_engine(
        url, pool_pre_ping=True, connect_args=_tls_arguments(source, url, value, where)
    )


def require_driver(backend: str, where: str) -> None:
    """Refuse, naming the package extra, a server database whose driver is not installed."""
    module, extra = DRIVER_EXTRAS[backend]
    try:
        importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"{where}: a {backend} database needs its driver ({module}), which is not "
            f"installed; install it with: pip install 'odoo-lead-manager[{extra}]'"
        ) from None


def _configured_url(
    section: DatabaseConnection, value: Callable[[str], Any], where: str
) -> URL | None:
    """The ``url`` key (or TRACKING_DB_URL when no server is named in the file), parsed."""
    named = section.url is not None or not any(
        getattr(section, part) is not None for part in ("host", "database")
    )
    text = value("url") if named else None
    if text is None:
        return None
    given = [part for part in _PARTS if getattr(section, part) is not None]
    if section.url is not None and given:
        raise ConfigError(f"{where}: give either url or {', '.join(given)}, not both")
    # The text may hold a password: messages name the key, never the value.
    try:
        url = make_url(str(text))
        if url.port is not None:
            port_number(url.port)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"{where}.url: not a database URL (dialect://user@host:port/db, the port a "
            "number from 1 to 65535)"
        ) from None
    backend = url.get_backend_name()
    if backend not in DRIVERS:
        raise ConfigError(
            f"{where}.url: {backend!r} databases are not supported "
            f"(use one of {', '.join(DRIVERS)})"
        )
    return url.set(drivername=DRIVERS[backend])


def _url_from_parts(kind: str, value: Callable[[str], Any], where: str) -> URL:
    database = value("database")
    if kind == "sqlite":
        if not database:
            raise ConfigError(f"{where}.database: the SQLite file")
        return URL.create("sqlite", database=str(database))
    port = value("port")
    if port is not None:
        try:
            port = port_number(port)
        except ValueError as exc:
            raise ConfigError(f"{where}.port ({ENVIRONMENT['port']}): {exc}") from None
    return URL.create(
        DRIVERS[kind],
        username=value("username"),
        password=value("password"),
        host=value("host") or "localhost",
        port=port if port is not None else DEFAULT_PORTS[kind],
        database=database,
    )


def _tls_arguments(
    source: ConfigSource, url: URL, value: Callable[[str], Any], where: str
) -> dict[str, Any]:
    """The driver's TLS settings for DB_CA_CERT / DB_CLIENT_CERT / DB_CLIENT_KEY, checked."""
    files: dict[str, str] = {}
    for key in ("ssl_ca", "ssl_cert", "ssl_key"):
        given = value(key)
        if given is None:
            continue
        path = source.resolve_path(str(given))
        if not path.is_file():
            raise ConfigError(f"{where}.{key} ({ENVIRONMENT[key]}): no such file {path}")
        files[key] = str(path)
    if ("ssl_cert" in files) != ("ssl_key" in files):
        raise ConfigError(
            f"{where}: a client certificate needs both ssl_cert (DB_CLIENT_CERT) "
            "and ssl_key (DB_CLIENT_KEY)"
        )
    if not files:
        return {}
    if url.get_backend_name() == "postgresql":
        arguments = {
            # With a CA, verify the server's certificate and name; without, still encrypt.
            "sslmode": "verify-full" if "ssl_ca" in files else "require",
            "sslrootcert": files.get("ssl_ca"),
            "sslcert": files.get("ssl_cert"),
            "sslkey": files.get("ssl_key"),
        }
        return {k: v for k, v in arguments.items() if v is not None}
    ssl = {"ca": files.get("ssl_ca"), "cert": files.get("ssl_cert"), "key": files.get("ssl_key")}
    return {"ssl": {k: v for k, v in ssl.items() if v is not None}}


def describe_failure(engine: Engine, error: SQLAlchemyError) -> UserInputError:
    """One sentence for a failed database operation, without the password."""
    # `orig` is the driver's own exception; its first line says what went wrong.
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    if engine.url.password:
        reason = reason.replace(str(engine.url.password), "***")
    where = engine.url.render_as_string(hide_password=True)
    return UserInputError(f"database {where}: {reason}")


def read_table(
    engine: Engine,
    table_name: str,
    required: Sequence[str],
    optional: Sequence[str],
    what: str,
) -> tuple[list[dict[str, Any]], set[str]]:
    """Every row of a reflected table (required and present optional columns), and its columns.

    Names must already be checked with `check_identifier`. Rows come in
    primary-key order (or by the required columns when there is none).
    """
    schema, _, bare = table_name.rpartition(".")
    try:
        with engine.connect() as connection:
            try:
                table = Table(bare, MetaData(), autoload_with=connection, schema=schema or None)
            except NoSuchTableError:
                raise DataFileError(
                    f"{what} {table_name} not found in database "
                    f"{engine.url.render_as_string(hide_password=True)}"
                ) from None
            found = set(table.c.keys())
            missing = [c for c in required if c not in found]
            if missing:
                raise DataFileError(
                    f"table {table_name}: missing column(s) {', '.join(missing)} "
                    f"(found: {', '.join(sorted(found))})"
                )
            wanted = dict.fromkeys([*required, *(c for c in optional if c in found)])
            columns = [table.c[name] for name in wanted]
            order = list(table.primary_key.columns) or [table.c[name] for name in required]
            records = connection.execute(select(*columns).order_by(*order)).mappings().all()
    except SQLAlchemyError as error:
        raise describe_failure(engine, error) from None
    return [dict(record) for record in records], found
