"""The audit trail (spec §13.1, ``security.log_audit_trail``): who ran what, when, with what result.

One JSON line per command that plans or changes a distribution (dry runs,
real runs, ``odlm apply``, ``odlm undo``), appended to
``<execution.state_dir>/audit.log``: the time (UTC), the command, the
operating-system user and host, the configuration file, the run id and
campaign, and the counts. Never a lead's title, a name from the CRM or a
secret. ``odlm retention`` drops lines older than
``security.retention_policy_days``.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from odoo_lead_manager.state.settings import TrackingSettings

FILE_NAME = "audit.log"
log = logging.getLogger(__name__)


def audit_path(settings: TrackingSettings) -> Path:
    """Where this configuration's audit trail is kept."""
    return settings.state_dir / FILE_NAME


def record(settings: TrackingSettings, command: str, details: Mapping[str, Any]) -> Path | None:
    """Append one entry, when the trail is on; returns the file written, or None.

    A trail that cannot be written is a warning: the command has done its work by now.
    """
    if not settings.audit_trail:
        return None
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "user": _user(),
        "host": socket.gethostname(),
        "config": str(settings.source.path.resolve()),
        **details,
    }
    path = audit_path(settings)
    # One write of one line: appends from several processes do not interleave.
    line = json.dumps(entry, sort_keys=True, default=str) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError as exc:
        log.warning("the audit trail %s could not be written: %s", path, exc.strerror or exc)
        return None
    return path


def entries_of(path: Path, day: date) -> list[dict[str, Any]]:
    """The trail's entries about ``day`` (their ``day``, else the day they were written)."""
    if not path.exists():
        return []
    found = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            entry = json.loads(line)
            written = datetime.fromisoformat(entry["time"]).date()
        except (ValueError, KeyError, TypeError):
            continue  # not an entry of odlm's
        if isinstance(entry, dict) and str(entry.get("day", written)) == day.isoformat():
            found.append(entry)
    return found


def prune(path: Path, keep_days: int, today: date, dry_run: bool = False) -> int:
    """Drop entries older than ``keep_days``; returns how many (or would be, when dry)."""
    if not path.exists():
        return 0
    cutoff = today - timedelta(days=keep_days)
    kept, dropped = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            day = datetime.fromisoformat(json.loads(line)["time"]).date()
        except (ValueError, KeyError, TypeError):
            kept.append(line)  # not ours to judge: kept as it is
            continue
        if day < cutoff:
            dropped += 1
        else:
            kept.append(line)
    if dropped and not dry_run:
        temporary = path.with_suffix(".tmp")
        temporary.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
        os.replace(temporary, path)
    return dropped


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
