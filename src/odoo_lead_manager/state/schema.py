"""Creating and upgrading the tracking tables: versioned Alembic migrations.

`upgrade` brings any tracking database to the current version the first
time a process uses it: a fresh database gets every table, one left by an
older odlm gets the missing migrations. Several processes may start at once
against a new database, so the migration runs under a lock that waits
(PostgreSQL ``pg_advisory_lock``, MySQL/MariaDB ``GET_LOCK``, a file lock
beside an SQLite file) and re-reads the version once it holds it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from odoo_lead_manager.state.tables import VERSION_TABLE

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration (tests check it against Alembic's head). A database already at
# it is recognised by one plain query, so that a command does not import Alembic and
# read every migration script only to learn there is nothing to do.
HEAD = "0007"

# How long a process waits for another one that is migrating the same database.
LOCK_WAIT_SECONDS = 120
_LOCK_NAME = "odlm-schema"

# Alembic reports each step at INFO; a run's log is not the place for that.
logging.getLogger("alembic").setLevel(logging.WARNING)


def alembic_config() -> Config:
    """Alembic's configuration for odlm's migrations (the caller sets its connection)."""

    config = Config()
    config.set_main_option("script_location", "odoo_lead_manager.state:migrations")
    return config


def head_version() -> str:
    """The version this odlm's tables are at, as Alembic's scripts say."""

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the tracking migrations have no head")
    return head


def current_version(connection: Connection) -> str | None:
    """The version a database is at (None for one odlm has not migrated yet)."""

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade(engine: Engine, version: str | None = None) -> None:
    """Bring the database to ``version`` (the head by default); nothing to do costs one query.

    Database errors propagate as SQLAlchemy errors for the caller to phrase.
    """
    if version in (None, HEAD) and _at_head(engine):
        return

    target = version or head_version()
    with engine.connect() as connection:
        if current_version(connection) == target:
            return
    with engine.connect() as connection, _schema_lock(engine, connection):
        if current_version(connection) == target:
            return
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, target)
        connection.commit()


def _at_head(engine: Engine) -> bool:
    """Whether the database is at `HEAD`, by one query (no version table: not at it)."""
    with engine.connect() as connection:
        try:
            found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            versions = found.scalars().all()
        except SQLAlchemyError:
            connection.rollback()
            return False
    return versions == [HEAD]


@contextmanager
def _schema_lock(engine: Engine, connection: Connection) -> Iterator[None]:
    dialect = engine.dialect.name
    if dialect == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        with FileLock(Path(f"{database}.schema.lock"), timeout=LOCK_WAIT_SECONDS):
            yield
        return
    digest = hashlib.sha256(_LOCK_NAME.encode()).digest()
    if dialect == "postgresql":
        key: int | str = int.from_bytes(digest[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        release = "SELECT pg_advisory_unlock(:key)"
    else:
        key = _LOCK_NAME
        held = connection.execute(
            text("SELECT GET_LOCK(:key, :wait)"), {"key": key, "wait": LOCK_WAIT_SECONDS}
        ).scalar()
        if not held:
            raise TimeoutError(
                f"another process kept the tracking schema lock for {LOCK_WAIT_SECONDS} s"
            )
        release = "SELECT RELEASE_LOCK(:key)"
    # Alembic runs each migration in a transaction of its own.
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text(release), {"key": key})
        connection.commit()
