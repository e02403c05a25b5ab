"""`python -m odoo_lead_manager.daily_distribution --config FILE` (spec §11.1), and the library API.

The module form takes the same arguments as `odlm dailydist`, for cron lines
such as ``0 9 * * * python3 -m odoo_lead_manager.daily_distribution --config /etc/odlm.yaml``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from odoo_lead_manager.cli.main import main as odlm_main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.running import RunOutcome
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.snapshot.options import RunOptions


class DailyLeadDistributor:
    """The spec §7.1 entry point for Python callers.

    >>> outcome = DailyLeadDistributor("config.yaml").run_daily_distribution(dry_run=True)
    >>> outcome.plan.distributable  # doctest: +SKIP
    """

    def __init__(self, config_path: str | os.PathLike[str]) -> None:
        self.loaded = load_config(config_path)

    def run_daily_distribution(
        self, dry_run: bool = False, options: RunOptions | None = None
    ) -> RunOutcome:
        """Plan and, unless ``dry_run``, apply one distribution."""
        return run_distribution(
            self.loaded, dry_run or self.loaded.config.execution.dry_run, options
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run `odlm dailydist` with ``argv``."""
    return odlm_main(["dailydist", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
