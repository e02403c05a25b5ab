"""One run at a time per campaign, whoever starts it and from wherever.

The lock lives where the journal lives, so that every process that could
write the same campaign's journal meets the same lock: PostgreSQL's
advisory locks and MySQL/MariaDB's ``GET_LOCK`` for a server database (held
by a session, so a killed process releases it with its connection), an
OS file lock beside the file for SQLite (released by the kernel when the
process dies). Nobody waits: a second run stops at once with status 2.

A journal in an SQLite file is seen only by whoever opens that file: two
copies of a configuration in two directories, or on two hosts, keep two
journals against one CRM. A run that writes to the CRM then also holds a
lease in the CRM itself (`CrmStore.take_lease`: created to take, removed to
give back, with an expiry for a holder that died elsewhere), unless the
configuration accepts a lock only its own journal sees
(``tracking.local_lock``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from odoo_lead_manager.crm.store import CrmStore, Lease
from odoo_lead_manager.domain.model import campaign_slug
from odoo_lead_manager.errors import CrmError, CrmUnavailable, UserInputError
from odoo_lead_manager.state.database import utc_now
from odoo_lead_manager.state.journal import Journal

log = logging.getLogger(__name__)


class RunInProgress(UserInputError):
    """Another odlm process holds the campaign's lock."""


class LeaseRefused(UserInputError):
    """The CRM cannot keep the campaign's lease, and no other lock is seen by every host."""


def _busy(campaign: str, where: str, hint: str = "") -> RunInProgress:
    name = campaign or "(no campaign)"
    return RunInProgress(
        f"another odlm run for campaign {name} is in progress (lock held in {where}); "
        f"nothing was changed, try again when it has finished{hint}"
    )


@contextmanager
def run_lock(
    journal: Journal, campaign: str, crm: CrmStore, lease_minutes: int | None
) -> Iterator[None]:
    """The lock of a command that writes ``campaign``'s leads to ``crm``.

    `campaign_lock`; with the journal in an SQLite file, also a lease in the
    CRM of ``lease_minutes`` (None: the configuration accepts the local lock).
    """
    with campaign_lock(journal, campaign):
        if journal.engine.dialect.name != "sqlite" or lease_minutes is None:
            yield
            return
        with crm_lease(crm, campaign, lease_minutes, journal.where):
            yield


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


def lease_key(campaign: str) -> str:
    """The name of a campaign's lease in the CRM (in Odoo, a system parameter's key)."""
    return f"odlm.lock.{campaign_slug(campaign)}"


@contextmanager
def crm_lease(crm: CrmStore, campaign: str, minutes: int, journal_where: str) -> Iterator[Lease]:
    """Hold ``campaign``'s lease in ``crm`` for the block, or raise `RunInProgress`.

    A lease found expired, or left by a dead process of this machine, is
    removed (exactly that one, by its record) and taken anew; of two
    processes doing so at once, the CRM's unique key lets one through.
    """
    mine = Lease(
        key=lease_key(campaign),
        host=socket.gethostname(),
        pid=os.getpid(),
        machine=MACHINE,
        token=uuid.uuid4().hex,
        expires_at=utc_now().replace(microsecond=0) + timedelta(minutes=minutes),
    )
    held = _take(crm, mine, campaign, journal_where)
    try:
        yield held
    finally:
        _give_back(crm, held)


def _take(crm: CrmStore, mine: Lease, campaign: str, journal_where: str) -> Lease:
    try:
        found = crm.take_lease(mine)
        if found.token != mine.token and _holder_gone(found):
            log.warning(
                "campaign %s: the lease %s of pid %d on %s (until %s UTC) is left by a run "
                "that ended without giving it back; taking it over",
                campaign or "(no campaign)",
                found.key,
                found.pid,
                found.host,
                f"{found.expires_at:%Y-%m-%d %H:%M}",
            )
            crm.drop_lease(found)
            found = crm.take_lease(mine)
    except CrmUnavailable:
        raise  # the CRM is down: the run could not go on anyway, and says so
    except CrmError as exc:
        raise LeaseRefused(
            f"cannot keep campaign {campaign or '(no campaign)'}'s lease {mine.key} in the "
            f"CRM: {exc.message}; the run journal is the local file {journal_where}, so only "
            "that lease stops a copy of this configuration in another directory or on "
            "another host from distributing the campaign at the same time. Let the CRM user "
            "create system parameters (ir.config_parameter), configure a shared tracking "
            "database (database_connection), or set tracking.local_lock: true to accept a "
            "lock that only this journal's runs see; nothing was changed"
        ) from None
    if found.token != mine.token:
        raise _busy(
            campaign,
            f"the CRM: lease {found.key} of pid {found.pid} on {found.host}, until "
            f"{found.expires_at:%Y-%m-%d %H:%M} UTC",
            "; if that run is dead, remove the lease (in Odoo: Settings, Technical, System "
            "Parameters) or wait until it expires",
        )
    return found


def _give_back(crm: CrmStore, held: Lease) -> None:
    # The run's work is done or has failed by now: a lease that cannot be removed
    # only delays the next run until it expires, which is said, not raised.
    try:
        crm.drop_lease(held)
    except CrmError as exc:
        log.warning(
            "could not remove the lease %s from the CRM (%s); the next run waits until "
            "%s UTC, or remove it by hand",
            held.key,
            exc.message,
            f"{held.expires_at:%Y-%m-%d %H:%M}",
        )


def _holder_gone(lease: Lease) -> bool:
    """Whether ``lease``'s holder can no longer be running: its time is up, or it was a
    process of this machine that has ended."""
    if lease.expires_at <= utc_now():
        return True
    return lease.machine == MACHINE and not _alive(lease.pid)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) is no probe on Windows: wait for the expiry
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process, or not ours to ask: it exists
    return True


def _machine() -> str:
    """What makes a pid meaningful: the host, its kernel's boot and the process namespace.

    Containers may share a host name; a pid namespace of its own tells
    them apart, so that a pid is only ever looked up where it lives.
    """
    parts = [socket.gethostname()]
    try:
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip())
        parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
    except OSError:
        pass  # not Linux: the host name is what there is
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


MACHINE = _machine()
