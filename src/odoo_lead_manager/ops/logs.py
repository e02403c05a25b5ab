"""Where and how odlm's log lines are written: text or JSON lines, on stderr and in a file.

A log collector reads ``--log-format json`` (``execution.log_format``): one
object per line with the time, the level, the run id and campaign of the
run the line belongs to, and for a stage's line the stage and its counts,
so that "leads fetched" is a number to chart, not words to parse. The run
id and campaign come from `log_context`, set by the runner, so that the
stages need not carry them.

Secrets and (with ``security.mask_personal_data``) e-mail addresses and
phone numbers are taken out of each message by the filters the command line
puts on every handler; the JSON formatter scrubs an exception's text the
same way, since a traceback bypasses the message.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from odoo_lead_manager.errors import UserInputError

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_CONTEXT: ContextVar[Mapping[str, str]] = ContextVar(
    "odlm_log_context", default=MappingProxyType({})
)


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Within the block, every log line carries ``fields`` (run_id, campaign)."""
    merged = {**_CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}}
    token = _CONTEXT.set(merged)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def stage_line(
    logger: logging.Logger,
    stage: str,
    message: str,
    *args: object,
    level: int = logging.INFO,
    labels: Mapping[str, str] | None = None,
    **counts: float,
) -> None:
    """One stage's line: ``message`` for people; for machines the ``stage``, its ``counts``,
    and ``labels`` naming what they count (the rule, the strategy)."""
    _say(logger, Said(level, message, args, stage, dict(labels or {}), counts))


@dataclass(frozen=True)
class Said:
    """A line a stage has to say, kept as a value: the planner logs nothing itself (it runs
    for the fetch, for the plan, for a replay), and its caller tells the lines (`tell`).
    ``stage`` set: a stage's line, with its ``counts`` and ``labels`` (`stage_line`)."""

    level: int
    message: str
    args: tuple[object, ...] = ()
    stage: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    counts: Mapping[str, float] = field(default_factory=dict)


def tell(logger: logging.Logger, said: Iterable[Said]) -> None:
    """Log each line a stage said, in order, as that stage would have."""
    for line in said:
        _say(logger, line)


def _say(logger: logging.Logger, line: Said) -> None:
    extra = None
    if line.stage is not None:
        extra = {"stage": line.stage, "counts": dict(line.counts), "labels": dict(line.labels)}
    # stacklevel: the line's location is the caller's of `stage_line` or `tell`, not theirs.
    logger.log(line.level, line.message, *line.args, extra=extra, stacklevel=3)


class JsonFormatter(logging.Formatter):
    """Each record as one JSON object on one line."""

    def __init__(self, scrub: Callable[[str], str] = lambda text: text) -> None:
        super().__init__()
        self.scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        entry.update(_CONTEXT.get())
        stage = getattr(record, "stage", None)
        if stage is not None:
            entry["stage"] = stage
            entry.update(getattr(record, "labels", {}))
            entry["counts"] = dict(getattr(record, "counts", {}))
        entry["message"] = record.getMessage()
        if record.exc_info:
            entry["error"] = self.scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class ContextFormatter(logging.Formatter):
    """The text format, with the run's id and campaign when a line belongs to a run."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = _CONTEXT.get()
        if not context:
            return text
        tags = " ".join(f"{key}={value}" for key, value in context.items())
        return f"{text} [{tags}]"


class _OdlmHandler:
    """Marks the handlers odlm installed, so that a second command replaces them."""


def install_handlers(
    level: str,
    log_format: LogFormat,
    log_file: Path | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 5,
    scrub: Callable[[str], str] = lambda text: text,
    stderr_level: str | None = None,
) -> list[logging.Handler]:
    """Replace odlm's handlers on the root logger: stderr (from ``stderr_level`` when
    given), and ``log_file`` rotated (from ``level``).

    Handlers that others installed (a test's capture) stay. A log file that
    cannot be opened is bad input, before anything is changed.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OdlmHandler)]:
        root.removeHandler(old)
        old.close()
    handlers: list[logging.Handler] = [_StderrHandler()]
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(_RotatingHandler(log_file, max_bytes, backups))
        except OSError as exc:
            raise UserInputError(
                f"execution.log_file: cannot write {log_file}: {exc.strerror or exc}"
            ) from None
    for handler in handlers:
        handler.setFormatter(JsonFormatter(scrub) if log_format == "json" else ContextFormatter())
        root.addHandler(handler)
    handlers[0].setLevel(stderr_level or level)
    root.setLevel(level)
    return handlers


class _StderrHandler(logging.StreamHandler[Any], _OdlmHandler):
    """Writes to the stderr of the moment (a test's capture replaces ``sys.stderr``), as the
    standard library's last-resort handler does."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """The stream is always the current ``sys.stderr``: nothing to keep."""


class _RotatingHandler(logging.handlers.RotatingFileHandler, _OdlmHandler):
    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
