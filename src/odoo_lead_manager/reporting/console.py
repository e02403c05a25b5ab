"""The terminal summary of a plan and of its application.

No colour or box-drawing is required to read it: rich drops colour when the
output is not a terminal or NO_COLOR is set, and tables fall back to ASCII.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from odoo_lead_manager.domain.fairness import RECEIVED_GINI, RECEIVED_RANGE
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import (
    APPLYING,
    ApplyResult,
    RecordedRun,
    RetentionResult,
    RunRecord,
    UndoResult,
    Unsettled,
)
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.monitoring import Line


@dataclass(frozen=True)
class Advice:
    """How to apply exactly the plan a dry run showed: the command, and the plan file's."""

    command: str
    apply_command: str | None = None


def _fmt_pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def print_plan(console: Console, plan: Plan, dry_run: bool, dropback: bool = True) -> None:
    """The overview, filter impact and distribution preview of a plan (``dropback``:
    with the dropback counts)."""
    if console.quiet:
        return  # a library call without a console: rendering the tables is wasted work
    table_box = box.ROUNDED if console.is_terminal else box.ASCII
    title = "DRY RUN - daily lead distribution" if dry_run else "Daily lead distribution"
    console.print(f"[bold]{title}[/bold]  campaign: {plan.campaign or '(any)'}")
    if plan.configuration:
        console.print(f"Configuration: {plan.configuration}", markup=False)
    console.print(
        f"Run {plan.run_id}  strategy: {plan.strategy}  seed: {plan.seed}  as of {plan.today}"
    )
    start = plan.date_start.isoformat() if plan.date_start else "any"
    end = plan.date_end.isoformat() if plan.date_end else "any"
    console.print()
    console.print("[bold]Distribution overview[/bold]")
    console.print(f"  Date range: {start} to {end}")
    console.print(f"  Leads examined: {plan.examined:,}")
    if plan.dropback and dropback:
        console.print(f"  Dropback leads (old): {len(plan.dropback):,}")
    console.print(f"  Distributable leads: {plan.distributable:,}")
    console.print(f"  Eligible salespeople: {len(plan.salespeople)}")
    for name, reason in plan.left_out:
        console.print(f"    - left out: {name} ({reason})")
    if plan.crm_assignment:
        console.print(f"  Odoo's own lead assignment: {plan.crm_assignment}", markup=False)
    for warning in plan.warnings:
        console.print(f"  [bold red]WARNING:[/bold red] {warning}")
    _print_dropback(console, plan, dropback)
    _print_filter_impact(console, plan)

    received = plan.received
    projection = plan.projection()
    table = Table(title="Distribution preview", box=table_box, title_justify="left")
    for header in (
        "Salesperson",
        "Team",
        "Level",
        "Current",
        "Taken",
        "New",
        "After",
        "Target",
        "Util. after",
    ):
        table.add_column(
            header,
            justify="left" if header in ("Salesperson", "Team", "Level") else "right",
            no_wrap=header == "Salesperson",
            overflow="fold",
        )
    for person in sorted(plan.salespeople, key=lambda p: p.name.casefold()):
        workload = plan.workloads[person.user_id]
        new = received.get(person.user_id, 0)
        after = projection.total(person.user_id)
        target = person.target_leads
        util = 100.0 * after / target if target else None
        table.add_row(
            person.name,
            person.team or "-",
            person.level or "-",
            str(workload.total),
            str(projection.taken.get(person.user_id, 0)),
            str(new),
            str(after),
            str(target) if target is not None else "-",
            _fmt_pct(util),
        )
    console.print()
    console.print(_workload_table(plan, table_box))
    console.print()
    console.print(table)
    if plan.capacity:
        console.print()
        console.print(_capacity_table(plan, table_box))
    console.print(f"  Leads to distribute: {len(plan.assignments):,}")
    if projection.taken:
        taken = sorted(
            projection.taken.items(), key=lambda item: (-item[1], plan.user_name(item[0]))
        )
        console.print(
            "  Taken from: "
            + ", ".join(f"{plan.user_name(uid)} {count:,}" for uid, count in taken),
            soft_wrap=True,
            markup=False,
        )
    for reason, ids in plan.unassigned.items():
        console.print(f"  Not distributed ({reason}): {len(ids):,}")
    _print_strategy(console, plan)


