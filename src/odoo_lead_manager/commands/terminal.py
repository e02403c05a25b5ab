"""Where a command's output goes: the console, and a file named by ``--output``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.ops.text import plural

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


@contextmanager
def progress_bar(console: Console, total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; elsewhere a no-op, so logs stay readable. Here, with
    the console, so that a command draws one without loading the run's machinery."""
    if not console.is_terminal or total == 0:
        yield lambda _done: None
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{what} {plural(total, 'lead')}", total=total)
        yield lambda done: progress.advance(task, done)


def open_console() -> Console:
    """The terminal's width on a terminal; elsewhere (a log, a pipe) wide enough for the tables."""
    return Console() if sys.stdout.isatty() else Console(width=PLAIN_WIDTH)
