"""What every command shares: the configurations it loaded (each validated before the
verb's own modules are imported, and their secrets kept out of every output), logging set to
them, and the way a command ends in an error."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace

from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.errors import OdlmError, RunSkipped
from odoo_lead_manager.ops.logs import LogFormat, install_handlers
from odoo_lead_manager.ops.privacy import MaskingFilter, mask_text
from odoo_lead_manager.ops.redaction import RedactingFilter, redact, secret_values

EXIT_OK = 0
EXIT_FAILED = 1
# Third-party loggers held at WARNING unless the level is DEBUG.
QUIET_LIBRARIES = ("httpx", "httpcore", "alembic", "sqlalchemy", "urllib3")

Run = Callable[[argparse.Namespace], int]

# The configurations this command loaded, by path: loaded once, their secrets never printed.
LOADED: dict[str, LoadedConfig] = {}


def run_command(args: argparse.Namespace, verb: Callable[[], Run]) -> int:
    """A verb as `odlm` runs it: logging at WARNING until its configuration says more; each
    ``--config`` validated before ``verb`` imports the verb's modules (so a bad file is
    answered at once); a skipped run a note; a user's error one line on stderr, secrets
    hidden, with its exit status."""
    LOADED.clear()
    configure_logging("WARNING", log_format=getattr(args, "log_format", None))
    try:
        paths = getattr(args, "config", None) or []
        for path in [paths] if isinstance(paths, str) else paths:
            load(path)
        return verb()(args)
    except RunSkipped as exc:
        print(f"Note: {exc.message}")
        return exc.exit_status
    except OdlmError as exc:
        print(f"error: {redact(exc.message, known_secrets())}", file=sys.stderr)
        return exc.exit_status


def load(path: str) -> LoadedConfig:
    """The configuration at ``path``, read and validated once per command."""
    if path not in LOADED:
        LOADED[path] = load_config(path)
        redact_logs()
    return LOADED[path]


def with_report_options(loaded: LoadedConfig, args: argparse.Namespace) -> LoadedConfig:
    """The configuration with the command line's report options merged into ``reporting``."""
    reporting = loaded.config.reporting
    changes: dict[str, object] = {}
    if args.generate_report or args.report_format or args.report_location:
        changes["generate_report"] = True
    if args.report_format:
        changes["report_format"] = list(dict.fromkeys(args.report_format))
    if args.report_location:
        # From the command line, a relative directory is the caller's, not the config's.
        changes["report_location"] = str(args.report_location.resolve())
    if args.email_notification:
        changes["email_notification"] = True
    if not changes:
        return loaded
    config = loaded.config.model_copy(update={"reporting": reporting.model_copy(update=changes)})
    return replace(loaded, config=config)


def redact_logs() -> None:
    secrets = known_secrets()
    for handler in logging.getLogger().handlers:
        redacting = [f for f in handler.filters if isinstance(f, RedactingFilter)]
        if redacting:
            redacting[0].secrets = secrets
        else:
            handler.addFilter(RedactingFilter(secrets))


def known_secrets() -> tuple[str, ...]:
    found = {s for loaded in LOADED.values() for s in loaded.secrets()}
    found.update(secret_values(os.environ))
    return tuple(sorted(found, key=len, reverse=True))


def quietest(*levels: str) -> str:
    """The level among ``levels`` that lets the fewest lines through."""
    return max(levels, key=logging.getLevelName)


def configure_logging(
    level: str,
    loaded: LoadedConfig | None = None,
    log_format: LogFormat | None = None,
    asked: bool = False,
) -> None:
    """Log at ``level`` in the format and to the file of ``loaded``'s ``execution`` section
    (``log_format`` from the command line wins), secrets and masked data kept out.

    On a terminal, where the user reads the command's report, stderr shows only
    warnings and errors unless the level was ``asked`` for (``--log-level``): the
    log file still gets every line at ``level``.
    """
    execution = loaded.config.execution if loaded is not None else None
    masking = loaded is not None and loaded.config.security.mask_personal_data
    log_file = None
    if loaded is not None and execution is not None and execution.log_file:
        log_file = loaded.resolve_path(execution.log_file)

    def scrub(text: str) -> str:
        text = redact(text, known_secrets())
        return mask_text(text) if masking else text

    install_handlers(
        level,
        log_format or (execution.log_format if execution is not None else "text"),
        log_file,
        max_bytes=(execution.log_file_max_mb if execution is not None else 10) * 1024 * 1024,
        backups=execution.log_file_backups if execution is not None else 5,
        scrub=scrub,
        stderr_level=None if asked or not sys.stderr.isatty() else quietest(level, "WARNING"),
    )
    redact_logs()
    # The libraries odlm talks through speak only of problems unless odlm is debugged: one
    # INFO line per HTTP request would bury the run's own lines.
    for library in QUIET_LIBRARIES:
        logging.getLogger(library).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    if masking:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