def _print_strategy(console: Console, plan: Plan) -> None:
    """§6.3 "Strategy details": which strategy ran and why, its shares, and the balance."""
    console.print()
    console.print("[bold]Strategy details[/bold]")
    console.print(f"  Strategy: {plan.strategy} (seed {plan.seed})")
    if plan.strategy_note:
        console.print(f"  Configured: {plan.configured_strategy}; {plan.strategy_note}")
    received = plan.received
    for person in sorted(plan.salespeople, key=lambda p: p.name.casefold()):
        planned = plan.quotas.get(person.user_id)
        if planned is not None and planned != received.get(person.user_id, 0):
            console.print(
                f"  {person.name}: share {planned}, receives {received.get(person.user_id, 0)}"
            )
    if plan.fallback_owner is not None:
        given = sum(1 for a in plan.assignments if a.user_id == plan.fallback_owner)
        console.print(
            f"  Fallback owner {plan.user_name(plan.fallback_owner)} receives "
            f"{plural(given, 'lead')}"
        )
    for person in sorted(plan.salespeople, key=lambda p: p.name.casefold()):
        if person.user_id in plan.away:
            console.print(f"  {person.name}: {plan.away[person.user_id]}")
        if person.user_id in plan.catch_up:
            console.print(f"  {person.name}: {plan.catch_up[person.user_id]}")
        if person.user_id in plan.capped:
            console.print(f"  {person.name}: held back by {plan.capped[person.user_id]}")
        if person.user_id in plan.domains:
            console.print(f"  {person.name}: {plan.domains[person.user_id]}")
    balance = plan.balance
    console.print(
        f"  Received per salesperson: {balance.received_min:,} to {balance.received_max:,} "
        f"({RECEIVED_RANGE.shown(balance.received_range)}, "
        f"{RECEIVED_GINI.shown(round(balance.received_gini, 2))})"
    )
    goal = balance.goal_sentence()
    if goal is not None:
        console.print(f"  Balance after distribution: {goal}")


def _print_dropback(console: Console, plan: Plan, counted: bool = True) -> None:
    """§6.3 "Dropback analysis": leads per campaign and who receives them
    (unless ``dropback_filter.reporting.count_dropback_leads`` is off)."""
    if not plan.dropback or not counted:
        return
    console.print()
    how = "" if plan.dropback_applied else " (reported only: assign_immediately is false)"
    console.print(f"[bold]Dropback analysis[/bold]{how}")
    for (campaign, user_id), count in sorted(plan.dropback_by_campaign.items()):
        console.print(f"  {campaign}: {plural(count, 'lead')} -> {plan.user_name(user_id)}")


def _print_filter_impact(console: Console, plan: Plan) -> None:
    """§6.3 "Filter impact analysis": each lead counted under the first filter that removed it."""
    console.print()
    console.print("[bold]Filter impact analysis[/bold]")
    removed = sum(plan.excluded.values())
    console.print(f"  Leads filtered out: {removed:,}")
    for name, count in plan.excluded.items():
        if count:
            console.print(f"    - {name}: {count:,}")
            for detail, number in sorted(plan.excluded_detail.get(name, {}).items()):
                console.print(f"        {detail}: {number:,}", markup=False)


