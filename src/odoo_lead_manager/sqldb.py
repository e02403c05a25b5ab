"""SQLAlchemy engines for ``database_connection``: campaign and web-source tables, tracking.

The URL is built from the section's parts with `sqlalchemy.engine.URL.create`,
never by pasting text, and the password only ever lives inside that object
(whose ``str`` masks it). Connection failures become one `UserInputError`
naming the server, not the password.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import ConfigError, DataFileError, UserInputError

DRIVERS = {
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "postgresql": "postgresql+psycopg",
    "sqlite": "sqlite",
}
DEFAULT_PORTS = {"mysql": 3306, "mariadb": 3306, "postgresql": 5432}
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


def database_engine(loaded: LoadedConfig) -> Engine:
    """An engine for the configured ``database_connection``; nothing is connected yet."""
    section = loaded.config.database_connection
    if section is None:
        raise ConfigError(f"{loaded.path}: database_connection is required to read from a database")
    database = section.resolved("database")
    if section.type == "sqlite":
        if not database:
            raise ConfigError(f"{loaded.path}: database_connection.database: the SQLite file")
        return create_engine(URL.create("sqlite", database=str(loaded.resolve_path(database))))
    port = section.resolved("port") if section.port is not None else DEFAULT_PORTS[section.type]
    url = URL.create(
        DRIVERS[section.type],
        username=section.resolved("username"),
        password=section.resolved("password"),
        host=section.resolved("host") or "localhost",
        port=int(port),
        database=database,
    )
    return create_engine(url, pool_pre_ping=True)


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
