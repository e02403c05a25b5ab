"""Writing a plan to the CRM: one write per group of leads with identical values, in batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.plan import Plan

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ApplyResult:
    """What was written."""

    leads_written: int
    write_calls: int


def apply_plan(
    plan: Plan, store: CrmStore, batch_size: int, progress: Progress | None = None
) -> ApplyResult:
    """Write every group of the plan, ``batch_size`` leads per call.

    ``progress`` is told how many leads each call wrote.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    written = calls = 0
    for group in plan.writes:
        ids = group.lead_ids
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            store.write_leads(chunk, group.values)
            written += len(chunk)
            calls += 1
            if progress is not None:
                progress(len(chunk))
    return ApplyResult(written, calls)
