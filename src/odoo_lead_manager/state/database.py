"""One tracking database: its engine prepared once (SQLite settings, migrations)."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.state import schema
from odoo_lead_manager.state.engines import describe_failure

# MySQL/MariaDB report a deadlock between two writers as error 1213; the
# transaction is rolled back whole and can simply run again.
_DEADLOCK = 1213
_ATTEMPTS = 3
# Engines whose tables this process has brought to the current version.
_PREPARED: weakref.WeakSet[Engine] = weakref.WeakSet()


class TrackingUnavailable(UserInputError):
    """The tracking database (journal or history) cannot be read or written."""


def prepare(engine: Engine) -> Engine:
    """``engine`` with its tables at the current version; a failure is `TrackingUnavailable`.

    The journal and the history share an engine: its version is checked once.
    """
    if engine in _PREPARED:
        return engine
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        schema.upgrade(engine)
    except (SQLAlchemyError, TimeoutError) as error:
        raise unavailable(engine, error) from None
    _PREPARED.add(engine)
    return engine


def where(engine: Engine) -> str:
    """The database's URL for messages, with the password masked."""
    return engine.url.render_as_string(hide_password=True)


def unavailable(engine: Engine, error: Exception, doing: str = "") -> TrackingUnavailable:
    """The failure as one sentence naming the database, without a password."""
    if isinstance(error, SQLAlchemyError):
        return TrackingUnavailable(f"tracking database: {doing}{describe_failure(engine, error)}")
    return TrackingUnavailable(f"tracking database {where(engine)}: {doing}{error}")


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction; any database failure becomes a `TrackingUnavailable`."""
    try:
        with engine.begin() as connection:
            yield connection
    except SQLAlchemyError as error:
        raise unavailable(engine, error) from None


def run_in_transaction(engine: Engine, work: Any) -> None:
    """``work(connection)`` in one transaction, run again if MySQL/MariaDB chose it as a
    deadlock victim (two writers upserting at once); other failures as `transaction`."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with engine.begin() as connection:
                work(connection)
            return
        except OperationalError as error:
            code = getattr(error.orig, "args", (None,))[0]
            if code != _DEADLOCK or attempt == _ATTEMPTS:
                raise unavailable(engine, error) from None
        except SQLAlchemyError as error:
            raise unavailable(engine, error) from None


def utc_now() -> datetime:
    """Now, as the naive UTC timestamp the tracking tables hold."""
    return datetime.now(UTC).replace(tzinfo=None)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL keeps a commit cheap and survives a killed process; a second
    # process waits up to 30 s for the file instead of failing at once.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A run records each batch twice; copying the log back (and syncing) every
    # ~40 MB rather than every 4 MB keeps that from costing a sync per few batches.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
