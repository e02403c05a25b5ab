"""SQLAlchemy engines for ``database_connection`` (campaign tables now, tracking later).

The URL is built from the section's parts with `sqlalchemy.engine.URL.create`,
never by pasting text, and the password only ever lives inside that object
(whose ``str`` masks it). Connection failures become one `UserInputError`
naming the server, not the password.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import ConfigError, UserInputError

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
