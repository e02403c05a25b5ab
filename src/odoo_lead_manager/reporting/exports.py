"""Two CSV ledgers a run can leave: why each lead was not distributed, and what dropped back.

- ``lead_finding.sales_filter.reporting.export_excluded_leads`` (to
  ``export_path``) and ``--export-excluded FILE``: every lead examined and
  not distributed, one row each, with the filter that excluded it (and the
  filter's detail, such as the opportunity stages the sales filter
  matched) or the reason the strategy left it ("not distributed: every
  salesperson is at target"), its stable reason code (`finding.reasons`)
  and a sentence; then every lead that moved, with its reason. The "why was
  this lead not distributed" ledger.
- ``lead_finding.dropback_filter.reporting.export_dropback_report`` (to
  ``report_path``): every lead dropped back, with its campaign, previous
  holder and new owner.

Each file is rewritten by every run, dry or real, and says which it was.
Lead titles are masked with ``security.mask_personal_data``; cells a
spreadsheet would run as formulas are neutralised as in the report files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from odoo_lead_manager.domain.fetched import Rejection
from odoo_lead_manager.domain.model import LeadFacts, lead_day
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.reasons import DISTRIBUTED, DROPPED_BACK, reason_code
from odoo_lead_manager.ops.privacy import mask_name
from odoo_lead_manager.reporting.files import safe_cells

LEDGER_COLUMNS = (
    "run_id", "dry_run", "lead_id", "lead", "held_by", "status", "source", "campaign", "date",
    "excluded_by", "detail", "reason_code", "reason", "moved_to",
)  # fmt: skip
DROPBACK_COLUMNS = (
    "run_id", "dry_run", "lead_id", "lead", "campaign", "from", "to", "status", "source", "date",
)  # fmt: skip


def write_ledger(
    path: Path,
    plan: Plan,
    rejected: Iterable[Rejection],
    dry_run: bool,
    mask: bool,
    holder: str,
    date_field: str,
) -> int:
    """The exclusion ledger: each examined lead that did not move, with the rule that
    stopped it (its reason code and sentence), then each lead that moved, with why;
    returns the number of leads listed."""
    rows = [
        (
            plan.run_id,
            dry_run,
            r.lead.id,
            mask_name(r.lead.name) if mask else r.lead.name,
            plan.user_name(getattr(r.lead, holder)),
            r.lead.status,
            r.lead.source,
            r.lead.campaign,
            lead_day(r.lead, date_field),
            r.filter,
            r.detail or "",
            reason_code(r.filter),
            r.why,
            "",
        )
        for r in rejected
    ]
    dropped = {a.lead_id for a in plan.dropback}
    for a in plan.handed_out:
        facts = plan.lead_facts.get(a.lead_id, LeadFacts())
        rows.append(
            (
                plan.run_id,
                dry_run,
                a.lead_id,
                mask_name(facts.name) if mask else facts.name,
                plan.user_name(a.previous_user_id),
                facts.status,
                facts.source,
                facts.campaign,
                facts.day,
                "",
                "",
                DROPPED_BACK if a.lead_id in dropped else DISTRIBUTED,
                a.reason,
                plan.user_name(a.user_id),
            )
        )
    _write(path, LEDGER_COLUMNS, rows)
    return len(rows)


def write_dropback_report(path: Path, plan: Plan, dry_run: bool, mask: bool) -> int:
    """The dropback report; returns the number of leads listed."""
    rows = []
    for a in plan.dropback:
        facts = plan.lead_facts.get(a.lead_id, LeadFacts())
        rows.append(
            (
                plan.run_id,
                dry_run,
                a.lead_id,
                mask_name(facts.name) if mask else facts.name,
                a.reason.removeprefix("dropback: "),
                plan.user_name(a.previous_user_id),
                plan.user_name(a.user_id),
                facts.status,
                facts.source,
                facts.day,
            )
        )
    _write(path, DROPBACK_COLUMNS, rows)
    return len(rows)


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(safe_cells(row) for row in rows)
