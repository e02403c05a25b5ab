"""What odlm keeps between runs: the run journal and its lock (the tracking store)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.sqldb import database_engine
from odoo_lead_manager.tracking.journal import Journal, JournalUnavailable

log = logging.getLogger(__name__)

__all__ = ["Journal", "local_journal_path", "open_journal"]


def local_journal_path(loaded: LoadedConfig) -> Path:
    """The journal file used when no tracking database is configured or reachable."""
    return loaded.resolve_path(loaded.config.execution.state_dir) / "journal.sqlite"


def open_journal(loaded: LoadedConfig) -> tuple[Journal, str | None]:
    """The run journal of this configuration, and a warning when it fell back to the file.

    With tracking enabled and a ``database_connection``, the journal lives in
    that database. When the database cannot be reached, §7.1 says go on
    without tracking: the journal then uses the local file, unless
    ``tracking.required`` asks to stop before anything is changed.
    """
    cfg = loaded.config
    warning = None
    path = local_journal_path(loaded)
    if cfg.tracking.enabled and cfg.database_connection is not None:
        try:
            return Journal(database_engine(loaded)), None
        except JournalUnavailable as exc:
            if cfg.tracking.required:
                raise UserInputError(
                    f"{exc.message}; tracking.required is true, so nothing was changed"
                ) from None
            warning = (
                f"{exc.message}; tracking is off for this run and the run journal "
                f"and lock use {path}"
            )
            log.warning("%s", warning)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(f"cannot create {path.parent}: {exc.strerror}") from None
    return Journal(create_engine(URL.create("sqlite", database=str(path)))), warning