def _workload_table(plan: Plan, table_box: box.Box) -> Table:
    """§6.3 "Current workload analysis": counts, target, utilisation, deficit (§2.5)."""
    table = Table(title="Current workload", box=table_box, title_justify="left")
    numbers = ("Current", "Target", "Util.", "Deficit", "Recent", "Month")
    for header in ("Salesperson", "Team", "Level", *numbers):
        table.add_column(
            header,
            justify="right" if header in numbers else "left",
            no_wrap=header == "Salesperson",
            overflow="fold",
        )
    for person in sorted(plan.salespeople, key=lambda p: p.name.casefold()):
        workload = plan.workloads[person.user_id]
        table.add_row(
            person.name,
            person.team or "-",
            person.level or "-",
            str(workload.total),
            str(workload.target) if workload.target is not None else "-",
            _fmt_pct(workload.utilisation),
            str(workload.deficit) if workload.deficit is not None else "-",
            str(workload.recent),
            str(workload.this_month),
        )
    return table


def _capacity_table(plan: Plan, table_box: box.Box) -> Table:
    """Each Odoo team member's capacity as Odoo counts it: before the run, what the run
    gives, and Odoo's count once the plan is written."""
    table = Table(
        title="Odoo capacity (Average Leads Capacity (on 30 days))",
        box=table_box,
        title_justify="left",
    )
    numbers = ("Capacity", "Last 30 days", "This run", "After", "Left")
    for header in ("Salesperson", *numbers):
        table.add_column(
            header,
            justify="right" if header in numbers else "left",
            no_wrap=header == "Salesperson",
        )
    received = plan.received
    for person in sorted(plan.salespeople, key=lambda p: p.name.casefold()):
        capacity = plan.capacity.get(person.user_id)
        if capacity is None:
            continue
        after = plan.capacity_after.get(person.user_id, capacity.used)
        table.add_row(
            person.name,
            str(capacity.maximum),
            str(capacity.used),
            str(received.get(person.user_id, 0)),
            str(after),
            str(max(0, capacity.maximum - after)),
        )
    return table


def print_recommendations(console: Console, advice: Sequence[str]) -> None:
    """§6.3 "Recommendations"."""
    console.print()
    console.print("[bold]Recommendations[/bold]")
    for line in advice:
        console.print(f"  - {line}", soft_wrap=True, markup=False)


def print_outcome(
    console: Console,
    plan: Plan,
    result: ApplyResult | None,
    seconds: float,
    config_path: Path | None = None,
    advice: Advice | None = None,
) -> None:
    """The closing lines: what changed, how to apply a dry run's plan, how long it took."""
    console.print()
    console.print("[bold]Execution summary[/bold]")
    console.print(f"  Leads found: {plan.distributable:,}")
    if result is None:
        console.print(f"  Leads that would be distributed: {len(plan.assignments):,}")
        console.print("  This was a DRY RUN: nothing was changed in the CRM.")
        if advice is not None and advice.apply_command is not None:
            console.print(
                f"  To apply exactly this plan: {advice.apply_command}",
                soft_wrap=True,
                markup=False,
            )
            console.print(
                f"  (or plan again with the same seed: {advice.command})",
                soft_wrap=True,
                markup=False,
            )
        elif advice is not None:
            console.print(
                f"  To apply this plan, run: {advice.command}", soft_wrap=True, markup=False
            )
            console.print(
                f"  It plans again with the same seed ({plan.seed}): the same plan while the "
                "CRM is unchanged, and it says how many leads it decides otherwise if the CRM "
                "changed. To apply exactly this one whatever changes, save it with --plan-out "
                "FILE and run odlm apply FILE.",
                soft_wrap=True,
            )
    else:
        print_apply_result(console, result, config_path)
    console.print(f"  Execution time: {seconds:.2f} s")


def print_monitoring(console: Console, lines: Sequence[Line]) -> None:
    """What ``monitoring`` asks to say about the run, besides its execution time."""
    for line in (line for line in lines if line.shown):
        mark = "WARNING: " if line.level >= logging.WARNING else ""
        console.print(f"  {mark}{line.text}", soft_wrap=True, markup=False)


