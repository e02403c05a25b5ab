"""One run at a time per campaign, whoever starts it and from wherever.

The lock lives where the journal lives, so that every process that could
write the same campaign's journal meets the same lock: PostgreSQL's
advisory locks and MySQL/MariaDB's ``GET_LOCK`` for a server database (held
by a session, so a killed process releases it with its connection), an
OS file lock beside the file for SQLite (released by the kernel when the
process dies). Nobody waits: a second run stops at once with status 2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.model import campaign_slug
from odoo_lead_manager.tracking.journal import Journal


class RunInProgress(UserInputError):
    """Another odlm process holds the campaign's lock."""


def _busy(campaign: str, where: str) -> RunInProgress:
    name = campaign or "(no campaign)"
    return RunInProgress(
        f"another odlm run for campaign {name} is in progress (lock held in {where}); "
        "nothing was changed, try again when it has finished"
    )


@contextmanager
def campaign_lock(journal: Journal, campaign: str) -> Iterator[None]:
    """Hold the campaign's lock for the duration of the block, or raise `RunInProgress`."""
    dialect = journal.engine.dialect.name
    if dialect == "sqlite":
        with _file_lock(journal, campaign):
            yield
        return
    digest = hashlib.sha256(f"odlm-run:{campaign}".encode()).digest()
    if dialect == "postgresql":
        key: int | str = int.from_bytes(digest[:8], "big", signed=True)
        take, give_back = "SELECT pg_try_advisory_lock(:key)", "SELECT pg_advisory_unlock(:key)"
    else:
        key = f"odlm-run:{digest.hex()[:40]}"  # MySQL lock names stop at 64 characters
        take, give_back = "SELECT GET_LOCK(:key, 0)", "SELECT RELEASE_LOCK(:key)"
    try:
        connection = journal.engine.connect()
    except SQLAlchemyError as error:
        raise journal.unavailable(error, "cannot take the lock: ") from None
    try:
        _hold(connection, take, key, campaign, journal)
        try:
            yield
        finally:
            _release(connection, give_back, key)
    finally:
        connection.close()


def _hold(
    connection: Connection, query: str, key: int | str, campaign: str, journal: Journal
) -> None:
    try:
        held = connection.execute(text(query), {"key": key}).scalar()
        connection.commit()
    except SQLAlchemyError as error:
        raise journal.unavailable(error, "cannot take the lock: ") from None
    if not held:
        raise _busy(campaign, journal.where)


def _release(connection: Connection, query: str, key: int | str) -> None:
    # A lost connection has released the lock already; nothing more to do then.
    try:
        connection.execute(text(query), {"key": key})
        connection.commit()
    except SQLAlchemyError:
        return


@contextmanager
def _file_lock(journal: Journal, campaign: str) -> Iterator[None]:
    database = journal.engine.url.database or "journal"
    path = Path(database).with_name(f"{Path(database).name}.{campaign_slug(campaign)}.lock")
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise _busy(campaign, str(path)) from None
    except OSError as exc:
        raise UserInputError(f"cannot create the lock file {path}: {exc.strerror}") from None
    try:
        yield
    finally:
        lock.release()
