"""`odlm demo`: the demo CRM and the files a run over it needs."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from odoo_lead_manager.commands.session import EXIT_OK
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.config.editor import write_schema_beside
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from odoo_lead_manager.demo.size import LEAD_COUNT
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.ops.text import plural


def run(args: argparse.Namespace) -> int:
    """`odlm demo`: the demo CRM and the files a distribution over it needs."""
    target: Path = args.dir
    if (target / "config.yaml").exists() and not args.overwrite:
        raise UserInputError(f"{target} already holds a demo; use --overwrite to replace it")
    leads: int = args.leads or LEAD_COUNT
    with building(open_console(), leads) as advance:
        files = create_demo(
            target, today=args.today, overwrite=args.overwrite, leads=leads, progress=advance
        )
    config_path = write_demo_config(target, overwrite=args.overwrite)
    # The run journal and rotation of a replaced demo describe a CRM that is gone.
    shutil.rmtree(target / ".odlm-state", ignore_errors=True)
    print(f"Demo CRM written to {files.crm_path}")

    schema = write_schema_beside(config_path, force=args.overwrite)
    print(schema.message(), file=sys.stderr if schema.outcome == "failed" else sys.stdout)
    print(f"Run: odlm dailydist --config {config_path} --dry-run")
    return EXIT_OK


@contextmanager
def building(console: Console, leads: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal, as `commands.running.progress_bar` draws one; elsewhere
    a no-op, so a log or a pipe gets only the result. Drawn here because importing the run
    machinery beside that one (SQLAlchemy, Alembic) would double the command's start-up."""
    if not console.is_terminal:
        yield lambda _done: None
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"Building {plural(leads, 'lead')}", total=leads)
        yield lambda done: progress.advance(task, done)
