"""What odlm keeps between runs: the run journal, its lock, and the history (spec §9).

Where it lives:

- tracking enabled with a ``database_connection``: that database (SQLite,
  MySQL/MariaDB or PostgreSQL) holds the journal and the history;
- tracking enabled without one: ``<execution.state_dir>/tracking.sqlite``,
  the default file, holds both;
- tracking disabled: the journal stays in that file, no history is kept;
- the configured database unreachable (or its tables not creatable): the
  command stops (exit 2) before planning, since the journal, the lock, the
  once-a-day check and the round-robin position live there and a local file
  would hide them from every other host. With ``tracking.local_fallback:
  true`` the spec's §7.1 applies instead: tracking is off for the run, with
  a warning, and the journal uses the local file (its lock is then also a
  lease in the CRM, see `state.locks`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL

from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.state.database import TrackingUnavailable
from odoo_lead_manager.state.engines import database_engine
from odoo_lead_manager.state.history import History
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.settings import TrackingSettings

log = logging.getLogger(__name__)

__all__ = [
    "History",
    "Journal",
    "Tracking",
    "history_engine",
    "local_tracking_path",
    "open_journal",
    "open_tracking",
]


@dataclass
class Tracking:
    """The journal, the history (None when not kept) and a warning when tracking fell back."""

    journal: Journal
    history: History | None
    warning: str | None = None

    @property
    def notes(self) -> tuple[str, ...]:
        return (self.warning,) if self.warning else ()

    def close(self) -> None:
        self.journal.close()


def local_tracking_path(settings: TrackingSettings) -> Path:
    """The tracking file used when no tracking database is configured or reachable."""
    return settings.local_path


def open_tracking(settings: TrackingSettings) -> Tracking:
    """The tracking store of this configuration, its tables created or upgraded."""
    tracking = settings.tracking
    path = settings.local_path
    if tracking.enabled and settings.database is not None:
        try:
            engine = database_engine(settings.database, settings.source)
            return Tracking(Journal(engine), History(engine, tracking))
        except TrackingUnavailable as exc:
            if not tracking.local_fallback:
                # tracking.required cannot be combined with local_fallback (the schema says so).
                raise UserInputError(
                    f"{exc.message}; the run journal, the campaign's lock, the once-a-day "
                    "check and the round-robin position are kept there, so nothing was "
                    "changed. Try again when it can be reached, or set "
                    f"tracking.local_fallback: true to run with the local file {path} "
                    "instead (runs elsewhere would not see this one)"
                ) from None
            warning = (
                f"{exc.message}; tracking is off for this run (tracking.local_fallback) "
                f"and the run journal uses {path}: the once-a-day check and the round-robin "
                "position see only this file's runs"
            )
            log.warning("%s", warning)
            return Tracking(Journal(_local_engine(path)), None, warning)
    engine = _local_engine(path)
    journal = Journal(engine)
    history = History(engine, tracking) if tracking.enabled else None
    return Tracking(journal, history)


def history_engine(settings: TrackingSettings) -> Engine:
    """The database holding this configuration's history (no fallback: for `odlm retention`)."""
    if settings.database is not None:
        return database_engine(settings.database, settings.source)
    return _local_engine(settings.local_path)


def open_journal(settings: TrackingSettings) -> tuple[Journal, str | None]:
    """The run journal alone, and the warning when it fell back to the local file."""
    tracking = open_tracking(settings)
    return tracking.journal, tracking.warning


def _local_engine(path: Path) -> Engine:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(f"cannot create {path.parent}: {exc.strerror}") from None
    return create_engine(URL.create("sqlite", database=str(path)))
