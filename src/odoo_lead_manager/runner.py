"""One daily distribution run: plan, show, apply unless dry, summarise.

A real run holds the campaign's lock from before planning until the last
write (with a run journal in a local file, also its lease in the CRM: see
`tracking.locks`), finishes any run of the campaign that a crash left
unfinished, and distributes a campaign once a day unless forced (spec §9.2,
issue 7). The round-robin position is read from the journal's database before
planning and kept there with the run's completion.
"""

from __future__ import annotations

import functools
import logging
import shlex
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from rich.console import Console
from rich.progress import Progress

from odoo_lead_manager import audit
from odoo_lead_manager.applying import ApplyResult, ApplySettings, apply_plan
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.config.fingerprint import config_fingerprint
from odoo_lead_manager.config.registry import check_settings, refuse_unsupported
from odoo_lead_manager.crm.opening import odoo_version, open_store
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.errors import (
    ConfigError,
    DataFileError,
    RunSkipped,
    UserInputError,
)
from odoo_lead_manager.finding.configured import dropback_user_ids
from odoo_lead_manager.finding.finder import Rejection
from odoo_lead_manager.limits import MAX_PLAN_BYTES, read_bounded
from odoo_lead_manager.logs import log_context, stage_line
from odoo_lead_manager.monitoring import Stages, monitoring_lines, peak_memory_mb
from odoo_lead_manager.odoo_assignment import refusal
from odoo_lead_manager.pacing import bulk_objects
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.plan_checks import WriteRules, format_problem, write_problems
from odoo_lead_manager.planning import Planned, RunOptions, fallback_owner, plan_run
from odoo_lead_manager.received_state import moved_elsewhere, received_history
from odoo_lead_manager.recording import record_run, record_undo
from odoo_lead_manager.reporting.alerts import failure_alert, send_alert, slow_alert
from odoo_lead_manager.reporting.console import (
    Advice,
    print_apply_result,
    print_monitoring,
    print_notes,
    print_outcome,
    print_plan,
    print_recommendations,
    print_undo_result,
)
from odoo_lead_manager.reporting.outputs import (
    check_outputs,
    counts_dropback,
    produce_exports,
    produce_outputs,
    report_of,
    send_corrections,
    send_digests,
)
from odoo_lead_manager.rotation_state import current_rotation
from odoo_lead_manager.selection import select_from_config, target_campaign
from odoo_lead_manager.status import CampaignStatus, campaign_status
from odoo_lead_manager.strategies.caps import Received
from odoo_lead_manager.strategies.round_robin import Rotation
from odoo_lead_manager.tracking import Journal, Tracking, open_tracking
from odoo_lead_manager.tracking.journal import COMPLETED, UNDOING, UNDONE, RunRecord
from odoo_lead_manager.tracking.locks import run_lock
from odoo_lead_manager.undoing import UndoResult, undo_run

if TYPE_CHECKING:
    from odoo_lead_manager.reporting.digests import Sent

log = logging.getLogger(__name__)

# `odlm status` lists the undelivered digests of the runs of this many days back.
DIGEST_DAYS = 7


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
        with log_context(campaign=target_campaign(loaded) or "(any)"):
            return command(loaded, *args, **kwargs)

    functools.update_wrapper(logged, command)
    return logged


@bulk_objects()
@in_campaign_context
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
    # Chosen here, so that the log lines of fetching and planning carry the run's id.
    options = replace(options, run_id=options.run_id or uuid.uuid4().hex)
    console = console or Console(quiet=True)
    refuse_unsupported(loaded)  # planning warns about the rest, once
    check_outputs(loaded)
    for option, path in (
        ("--plan-out", options.plan_out),
        ("--export-excluded", options.export_excluded),
    ):
        if path is not None and not path.parent.is_dir():
            raise UserInputError(f"{option} {path}: folder {path.parent} does not exist")
    today = options.today or date.today()
    if not dry_run and not loaded.config.campaign.active:
        raise RunSkipped(
            f"campaign {target_campaign(loaded) or '(any)'} is not active (campaign.active: "
            "false): nothing was distributed"
        )
    stages = Stages()
    with _crm(loaded, store) as crm:
        if dry_run:
            with _tracking(loaded) as tracking:
                planned = _planned(loaded, crm, options, console, stages, tracking)
                plan = planned.plan
                _keep_snapshot(tracking.journal, planned, dry_run=True)
                print_plan(console, plan, dry_run=True, dropback=counts_dropback(loaded))
                seconds = time.perf_counter() - started
                with stages.timing("history"):
                    notes = record_run(loaded, tracking, plan, crm, None, seconds)
                notes += _already_done(loaded, tracking.journal, plan.campaign, today)
                if not loaded.config.campaign.active:
                    notes += (
                        f"campaign {plan.campaign or '(any)'} is not active (campaign.active: "
                        "false): a real run distributes nothing",
                    )
            outcome = RunOutcome(
                plan, None, 0.0, (*tracking.notes, *notes), fresh=True, rejected=planned.rejected
            )
        else:
            outcome = _distribute_once(loaded, crm, options, console, force, started, stages)
        outcome = replace(outcome, odoo_version=odoo_version(crm))
    if options.plan_out is not None:
        write_plan(options.plan_out, outcome.plan, console)
    command = "dailydist --dry-run" if dry_run else "dailydist"
    return _finished(loaded, console, outcome, started, command, options, stages)


