"""`odlm demo`: the demo CRM and the files a run over it needs."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from odoo_lead_manager.commands.session import EXIT_OK
from odoo_lead_manager.commands.terminal import open_console, progress_bar
from odoo_lead_manager.config.editor import write_schema_beside
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from odoo_lead_manager.demo.size import LEAD_COUNT
from odoo_lead_manager.errors import UserInputError


def run(args: argparse.Namespace) -> int:
    """`odlm demo`: the demo CRM and the files a distribution over it needs."""
    target: Path = args.dir
    if (target / "config.yaml").exists() and not args.overwrite:
        raise UserInputError(f"{target} already holds a demo; use --overwrite to replace it")
    leads: int = args.leads or LEAD_COUNT
    with progress_bar(open_console(), leads, "Building") as advance:
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