def print_notes(console: Console, notes: Sequence[str]) -> None:
    """Why a command did less than asked (already distributed, journal fallback)."""
    for note in notes:
        console.print(f"Note: {note}", soft_wrap=True, markup=False)


def print_apply_result(
    console: Console, result: ApplyResult, config_path: Path | None = None
) -> None:
    """What a run wrote, left alone and could not write, and how to take it back."""
    resumed = " (resumed)" if result.resumed else ""
    console.print(f"  Run {result.run_id}{resumed}: {plural(result.planned, 'lead')} planned")
    console.print(
        f"  Leads distributed: {result.written:,} ({result.write_calls} write calls this time)"
    )
    if result.unsettled:
        console.print(
            f"  Outcome unknown: {unsettled_text(result.unsettled)} sent to the CRM, and no "
            "answer came back: it may have written them. Finishing the run reads them "
            "again and writes only those not holding the plan.",
            soft_wrap=True,
        )
    if result.already:
        console.print(f"  Already holding the planned values: {result.already:,}")
    _print_leads(console, "Left alone, changed since planning", result.skipped)
    _print_leads(console, "Failed", result.failed)
    if result.stopped:
        console.print(f"  STOPPED: {result.stopped}")
        console.print(
            "  The journal holds where the run stopped: the same command finishes it, "
            f"or `odlm undo {result.run_id}` takes back what was written."
        )
    elif result.written:
        config = config_path or "CONFIG"
        console.print(
            f"  To take this run back: odlm undo {result.run_id} --config {config}",
            soft_wrap=True,
        )


def print_undo_result(console: Console, result: UndoResult) -> None:
    """What an undo restored and what it left alone."""
    if result.dry_run:
        console.print(f"[bold]Undo of run {result.run_id}: DRY RUN, nothing was changed[/bold]")
    else:
        console.print(f"[bold]Undo of run {result.run_id}[/bold]")
    if result.earlier:
        console.print("  This run was undone before; nothing changed now. What that undo did:")
    if result.dry_run and not result.earlier:
        console.print(f"  Leads an undo would give back their previous values: {result.restored:,}")
        _print_leads(console, "To be written now", result.would_restore)
    else:
        console.print(f"  Leads given back their previous values: {result.restored:,}")
    if result.already:
        console.print(f"  Already holding their previous values: {result.already:,}")
    _print_leads(console, "Left alone, changed since the run", result.left_alone)
    _print_leads(console, "Failed", result.failed)
    if result.stopped:
        console.print(f"  STOPPED: {result.stopped}")
        console.print("  Run the same undo again to finish it.")


def _print_leads(console: Console, title: str, reasons: Mapping[int, str], shown: int = 20) -> None:
    if not reasons:
        return
    console.print(f"  {title}: {len(reasons):,}")
    for lead_id in sorted(reasons)[:shown]:
        console.print(f"    lead {lead_id}: {reasons[lead_id]}", markup=False)
    if len(reasons) > shown:
        console.print(f"    ... and {len(reasons) - shown:,} more (all are in the run journal)")


def print_kept(console: Console, runs: Sequence[RecordedRun]) -> None:
    """The runs whose snapshot is kept (dry runs too), newest first: what `odlm replay`,
    `odlm explain --run` and `odlm compare` can read."""
    if not runs:
        return
    console.print("Kept snapshots (odlm replay RUN_ID, odlm explain LEAD_ID --run RUN_ID):")
    for run in runs:
        kind = "dry run" if run.dry_run else "run"
        console.print(
            f"  {run.run_id}  {run.campaign or '-'}  {run.run_date}  {kind:<8}  "
            f"taken {run.taken_at:%Y-%m-%d %H:%M} UTC",
            soft_wrap=True,
        )


