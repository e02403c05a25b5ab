"""One daily distribution run: plan, show, apply unless dry, summarise."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from rich.console import Console

from odoo_lead_manager.applying import ApplyResult, apply_plan
from odoo_lead_manager.capabilities import skipped_outputs
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.crm.opening import open_store
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.planning import RunOptions, build_plan, rotation_path
from odoo_lead_manager.reporting.console import print_outcome, print_plan
from odoo_lead_manager.strategies.round_robin import save_rotation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its plan, what was applied (None for a dry run) and its duration."""

    plan: Plan
    applied: ApplyResult | None
    seconds: float

    @property
    def dry_run(self) -> bool:
        return self.applied is None


def run_distribution(
    loaded: LoadedConfig,
    dry_run: bool,
    options: RunOptions | None = None,
    console: Console | None = None,
    store: CrmStore | None = None,
) -> RunOutcome:
    """Run once; a dry run reads the CRM and changes nothing."""
    started = time.perf_counter()
    console = console or Console(quiet=True)
    own_store = store is None
    crm = store if store is not None else open_store(loaded)
    try:
        plan = build_plan(loaded, crm, options)
        print_plan(console, plan, dry_run)
        applied = None
        if not dry_run:
            applied = apply_plan(plan, crm, loaded.config.execution.batch_size)
            if plan.rotation is not None:
                save_rotation(rotation_path(loaded, plan.campaign), plan.rotation)
    finally:
        if own_store:
            crm.close()
    outcome = RunOutcome(plan, applied, time.perf_counter() - started)
    print_outcome(console, plan, applied, outcome.seconds)
    skipped = skipped_outputs(loaded.config)
    if skipped:
        message = f"not available in this version, nothing produced for: {', '.join(skipped)}"
        logger.warning(message)
        console.print(f"  Note: {message}")
    return outcome
