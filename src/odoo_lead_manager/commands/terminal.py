"""Where a command's output goes: the console, and a file named by ``--output``."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from odoo_lead_manager.errors import UserInputError

# Lines of output that is not a terminal: tables then fit without cutting cells.
PLAIN_WIDTH = 160


def write_output(text: str, output: Path | None) -> None:
    """``text`` to ``output`` (--output), else to stdout."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"Written: {output}")


def open_console() -> Console:
    """The terminal's width on a terminal; elsewhere (a log, a pipe) wide enough for the tables."""
    return Console() if sys.stdout.isatty() else Console(width=PLAIN_WIDTH)
