"""A run's machinery, shared by the verbs that write or read the run journal: the CRM and
the tracking opened, the campaign's lock held, a plan applied and put on record.

A real run holds the campaign's lock from before planning until the last
write (with a run journal in a local file, also its lease in the CRM: see
`state.locks`), finishes any run of the campaign that a crash left
unfinished, and distributes a campaign once a day unless forced. The
round-robin position is read from the journal's database before planning and
kept there with the run's completion.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from rich.console import Console
from rich.progress import Progress

from odoo_lead_manager.apply.recording import record_run
from odoo_lead_manager.apply.writer import apply_plan
from odoo_lead_manager.commands.resolve import (
    apply_settings,
    crm_settings,
    plan_settings,
    read_settings,
    record_settings,
    tracking_settings,
)
from odoo_lead_manager.commands.terminal import progress_bar
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.config.registry import announce
from odoo_lead_manager.crm.opening import open_store
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.fetched import Rejection
from odoo_lead_manager.domain.holders import HolderChains
from odoo_lead_manager.domain.ledger import Standing
from odoo_lead_manager.domain.odoo_assignment import refusal
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.received import Received
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.domain.runs import ApplyResult, RunRecord
from odoo_lead_manager.errors import (
    DataFileError,
    UserInputError,
)
from odoo_lead_manager.ops.limits import MAX_PLAN_BYTES, read_bounded
from odoo_lead_manager.ops.logs import log_context, tell
from odoo_lead_manager.ops.monitoring import Stages
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.pipeline.planning import Planned, choose_seed, plan_snapshot
from odoo_lead_manager.snapshot.fetch import take_snapshot
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.locks import run_lock
from odoo_lead_manager.state.received import ledger_standing, moved_elsewhere, received_history
from odoo_lead_manager.state.rotation import current_rotation
from odoo_lead_manager.state.tracking import Journal, Tracking, open_tracking

log = logging.getLogger(__name__)
# The planner says its lines through the command; they keep the planner's name.
PLANNER_LOG = logging.getLogger("odoo_lead_manager.pipeline.planning")


# `odlm status` lists the undelivered digests of the runs of this many days back.


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
    # Their plans, in the same order (for their digests).
    resumed_plans: tuple[Plan, ...] = ()
    # Nothing was planned or written this time; ``notes`` say why (``plan`` is an earlier one).
    skipped: bool = False
    # Planned by this command (not a saved or resumed plan), and the leads its
    # filters excluded, for the excluded-leads ledger (when configured).
    fresh: bool = False
    rejected: tuple[Rejection, ...] = ()
    # The Odoo server's major version (None: the local store), for the digests' links.
    odoo_version: int | None = None

    @property
    def dry_run(self) -> bool:
        return self.applied is None and not self.skipped

    @property
    def results(self) -> tuple[ApplyResult, ...]:
        """What each run this command wrote did: the resumed ones, then its own."""
        return (*self.resumed, *([self.applied] if self.applied else []))

    @property
    def exit_status(self) -> int:
        """1 when a run had to stop before every planned lead was decided, else 0."""
        return 1 if any(not result.complete for result in self.results) else 0


P = ParamSpec("P")


R = TypeVar("R")


def in_campaign_context(
    command: Callable[Concatenate[LoadedConfig, P], R],
) -> Callable[Concatenate[LoadedConfig, P], R]:
    """Every log line of ``command`` names the configuration's campaign."""

    def logged(loaded: LoadedConfig, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with log_context(campaign=loaded.config.target_campaign or "(any)"):
            return command(loaded, *args, **kwargs)

    functools.update_wrapper(logged, command)
    return logged


def write_plan(path: Path, plan: Plan, console: Console) -> None:
    """Save ``plan`` for `odlm apply`; a file that cannot be written is bad input, named."""
    try:
        path.write_text(plan.to_json(), encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write the plan to {path}: {exc.strerror}") from None
    console.print(f"Plan {plan.run_id} written to {path}", soft_wrap=True, markup=False)


def odoo_refusal(loaded: LoadedConfig, crm: CrmStore, plan: Plan) -> str | None:
    """Why ``plan``, planned earlier (a saved plan, an unfinished run), is not written now:
    Odoo assigns leads on its own, read again since the setting may have changed. None when
    it does not, or ``crm.odoo_auto_assignment: accept``."""
    assignment = crm.lead_assignment()
    if not assignment.automatic or loaded.config.crm.odoo_auto_assignment == "accept":
        return None
    teams = {v for g in plan.writes if isinstance(v := g.values.get("team_id"), int)}
    return refusal(assignment, teams)


def refusal_message(path: Path, problems: list[str]) -> str:
    shown = "; ".join(problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"{path}: {shown}{more}; nothing was changed"


def read_plan(path: Path) -> Plan:
    """A plan file written by ``--plan-out``; a bad one is a `DataFileError` naming it."""
    text = read_bounded(path, "plan file", MAX_PLAN_BYTES, DataFileError)
    try:
        return Plan.from_json(text)
    except ValueError as exc:
        raise DataFileError(f"{path}: not an odlm plan: {exc}") from None


def done_this_period(
    loaded: LoadedConfig, journal: Journal, campaign: str | None, day: date
) -> RunRecord | None:
    """The run that already distributed the campaign in ``day``'s period, if any.

    The period is ``campaign.distribution_frequency``: the day, its ISO week
    (from Monday) or its month.
    """
    frequency = loaded.config.campaign.distribution_frequency
    since = day
    if frequency == "weekly":
        since = day - timedelta(days=day.weekday())
    elif frequency == "monthly":
        since = day.replace(day=1)
    return journal.completed_on(campaign or "", day, since)


def done_note(loaded: LoadedConfig, done: RunRecord, day: date) -> str:
    campaign = done.campaign or "(any)"
    frequency = loaded.config.campaign.distribution_frequency
    when = (
        f"on {day}"
        if frequency == "daily"
        else f"on {done.run_date}, and campaign.distribution_frequency is {frequency}"
    )
    return (
        f"campaign {campaign} was distributed {when} already (run {done.run_id}, "
        f"{plural(done.written, 'lead')})"
    )


def already_done(
    loaded: LoadedConfig, journal: Journal, campaign: str | None, day: date
) -> tuple[str, ...]:
    """A dry run's note when a real run now would do nothing (the campaign was distributed)."""
    done = done_this_period(loaded, journal, campaign, day)
    if done is None:
        return ()
    return (f"{done_note(loaded, done, day)}: a real run now changes nothing unless --run-again",)


def refuse_other_runs(
    journal: Journal, loaded: LoadedConfig, campaign: str | None, day: date, force: bool
) -> None:
    """A saved plan is not applied over an unfinished run, nor twice on a day unless forced."""
    for record in journal.unfinished(campaign or ""):
        raise UserInputError(
            f"run {record.run_id} of {record.run_date} did not finish ({record.status}); "
            f"finish it with: odlm dailydist --config {loaded.path}, or take it back with: "
            f"odlm undo {record.run_id}; nothing was changed"
        )
    done = done_this_period(loaded, journal, campaign, day)
    if done is not None and not force:
        raise UserInputError(
            f"{done_note(loaded, done, day)}; use --run-again to apply this plan as well; "
            "nothing was changed"
        )


def against_preview(journal: Journal, plan: Plan) -> tuple[str, ...]:
    """How the run compares with the day's latest dry run: the preview is the run
    unless the CRM (or the command's options) changed in between."""
    found = journal.dry_run_plan(plan.campaign or "", plan.today)
    if found is None:
        return ()
    run, preview = found
    when = f"the dry run {run.run_id} of {run.taken_at:%H:%M} UTC"
    if preview.seed != plan.seed or preview.config_digest != plan.config_digest:
        return (f"planned with another seed or configuration than {when}",)
    differ = preview.decided_differently(plan)
    if differ == 0:
        return (f"every lead decided as {when} showed",)
    return (
        f"{differ:,} of {plural(len(plan.fates()), 'lead')} decided otherwise than {when} "
        "showed: the CRM changed since",
    )


def write_and_record(
    loaded: LoadedConfig,
    plan: Plan,
    crm: CrmStore,
    tracking: Tracking,
    console: Console,
    forced: bool,
    started: float,
    stages: Stages,
) -> tuple[ApplyResult, tuple[str, ...]]:
    """Apply (or finish applying) ``plan`` and record it in the history; and the notes to show.

    Once the plan is complete, its rotation becomes the next start (the
    journal keeps it with the run's completion).
    """
    settings = apply_settings(loaded)
    planned = sum(len(group.lead_ids) for group in plan.writes)
    with log_context(run_id=plan.run_id):
        with stages.timing("writing"), progress_bar(console, planned, "Writing") as advance:
            result = apply_plan(plan, crm, tracking.journal, settings, forced, advance)
        seconds = time.perf_counter() - started
        with stages.timing("history"):
            return result, record_run(record_settings(loaded), tracking, plan, crm, result, seconds)


@contextmanager
def opened_crm(loaded: LoadedConfig, store: CrmStore | None) -> Iterator[CrmStore]:
    crm = store if store is not None else open_store(crm_settings(loaded))
    try:
        yield crm
    finally:
        if store is None:
            crm.close()


@contextmanager
def opened_tracking(loaded: LoadedConfig) -> Iterator[Tracking]:
    """The journal and history, with the note to show when tracking fell back."""
    tracking = open_tracking(tracking_settings(loaded))
    try:
        yield tracking
    finally:
        tracking.close()


@contextmanager
def locked_tracking(
    loaded: LoadedConfig, campaign: str | None, crm: CrmStore
) -> Iterator[Tracking]:
    with (
        opened_tracking(loaded) as tracking,
        run_lock(tracking.journal, campaign or "", crm, lease_minutes(loaded)),
    ):
        yield tracking


def lease_minutes(loaded: LoadedConfig) -> int | None:
    """How long a run's lease in the CRM lasts; None when the configuration accepts a
    lock only its own journal sees (``tracking.local_lock``)."""
    tracking = loaded.config.tracking
    return None if tracking.local_lock else tracking.lease_minutes


def plan_run(
    loaded: LoadedConfig,
    store: CrmStore,
    options: RunOptions | None = None,
    rotation: Rotation | None = None,
    received: Received | None = None,
    moved_elsewhere: Collection[int] = (),
    holders: Callable[[Collection[int]], HolderChains] | None = None,
    standing: Standing | None = None,
) -> Planned:
    """Take the snapshot (the one step that reads the CRM and the files), then plan from it
    alone: the two steps a live run composes, with the settings resolved once for both.

    ``rotation`` is where round robin's cycle stands and ``received`` what each
    salesperson received in earlier runs (the caller reads both from the tracking
    database); ``moved_elsewhere`` the leads earlier campaigns of this command moved;
    ``holders`` reads the fetched leads' earlier holders from the tracking history;
    ``standing`` is the fairness ledger before the run.
    """
    options = options or RunOptions()
    settings = plan_settings(loaded)
    announce(settings.where, settings.notices)
    snapshot = take_snapshot(
        settings,
        read_settings(loaded),
        store,
        options,
        rotation,
        received,
        moved_elsewhere,
        standing,
    )
    if holders is not None and settings.distribution.never_back_to_last > 1:
        # Read once the leads are known, and kept with them: a replay decides alike.
        fetched = [lead.id for lead in snapshot.fetched.leads]
        snapshot = replace(snapshot, earlier_holders=holders(fetched))
    seed = choose_seed(settings, options.seed, snapshot.today)
    planned = plan_snapshot(settings, snapshot, seed, options.ledger)
    tell(PLANNER_LOG, planned.said)
    return replace(planned, snapshot=snapshot)


def build_plan(
    loaded: LoadedConfig,
    store: CrmStore,
    options: RunOptions | None = None,
    rotation: Rotation | None = None,
) -> Plan:
    """Select, measure, find and distribute; the plan, without writing anything."""
    return plan_run(loaded, store, options, rotation).plan


def keep_snapshot(journal: Journal, planned: Planned, dry_run: bool) -> None:
    """Keep what the plan was computed from, for `odlm replay`, `explain` and `compare`."""
    if planned.snapshot is not None:
        journal.keep_snapshot(planned.snapshot, planned.plan, dry_run)


def planned_run(
    loaded: LoadedConfig,
    crm: CrmStore,
    options: RunOptions,
    console: Console,
    stages: Stages,
    tracking: Tracking,
) -> Planned:
    """`plan_run`, counting the leads fetched on a terminal (fetching is the long step);
    the round-robin rotation and the earlier receipts the caps count are read from the
    tracking database first, so planning need not."""
    with stages.timing("planning"), log_context(run_id=options.run_id):
        today = options.today or date.today()
        kept = tracking_settings(loaded)
        rotation = current_rotation(kept, tracking.journal, today)
        received = received_history(kept, tracking.history, today)
        moved = moved_elsewhere(kept, tracking.history, today)
        holders = tracking.history.holder_chains if tracking.history is not None else None
        standing = ledger_standing(kept, tracking.history, today)
        if not console.is_terminal:
            return plan_run(loaded, crm, options, rotation, received, moved, holders, standing)
        return planned_with_progress(
            loaded, crm, options, console, rotation, received, moved, holders, standing
        )


def planned_with_progress(
    loaded: LoadedConfig,
    crm: CrmStore,
    options: RunOptions,
    console: Console,
    rotation: Rotation | None,
    received: Received | None,
    moved: tuple[int, ...],
    holders: Callable[[Collection[int]], HolderChains] | None,
    standing: Standing | None,
) -> Planned:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Fetching leads", total=None)

        def fetched(count: int) -> None:
            progress.update(task, completed=count, description=f"Fetching leads: {count:,}")

        return plan_run(
            loaded,
            crm,
            replace(options, on_fetched=fetched),
            rotation,
            received,
            moved,
            holders,
            standing,
        )