def write_plan(path: Path, plan: Plan, console: Console) -> None:
    """Save ``plan`` for `odlm apply`; a file that cannot be written is bad input, named."""
    try:
        path.write_text(plan.to_json(), encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write the plan to {path}: {exc.strerror}") from None
    console.print(f"Plan {plan.run_id} written to {path}", soft_wrap=True, markup=False)


@bulk_objects()
@in_campaign_context
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
    check_settings(loaded)
    check_outputs(loaded)
    plan = read_plan(plan_file)
    campaign = target_campaign(loaded)
    if plan.campaign != campaign:
        raise ConfigError(
            f"{plan_file} is a plan for campaign {plan.campaign or '(none)'}, but "
            f"{loaded.path} distributes {campaign or '(no campaign)'}"
        )
    _check_plan_file(loaded, plan_file, plan, force)
    with _crm(loaded, store) as crm, _locked_tracking(loaded, campaign, crm) as tracking:
        journal, notes = tracking.journal, tracking.notes
        record = journal.run(plan.run_id)
        if record is not None and journal.plan(plan.run_id) != plan:
            raise DataFileError(
                f"{plan_file}: the run journal {journal.where} holds another plan with run id "
                f"{plan.run_id} (the file was changed after it was first applied); nothing "
                "was changed"
            )
        _check_recipients(loaded, crm, plan, plan_file)
        if record is None and (why := _odoo_refusal(loaded, crm, plan)) is not None:
            raise UserInputError(f"{plan_file}: {why}; nothing was changed")
        if record is not None and record.status == COMPLETED:
            note = f"plan {plan.run_id} was applied already ({record.updated_at:%Y-%m-%d %H:%M}); "
            outcome = RunOutcome(plan, None, 0.0, (*notes, note + "nothing changed"), skipped=True)
            return _finished(loaded, console, outcome, started, "apply")
        if record is None:
            _refuse_other_runs(journal, loaded, campaign, plan.today, force)
            journal.promote_snapshot(plan.run_id)
        elif record.status in (UNDOING, UNDONE):
            raise UserInputError(f"run {plan.run_id} was undone; it cannot be applied again")
        print_plan(console, plan, dry_run=False, dropback=counts_dropback(loaded))
        stages = Stages()
        result, recorded = _apply(loaded, plan, crm, tracking, console, force, started, stages)
        outcome = RunOutcome(plan, result, 0.0, (*notes, *recorded), odoo_version=odoo_version(crm))
    return _finished(loaded, console, outcome, started, "apply", None, stages)


def _check_plan_file(loaded: LoadedConfig, path: Path, plan: Plan, force: bool) -> None:
    """Refuse a plan this odlm cannot read as meant, made under another configuration
    (unless ``force``), or whose writes disagree with its assignments or the configuration."""
    problem = format_problem(plan)
    if problem is None and not force and plan.config_digest != config_fingerprint(loaded.config):
        problem = (
            f"the plan was made under another configuration than {loaded.path} (or an "
            "earlier version of it); make the plan again, or use --force to apply it as it is"
        )
    problems = [problem] if problem else write_problems(plan, WriteRules.of(loaded.config))
    if problems:
        raise DataFileError(_refusal(path, problems))


def _check_recipients(loaded: LoadedConfig, crm: CrmStore, plan: Plan, path: Path) -> None:
    """Refuse a plan that hands leads to anyone the configuration would not, today.

    The plan's salespeople must be eligible for its campaign now (a plan file
    can be edited; the campaign table is read again), dropped-back leads go
    to the configured dropback users only, and every recipient is a CRM user
    who may own leads.
    """
    problems = []
    eligible = {p.user_id for p in select_from_config(loaded, crm, plan.campaign).eligible}
    for person in plan.salespeople:
        if person.user_id not in eligible:
            problems.append(
                f"salesperson {person.name} (user {person.user_id}) is not eligible for "
                f"campaign {plan.campaign or '(none)'} under {loaded.path}"
            )
    if plan.fallback_owner is not None:
        fallback = fallback_owner(loaded, crm, plan.campaign)
        if fallback is None or fallback.user_id != plan.fallback_owner:
            named = f"names {fallback.name}" if fallback is not None else "names none"
            problems.append(
                f"{plan.user_label(plan.fallback_owner)} receives the leads as the fallback "
                "owner, but "
                f"{loaded.path} {named} (error_handling.fallback_strategies.fallback_owner)"
            )
    dropped_back = {a.user_id for a in plan.dropback} if plan.dropback_applied else set()
    allowed = dropback_user_ids(loaded, crm) if dropped_back else set()
    for user_id in sorted(dropped_back - allowed):
        problems.append(
            f"{plan.user_label(user_id)} receives dropped-back leads but is no dropback user"
        )
    wanted = {assignment.user_id for assignment in plan.handed_out}
    users = {user.id: user for user in crm.users_by_id(wanted)} if wanted else {}
    for user_id in sorted(wanted):
        user = users.get(user_id)
        if user is None:
            problems.append(f"{plan.user_label(user_id)} does not exist in the CRM")
        elif not user.active:
            problems.append(f"{user.name} (user {user_id}) is archived in the CRM")
        elif not user.may_own_leads:
            problems.append(f"{user.name} (user {user_id}) may not own leads (no sales rights)")
    if problems:
        raise DataFileError(_refusal(path, problems))


def _odoo_refusal(loaded: LoadedConfig, crm: CrmStore, plan: Plan) -> str | None:
    """Why ``plan``, planned earlier (a saved plan, an unfinished run), is not written now:
    Odoo assigns leads on its own, read again since the setting may have changed. None when
    it does not, or ``crm.odoo_auto_assignment: accept``."""
    assignment = crm.lead_assignment()
    if not assignment.automatic or loaded.config.crm.odoo_auto_assignment == "accept":
        return None
    teams = {v for g in plan.writes if isinstance(v := g.values.get("team_id"), int)}
    return refusal(assignment, teams)


def _refusal(path: Path, problems: list[str]) -> str:
    shown = "; ".join(problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"{path}: {shown}{more}; nothing was changed"


@bulk_objects()
@in_campaign_context
def undo(
    loaded: LoadedConfig,
    run_id: str,
    console: Console | None = None,
    store: CrmStore | None = None,
) -> UndoResult:
    """`odlm undo`: give a run's leads their previous values where nobody changed them since.

    Once every lead is decided, each salesperson it touched gets a correction
    (``reporting.digests``): what they had received and lost again, what is
    theirs again.
    """
    console = console or Console(quiet=True)
    with _crm(loaded, store) as crm, _tracking(loaded) as tracking:
        journal = tracking.journal
        record = journal.find_run(run_id) if run_id else None
        if record is None:
            raise UserInputError(f"no run {run_id} in the run journal {journal.where}")
        run_id = record.run_id
        with run_lock(journal, record.campaign, crm, _lease_minutes(loaded)):
            settings = ApplySettings.from_config(loaded)
            with _progress(console, record.written, "Undoing") as advance:
                result = undo_run(run_id, crm, journal, settings, advance)
            plan = journal.plan(run_id)
            recorded = () if result.earlier else record_undo(loaded, tracking, plan, crm)
        version = odoo_version(crm)
    print_notes(console, (*tracking.notes, *recorded))
    print_undo_result(console, result)
    if not result.earlier and result.stopped is None:
        send_corrections(loaded, console, plan, result.restored_leads, version)
    audit.record(
        loaded,
        "undo",
        {
            "run_id": run_id,
            "campaign": record.campaign,
            "outcome": "stopped" if result.stopped else "completed",
            "restored": result.restored,
            "already": result.already,
            "left_alone": len(result.left_alone),
            "failed": len(result.failed),
        },
    )
    return result


@dataclass(frozen=True)
class Resent:
    """What `odlm digests resend` did for one run: whose messages it sent and how that went."""

    run_id: str
    kind: str
    salespeople: int
    sent: tuple[Sent, ...]
    # Salespeople every one of whose messages had been delivered: not sent again.
    delivered_before: int

    @property
    def failed(self) -> int:
        return len({s.digest.user_id for s in self.sent if s.problem is not None})


def resend_digests(loaded: LoadedConfig, run_id: str, console: Console | None = None) -> Resent:
    """`odlm digests resend`: send again the messages about run ``run_id`` (its id, or an
    unambiguous start of it) that did not reach their salespeople, through the configured
    channels; those delivered before are not sent again.

    The messages are built as the run built them, from its kept plan and what its
    journal says it wrote (and, for an undone run, what the undo restored: the
    corrections), never from the CRM as it is now.
    """
    from odoo_lead_manager.reporting.digests import build_corrections, build_digests
    from odoo_lead_manager.reporting.outputs import (
        deliver_digests,
        odoo_links,
        sends_digests,
    )
    from odoo_lead_manager.tracking.journal import RUN_DIGEST, UNDO_DIGEST
    from odoo_lead_manager.undoing import restored_leads

    console = console or Console(quiet=True)
    settings = loaded.config.reporting.digests
    if settings is None or not sends_digests(settings):
        raise UserInputError(
            f"{loaded.path}: reporting.digests sends nothing (set its email, webhook_url or "
            "directory); nothing was sent"
        )
    check_outputs(loaded)
    with _tracking(loaded) as tracking:
        journal = tracking.journal
        record = journal.find_run(run_id) if run_id else None
        if record is None:
            raise UserInputError(f"no run {run_id!r} in the run journal {journal.where}")
        if record.status not in (COMPLETED, UNDONE):
            raise UserInputError(
                f"run {record.run_id} of {record.run_date} did not finish ({record.status}): "
                "its digests are sent once it is finished (odlm dailydist) or undone (odlm "
                "undo); nothing was sent"
            )
        plan = journal.plan(record.run_id)
        undone = record.status == UNDONE
        kind = UNDO_DIGEST if undone else RUN_DIGEST
        leads = (
            restored_leads(journal.batches(record.run_id, "undo"))
            if undone
            else journal.placed(record.run_id)
        )
        past = [d for d in journal.digest_deliveries(record.run_id) if d.kind == kind]
    print_notes(console, tracking.notes)
    version = next((d.odoo_version for d in past if d.odoo_version is not None), None)
    links = odoo_links(loaded, settings, version)
    build = build_corrections if undone else build_digests
    digests = build(plan, leads, settings, links)
    done = {(d.kind, d.user_id, d.channel) for d in past if d.delivered}
    what = "corrections of the undo of run" if undone else "digests of run"
    console.print(
        f"The {what} {record.run_id} ({record.campaign or 'any campaign'}, "
        f"{record.run_date}), built from its kept plan and journal:",
        soft_wrap=True,
        markup=False,
    )
    sent = deliver_digests(loaded, console, record.run_id, digests, version, done)
    attempted = {s.digest.user_id for s in sent}
    before = len({d.user_id for d in digests} - attempted)
    if before:
        console.print(
            f"  {before} salespeople's messages were delivered before: not sent again",
            soft_wrap=True,
            markup=False,
        )
    if not digests:
        console.print("  nobody to tell: nothing was sent", soft_wrap=True, markup=False)
    result = Resent(record.run_id, kind, len(digests), tuple(sent), before)
    audit.record(
        loaded,
        "digests resend",
        {
            "run_id": record.run_id,
            "campaign": record.campaign,
            "kind": kind,
            "outcome": "undelivered" if result.failed else "delivered",
            "sent": len(attempted),
            "not_reached": result.failed,
            "delivered_before": before,
        },
    )
    return result


def read_plan(path: Path) -> Plan:
    """A plan file written by ``--plan-out``; a bad one is a `DataFileError` naming it."""
    text = read_bounded(path, "plan file", MAX_PLAN_BYTES, DataFileError)
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
    stages: Stages,
) -> RunOutcome:
    campaign = target_campaign(loaded)
    today = options.today or date.today()
    with _locked_tracking(loaded, campaign, crm) as tracking:
        journal, notes = tracking.journal, tracking.notes
        resumed, resumed_plans = [], []
        unfinished = journal.unfinished(campaign or "")
        if unfinished:
            # Finishing it writes too: not on a CRM where Odoo assigns on its own.
            first = unfinished[0].run_id
            why = _odoo_refusal(loaded, crm, journal.plan(first))
            if why is not None:
                raise UserInputError(
                    f"run {first} did not finish and is not finished now: {why}; nothing was "
                    "changed"
                )
        for record in unfinished:
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
            result, recorded = _apply(
                loaded, plan, crm, tracking, console, record.forced, started, stages
            )
            notes += recorded
            resumed.append(result)
            resumed_plans.append(plan)
            if not result.complete or record.run_date == today:
                # Today's distribution is that run; planning another would distribute twice.
                return RunOutcome(
                    plan,
                    result,
                    0.0,
                    notes,
                    tuple(resumed[:-1]),
                    resumed_plans=tuple(resumed_plans[:-1]),
                )
        done = _done_this_period(loaded, journal, campaign, today)
        if done is not None and not force:
            note = f"{_done_note(loaded, done, today)}; nothing changed. Use --force to run again."
            return RunOutcome(
                journal.plan(done.run_id),
                None,
                0.0,
                (*notes, note),
                tuple(resumed),
                skipped=True,
                resumed_plans=tuple(resumed_plans),
            )
        planned = _planned(loaded, crm, options, console, stages, tracking)
        plan = planned.plan
        if plan.refused is not None:
            # Before anything is kept or written: the CRM would undo part of the run.
            raise UserInputError(f"{plan.refused}; nothing was changed")
        _keep_snapshot(journal, planned, dry_run=False)
        print_plan(console, plan, dry_run=False, dropback=counts_dropback(loaded))
        previewed = _against_preview(journal, plan)
        result, recorded = _apply(loaded, plan, crm, tracking, console, force, started, stages)
        return RunOutcome(
            plan,
            result,
            0.0,
            (*notes, *previewed, *recorded),
            tuple(resumed),
            resumed_plans=tuple(resumed_plans),
            fresh=True,
            rejected=planned.rejected,
        )


def read_status(loaded: LoadedConfig, today: date) -> CampaignStatus:
    """What the run journal, the kept snapshots and the audit trail say about ``today``."""
    campaign = target_campaign(loaded) or ""
    with _tracking(loaded) as tracking:
        journal = tracking.journal
        last = journal.latest(campaign)
        done = _done_this_period(loaded, journal, campaign, today)
        unfinished = [journal.counted(r) for r in journal.unfinished(campaign)]
        dry = [r for r in journal.recorded_runs(campaign, since=today) if r.dry_run]
        undelivered = journal.undelivered_digests(campaign, today - timedelta(days=DIGEST_DAYS))
    return campaign_status(
        str(loaded.path),
        campaign,
        today,
        loaded.config.campaign.active,
        last,
        done,
        unfinished,
        dry[-1].taken_at if dry else None,
        audit.entries_of(audit.audit_path(loaded), today),
        undelivered,
    )


def _done_this_period(
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


def _done_note(loaded: LoadedConfig, done: RunRecord, day: date) -> str:
    campaign = done.campaign or "(any)"
    frequency = loaded.config.campaign.distribution_frequency
    when = (
        f"on {day}"
        if frequency == "daily"
        else f"on {done.run_date}, and campaign.distribution_frequency is {frequency}"
    )
    return (
        f"campaign {campaign} was distributed {when} already (run {done.run_id}, "
        f"{done.written:,} leads)"
    )


def _already_done(
    loaded: LoadedConfig, journal: Journal, campaign: str | None, day: date
) -> tuple[str, ...]:
    """A dry run's note when a real run now would do nothing (the campaign was distributed)."""
    done = _done_this_period(loaded, journal, campaign, day)
    if done is None:
        return ()
    return (f"{_done_note(loaded, done, day)}: a real run now changes nothing unless --force",)


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
    done = _done_this_period(loaded, journal, campaign, day)
    if done is not None and not force:
        raise UserInputError(
            f"{_done_note(loaded, done, day)}; use --force to apply this plan as well; "
            "nothing was changed"
        )


def _against_preview(journal: Journal, plan: Plan) -> tuple[str, ...]:
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
        f"{differ:,} of {len(plan.fates()):,} leads decided otherwise than {when} showed: the "
        "CRM changed since",
    )


def _apply(
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
    settings = ApplySettings.from_config(loaded)
    planned = sum(len(group.lead_ids) for group in plan.writes)
    with log_context(run_id=plan.run_id):
        with stages.timing("writing"), _progress(console, planned, "Writing") as advance:
            result = apply_plan(plan, crm, tracking.journal, settings, forced, advance)
        seconds = time.perf_counter() - started
        with stages.timing("history"):
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
def _locked_tracking(
    loaded: LoadedConfig, campaign: str | None, crm: CrmStore
) -> Iterator[Tracking]:
    with (
        _tracking(loaded) as tracking,
        run_lock(tracking.journal, campaign or "", crm, _lease_minutes(loaded)),
    ):
        yield tracking


def _lease_minutes(loaded: LoadedConfig) -> int | None:
    """How long a run's lease in the CRM lasts; None when the configuration accepts a
    lock only its own journal sees (``tracking.local_lock``)."""
    tracking = loaded.config.tracking
    return None if tracking.local_lock else tracking.lease_minutes


def _keep_snapshot(journal: Journal, planned: Planned, dry_run: bool) -> None:
    """Keep what the plan was computed from, for `odlm replay`, `explain` and `compare`."""
    if planned.snapshot is not None:
        journal.keep_snapshot(planned.snapshot, planned.plan, dry_run)


def _planned(
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
        rotation = current_rotation(loaded, tracking.journal, today)
        received = received_history(loaded, tracking.history, today)
        moved = moved_elsewhere(loaded, tracking.history, today)
        if not console.is_terminal:
            return plan_run(loaded, crm, options, rotation, received, moved)
        return _planned_with_progress(loaded, crm, options, console, rotation, received, moved)


def _planned_with_progress(
    loaded: LoadedConfig,
    crm: CrmStore,
    options: RunOptions,
    console: Console,
    rotation: Rotation | None,
    received: Received | None,
    moved: tuple[int, ...],
) -> Planned:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Fetching leads", total=None)

        def fetched(count: int) -> None:
            progress.update(task, completed=count, description=f"Fetching leads: {count:,}")

        return plan_run(
            loaded, crm, replace(options, on_fetched=fetched), rotation, received, moved
        )


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
    loaded: LoadedConfig,
    console: Console,
    outcome: RunOutcome,
    started: float,
    command: str,
    options: RunOptions | None = None,
    stages: Stages | None = None,
) -> RunOutcome:
    seconds = time.perf_counter() - started
    outcome = replace(outcome, seconds=seconds)
    print_notes(console, outcome.notes)
    for result in outcome.resumed:
        print_apply_result(console, result, loaded.path)
    for plan, result in zip(outcome.resumed_plans, outcome.resumed, strict=True):
        # A run a crash left unfinished, finished now: its digests go now.
        send_digests(loaded, console, plan, result, outcome.odoo_version)
    _audit(loaded, command, outcome)
    if outcome.skipped:
        return outcome
    with log_context(run_id=outcome.plan.run_id):
        return _reported(loaded, console, outcome, seconds, command, options, stages)


def _reported(
    loaded: LoadedConfig,
    console: Console,
    outcome: RunOutcome,
    seconds: float,
    command: str,
    options: RunOptions | None,
    stages: Stages | None,
) -> RunOutcome:
    """The report, monitoring lines, alerts, outputs and exports of a run that planned."""
    report = report_of(loaded, outcome.plan, outcome.applied, seconds)
    print_recommendations(console, report.recommendations)
    advice = reproduce(loaded, outcome.plan, options) if outcome.dry_run else None
    print_outcome(console, outcome.plan, outcome.applied, seconds, loaded.path, advice)
    lines = monitoring_lines(
        loaded.config.monitoring,
        seconds,
        stages.seconds if stages is not None else {},
        peak_memory_mb() if loaded.config.monitoring.track_memory_usage else None,
    )
    print_monitoring(console, lines)
    for line in lines:
        log.log(line.level, "run %s: %s", outcome.plan.run_id, line.text)
    _log_finished(outcome, command, seconds)
    print_notes(console, _alerts(loaded, outcome, seconds))
    produce_outputs(loaded, console, report)
    if outcome.applied is not None:
        send_digests(loaded, console, outcome.plan, outcome.applied, outcome.odoo_version)
    if outcome.fresh:
        produce_exports(
            loaded,
            console,
            outcome.plan,
            outcome.rejected,
            outcome.dry_run,
            options.export_excluded if options is not None else None,
        )
    return outcome


def _log_finished(outcome: RunOutcome, command: str, seconds: float) -> None:
    applied = outcome.applied
    word = _outcome_word(outcome)
    stage_line(
        log,
        "finished",
        "%s %s: %d leads planned, %d written, %d failed, in %.2f s",
        command,
        word,
        len(outcome.plan.handed_out),
        applied.written if applied else 0,
        len(applied.failed) if applied else 0,
        seconds,
        labels={"command": command, "outcome": word},
        planned=len(outcome.plan.handed_out),
        written=applied.written if applied else 0,
        failed=len(applied.failed) if applied else 0,
        seconds=round(seconds, 2),
        peak_memory_mb=round(peak_memory_mb(), 1),
    )


def _alerts(loaded: LoadedConfig, outcome: RunOutcome, seconds: float) -> tuple[str, ...]:
    """E-mail the alerts ``monitoring`` asks for; the notes of those that could not be sent."""
    plan = outcome.plan
    what = f"campaign {plan.campaign or '(any)'} on {plan.today}, run {plan.run_id}"
    notes = []
    if slow_alert(loaded, seconds):
        threshold = loaded.config.monitoring.slow_execution_threshold_seconds
        notes.append(
            send_alert(
                loaded,
                f"slow run: {what}",
                [
                    f"The run took {seconds:.1f} s, over "
                    f"monitoring.slow_execution_threshold_seconds ({threshold:g} s).",
                ],
            )
        )
    for result in outcome.results:
        if not result.complete:
            notes.append(
                failure_alert(
                    loaded,
                    f"run stopped: {what}",
                    [
                        f"Run {result.run_id} stopped: {result.stopped}.",
                        f"{result.written:,} of {result.planned:,} leads were written.",
                        f"Finish it with: odlm dailydist --config {loaded.path}",
                    ],
                )
            )
    return tuple(note for note in notes if note)


def _audit(loaded: LoadedConfig, command: str, outcome: RunOutcome) -> None:
    """The audit trail's entry for this command (``security.log_audit_trail``)."""
    applied = outcome.applied
    details: dict[str, object] = {
        "run_id": outcome.plan.run_id,
        "campaign": outcome.plan.campaign,
        "day": outcome.plan.today.isoformat(),
        "outcome": _outcome_word(outcome),
        "planned": len(outcome.plan.handed_out),
        "seconds": round(outcome.seconds, 2),
        "notes": list(outcome.notes),
    }
    if applied is not None:
        details.update(
            written=applied.written,
            already=applied.already,
            left_alone=len(applied.skipped),
            failed=len(applied.failed),
        )
    audit.record(loaded, command, details)


def _outcome_word(outcome: RunOutcome) -> str:
    if outcome.skipped:
        return "skipped"
    if outcome.applied is None:
        return "dry_run"
    return "completed" if outcome.applied.complete else "stopped"


def reproduce(loaded: LoadedConfig, plan: Plan, options: RunOptions | None) -> Advice:
    """How to apply exactly what a dry run showed: the same options and seed, or its plan file.

    The seed is spelled out only when one was given: otherwise the real run of the
    same day derives the same one (`planning.day_seed`).
    """
    options = options or RunOptions()
    words = ["odlm", "dailydist", "--config", str(loaded.path)]
    if options.seed is not None:
        words += ["--seed", str(plan.seed)]
    if options.today is not None:
        words += ["--today", plan.today.isoformat(), "--force"]
    if options.max_leads is not None:
        words += ["--max-leads", str(options.max_leads)]
    if options.date_range is not None:
        start, end = options.date_range
        words += ["--override-date-range", f"{start},{end}"]
    if options.force_round_robin:
        words.append("--force-round-robin")
    apply = None
    if options.plan_out is not None:
        apply = ["odlm", "apply", str(options.plan_out), "--config", str(loaded.path)]
    return Advice(shlex.join(words), shlex.join(apply) if apply else None)