def print_runs(console: Console, where: str, records: Sequence[RunRecord]) -> None:
    """The run journal, newest first, one run per line."""
    if not records:
        console.print(f"No runs in the run journal {where}.")
        return
    console.print(f"Runs in {where}, newest first:")
    for r in records:
        # A run still "applying" in the journal was killed, or is running now.
        status = "unfinished" if r.status == APPLYING else r.status
        console.print(
            f"  {r.run_id}  {r.campaign or '-'}  {r.run_date}  {status:<10}  "
            f"planned {r.planned:,}  written {r.written:,}  left alone {r.skipped:,}  "
            f"failed {r.failed:,}  started {r.started_at:%Y-%m-%d %H:%M} UTC",
            soft_wrap=True,
        )
        if r.unsettled:
            console.print(
                f"    outcome unknown: {unsettled_text(r.unsettled)} sent, no answer "
                "recorded; finishing the run reads them again",
                soft_wrap=True,
            )
        if r.message:
            console.print(f"    {r.message}", soft_wrap=True, markup=False)
        elif r.status == APPLYING:
            console.print(
                "    not finished (killed, or still running): the next real run of the "
                f"campaign finishes it, or odlm undo {r.run_id} takes it back",
                soft_wrap=True,
            )


def unsettled_text(unsettled: Sequence[Unsettled], shown: int = 10) -> str:
    """Batches whose outcome is unknown, numbered from 1 as in the log, and their leads."""
    numbers = [str(b.batch_no + 1) for b in unsettled]
    listed = ", ".join(numbers[:shown])
    if len(numbers) > shown:
        listed += f" and {len(numbers) - shown} more"
    leads = sum(len(b.lead_ids) for b in unsettled)
    word = "batch" if len(numbers) == 1 else "batches"
    return f"{leads:,} lead{'s' if leads != 1 else ''} in {word} {listed}"


def print_retention(console: Console, where: str, result: RetentionResult) -> None:
    """What `odlm retention` moved, or would move, per table."""
    verb = "archived and deleted" if result.archived else "deleted"
    head = f"Would be {verb}" if result.dry_run else verb.capitalize()
    console.print(f"{head}: rows dated before {result.cutoff}, in {where}", soft_wrap=True)
    for table, count in result.rows.items():
        target = f" (into {table}_archive)" if result.archived and count else ""
        console.print(f"  {table}: {count:,}{target}")
    console.print(f"  finished runs in the run journal: {result.runs:,}")
    console.print(f"  kept snapshots (odlm replay): {result.snapshots:,}")


def print_analytics(console: Console, title: str, data: Mapping[str, object]) -> None:
    """An `odlm report` result for people: figures as lines, lists of records as tables."""
    table_box = box.ROUNDED if console.is_terminal else box.ASCII
    console.print(f"[bold]{title}[/bold]")
    _print_mapping(console, data, table_box, "  ")


def _print_mapping(
    console: Console, data: Mapping[str, object], table_box: box.Box, indent: str
) -> None:
    for key, value in data.items():
        label = key.replace("_", " ")
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            table = Table(title=f"{indent}{label}", box=table_box, title_justify="left")
            columns = list(value[0])
            for column in columns:
                table.add_column(_short(column), overflow="fold")
            for row in value:
                table.add_row(*(_cell(row.get(column)) for column in columns))
            console.print(table)
        elif isinstance(value, dict):
            console.print(f"{indent}{label}:", markup=False)
            if value and all(not isinstance(v, dict | list) for v in value.values()):
                for k, v in value.items():
                    console.print(f"{indent}  {k}: {_cell(v)}", markup=False)
            else:
                _print_mapping(console, value, table_box, indent + "  ")
        else:
            console.print(f"{indent}{label}: {_cell(value)}", markup=False, soft_wrap=True)


def _short(column: str) -> str:
    for prefix in ("total_leads_", "distribution_", "salespeople_"):
        column = column.removeprefix(prefix)
    return column.replace("_", " ")


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
