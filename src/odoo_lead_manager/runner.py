"""One daily distribution run: plan, show, apply unless dry, summarise.

A real run holds the campaign's lock from before planning until the last
write, finishes any run of the campaign that a crash left unfinished, and
distributes a campaign once a day unless forced (spec §9.2, issue 7).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from odoo_lead_manager.applying import ApplyResult, ApplySettings, apply_plan
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.crm.opening import open_store
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.errors import ConfigError, DataFileError, UserInputError, reading
from odoo_lead_manager.pacing import bulk_objects
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.planning import RunOptions, build_plan, rotation_path
from odoo_lead_manager.recording import record_run, record_undo
from odoo_lead_manager.reporting.console import (
    print_apply_result,
    print_notes,
    print_outcome,
    print_plan,
    print_recommendations,
    print_undo_result,
)
from odoo_lead_manager.reporting.outputs import check_outputs, produce_outputs, report_of
from odoo_lead_manager.selection import target_campaign
from odoo_lead_manager.strategies.round_robin import save_rotation
from odoo_lead_manager.tracking import Journal, Tracking, open_tracking
from odoo_lead_manager.tracking.journal import COMPLETED, UNDOING, UNDONE
from odoo_lead_manager.tracking.locks import campaign_lock
from odoo_lead_manager.undoing import UndoResult, undo_run


@dataclass(frozen=True)
class RunOutcome:
    """A finished command: the plan it showed or applied, what was applied, how long it took.

    ``applied`` is None when nothing was written: a dry run, or a campaign
    already distributed today (``notes`` then says so and ``plan`` is that
    earlier run's plan). ``resumed`` holds runs a crash had left unfinished
    and that this command completed first.
    """

    plan: Plan
    applied: ApplyResult | None
    seconds: float
    notes: tuple[str, ...] = ()
    resumed: tuple[ApplyResult, ...] = ()

    @property
    def dry_run(self) -> bool:
        return self.applied is None and not self.notes

    @property
    def exit_status(self) -> int:
        """1 when a run had to stop before every planned lead was decided, else 0."""
        results = (*self.resumed, *([self.applied] if self.applied else []))
        return 1 if any(not result.complete for result in results) else 0


@bulk_objects()
def run_distribution(
    loaded: LoadedConfig,
    dry_run: bool,
    options: RunOptions | None = None,
    console: Console | None = None,
    store: CrmStore | None = None,
    force: bool = False,
) -> RunOutcome:
    """Run once; a dry run reads the CRM, changes nothing there and is recorded as a dry run.

    ``force`` distributes again a campaign already distributed today.
    """
    started = time.perf_counter()
    options = options or RunOptions()
    console = console or Console(quiet=True)
    check_outputs(loaded)
    with _crm(loaded, store) as crm:
        if dry_run:
            with _tracking(loaded) as tracking:
                plan = _planned(loaded, crm, options, console)
                print_plan(console, plan, dry_run=True)
                seconds = time.perf_counter() - started
                notes = record_run(loaded, tracking, plan, crm, None, seconds)
            outcome = RunOutcome(plan, None, 0.0, (*tracking.notes, *notes))
        else:
            outcome = _distribute_once(loaded, crm, options, console, force, started)
    return _finished(loaded, console, outcome, started)


@bulk_objects()
def apply_saved_plan(
    loaded: LoadedConfig,
    plan_file: Path,
    console: Console | None = None,
    store: CrmStore | None = None,
    force: bool = False,
) -> RunOutcome:
    """`odlm apply`: write exactly the plan a dry run saved, with the same re-checks."""
    started = time.perf_counter()
    console = console or Console(quiet=True)
    check_outputs(loaded)
    plan = read_plan(plan_file)
    campaign = target_campaign(loaded)
    if plan.campaign != campaign:
        raise ConfigError(
            f"{plan_file} is a plan for campaign {plan.campaign or '(none)'}, but "
            f"{loaded.path} distributes {campaign or '(no campaign)'}"
        )
    with _crm(loaded, store) as crm, _locked_tracking(loaded, campaign) as tracking:
        journal, notes = tracking.journal, tracking.notes
        record = journal.run(plan.run_id)
        if record is not None and record.status == COMPLETED:
            note = f"plan {plan.run_id} was applied already ({record.updated_at:%Y-%m-%d %H:%M}); "
            return _finished(
                loaded, console, RunOutcome(plan, None, 0.0, (*notes, note + "nothing changed")),
                started,
            )  # fmt: skip
        if record is None:
            _refuse_other_runs(journal, loaded, campaign, plan.today, force)
        elif record.status in (UNDOING, UNDONE):
            raise UserInputError(f"run {plan.run_id} was undone; it cannot be applied again")
        print_plan(console, plan, dry_run=False)
        result, recorded = _apply(loaded, plan, crm, tracking, console, force, started)
        outcome = RunOutcome(plan, result, 0.0, (*notes, *recorded))
    return _finished(loaded, console, outcome, started)


@bulk_objects()
def undo(
    loaded: LoadedConfig,
    run_id: str,
    console: Console | None = None,
    store: CrmStore | None = None,
) -> UndoResult:
    """`odlm undo`: give a run's leads their previous values where nobody changed them since."""
    console = console or Console(quiet=True)
    with _crm(loaded, store) as crm, _tracking(loaded) as tracking:
        journal = tracking.journal
        record = journal.run(run_id)
        if record is None:
            raise UserInputError(f"no run {run_id} in the run journal {journal.where}")
        with campaign_lock(journal, record.campaign):
            settings = ApplySettings.from_config(loaded)
            with _progress(console, record.written, "Undoing") as advance:
                result = undo_run(run_id, crm, journal, settings, advance)
            recorded = (
                () if result.earlier else record_undo(loaded, tracking, journal.plan(run_id), crm)
            )
    print_notes(console, (*tracking.notes, *recorded))
    print_undo_result(console, result)
    return result


def read_plan(path: Path) -> Plan:
    """A plan file written by ``--plan-out``; a bad one is a `DataFileError` naming it."""
    with reading(path, "plan file", DataFileError):
        text = path.read_bytes()
    try:
        return Plan.from_json(text)
    except ValueError as exc:
        raise DataFileError(f"{path}: not an odlm plan: {exc}") from None


def _distribute_once(
    loaded: LoadedConfig,
    crm: CrmStore,
    options: RunOptions,
    console: Console,
    force: bool,
    started: float,
) -> RunOutcome:
    campaign = target_campaign(loaded)
    today = options.today or date.today()
    with _locked_tracking(loaded, campaign) as tracking:
        journal, notes = tracking.journal, tracking.notes
        resumed = []
        for record in journal.unfinished(campaign or ""):
            if record.status == UNDOING:
                raise UserInputError(
                    f"run {record.run_id} of {record.run_date} was being undone when it "
                    f"stopped; finish that first with: odlm undo {record.run_id}"
                )
            plan = journal.plan(record.run_id)
            console.print(
                f"Run {record.run_id} of {record.run_date} did not finish ({record.status}); "
                "finishing it first."
            )
            result, recorded = _apply(loaded, plan, crm, tracking, console, record.forced, started)
            notes += recorded
            resumed.append(result)
            if not result.complete or record.run_date == today:
                # Today's distribution is that run; planning another would distribute twice.
                return RunOutcome(plan, result, 0.0, notes, tuple(resumed[:-1]))
        done = journal.completed_on(campaign or "", today)
        if done is not None and not force:
            note = (
                f"campaign {campaign or '(any)'} was distributed on {today} already "
                f"(run {done.run_id}, {done.written:,} leads); nothing changed. "
                "Use --force to distribute again."
            )
            return RunOutcome(journal.plan(done.run_id), None, 0.0, (*notes, note), tuple(resumed))
        plan = _planned(loaded, crm, options, console)
        print_plan(console, plan, dry_run=False)
        result, recorded = _apply(loaded, plan, crm, tracking, console, force, started)
        return RunOutcome(plan, result, 0.0, (*notes, *recorded), tuple(resumed))


def _refuse_other_runs(
    journal: Journal, loaded: LoadedConfig, campaign: str | None, day: date, force: bool
) -> None:
    """A saved plan is not applied over an unfinished run, nor twice on a day unless forced."""
    for record in journal.unfinished(campaign or ""):
        raise UserInputError(
            f"run {record.run_id} of {record.run_date} did not finish ({record.status}); "
            f"finish it with: odlm dailydist --config {loaded.path}, or take it back with: "
            f"odlm undo {record.run_id}; nothing was changed"
        )
    done = journal.completed_on(campaign or "", day)
    if done is not None and not force:
        raise UserInputError(
            f"campaign {campaign or '(any)'} was distributed on {day} already (run "
            f"{done.run_id}); use --force to apply this plan as well; nothing was changed"
        )


def _apply(
    loaded: LoadedConfig,
    plan: Plan,
    crm: CrmStore,
    tracking: Tracking,
    console: Console,
    forced: bool,
    started: float,
) -> tuple[ApplyResult, tuple[str, ...]]:
    """Apply (or finish applying) ``plan`` and record it in the history; and the notes to show.

    Once the plan is complete, its rotation becomes the next start.
    """
    settings = ApplySettings.from_config(loaded)
    planned = sum(len(group.lead_ids) for group in plan.writes)
    with _progress(console, planned, "Writing") as advance:
        result = apply_plan(plan, crm, tracking.journal, settings, forced, advance)
    if result.complete and plan.rotation is not None:
        save_rotation(rotation_path(loaded, plan.campaign), plan.rotation)
    seconds = time.perf_counter() - started
    return result, record_run(loaded, tracking, plan, crm, result, seconds)


@contextmanager
def _crm(loaded: LoadedConfig, store: CrmStore | None) -> Iterator[CrmStore]:
    crm = store if store is not None else open_store(loaded)
    try:
        yield crm
    finally:
        if store is None:
            crm.close()


@contextmanager
def _tracking(loaded: LoadedConfig) -> Iterator[Tracking]:
    """The journal and history, with the note to show when tracking fell back."""
    tracking = open_tracking(loaded)
    try:
        yield tracking
    finally:
        tracking.close()


@contextmanager
def _locked_tracking(loaded: LoadedConfig, campaign: str | None) -> Iterator[Tracking]:
    with _tracking(loaded) as tracking, campaign_lock(tracking.journal, campaign or ""):
        yield tracking


def _planned(loaded: LoadedConfig, crm: CrmStore, options: RunOptions, console: Console) -> Plan:
    """`build_plan`, counting the leads fetched on a terminal (fetching is the long step)."""
    if not console.is_terminal:
        return build_plan(loaded, crm, options)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Fetching leads", total=None)

        def fetched(count: int) -> None:
            progress.update(task, completed=count, description=f"Fetching leads: {count:,}")

        return build_plan(loaded, crm, replace(options, on_fetched=fetched))


@contextmanager
def _progress(console: Console, total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; elsewhere a no-op, so logs stay readable."""
    if not console.is_terminal or total == 0:
        yield lambda _done: None
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{what} {total:,} leads", total=total)
        yield lambda done: progress.advance(task, done)


def _finished(
    loaded: LoadedConfig, console: Console, outcome: RunOutcome, started: float
) -> RunOutcome:
    seconds = time.perf_counter() - started
    outcome = replace(outcome, seconds=seconds)
    print_notes(console, outcome.notes)
    for result in outcome.resumed:
        print_apply_result(console, result, loaded.path)
    if outcome.notes and outcome.applied is None:
        return outcome
    report = report_of(loaded, outcome.plan, outcome.applied, seconds)
    print_recommendations(console, report.recommendations)
    print_outcome(console, outcome.plan, outcome.applied, seconds, loaded.path)
    produce_outputs(loaded, console, report)
    return outcome
