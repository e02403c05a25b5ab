"""`odlm dailydist`: one distribution per configuration, or a boilerplate configuration."""

from __future__ import annotations

import argparse
import logging
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from rich.console import Console

from odoo_lead_manager.apply.recording import record_run
from odoo_lead_manager.commands.alerting import alerting
from odoo_lead_manager.commands.finishing import finished
from odoo_lead_manager.commands.outputs import (
    check_outputs,
    counts_dropback,
)
from odoo_lead_manager.commands.resolve import record_settings
from odoo_lead_manager.commands.running import (
    RunOutcome,
    against_preview,
    already_done,
    done_note,
    done_this_period,
    in_campaign_context,
    keep_snapshot,
    locked_tracking,
    odoo_refusal,
    opened_crm,
    opened_tracking,
    planned_run,
    write_and_record,
    write_plan,
)
from odoo_lead_manager.commands.session import (
    EXIT_OK,
    configure_logging,
    known_secrets,
    load,
    with_report_options,
)
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.config.editor import write_schema_beside
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.config.registry import refuse_unsupported
from odoo_lead_manager.config.templates import generate_config
from odoo_lead_manager.crm.opening import odoo_version
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.runs import UNDOING
from odoo_lead_manager.errors import (
    OdlmError,
    RunSkipped,
    UserInputError,
)
from odoo_lead_manager.ops.monitoring import Stages
from odoo_lead_manager.ops.pacing import bulk_objects
from odoo_lead_manager.ops.redaction import redact
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.console import (
    print_plan,
)
from odoo_lead_manager.snapshot.options import RunOptions, parse_date_range

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """`odlm dailydist`: generate a config, or plan and apply one distribution (or several
    campaigns' in turn)."""
    if args.generate_config:
        return _generate_config(args)
    if not args.config:
        raise UserInputError(
            "--config FILE is required (or ODLM_CONFIG naming it, or --generate-config to "
            "create one)"
        )
    for flag, value in (("--output", args.output), ("--template", args.template)):
        if value is not None:
            raise UserInputError(f"{flag} is for --generate-config; a run reads --config")
    if args.campaign is not None:
        _check_campaign(args.campaign, args.config)
    if len(args.config) > 1:
        return _dailydist_campaigns(args)
    return _dailydist_one(args.config[0], args)[0]


def _check_campaign(campaign: str, paths: Sequence[str]) -> None:
    """``--campaign`` with a run: a check that each configuration distributes that campaign
    (a run's campaign is its configuration's), refused before anything runs."""
    for path in paths:
        configured = load(path).config.target_campaign
        if configured != campaign:
            raise UserInputError(
                f"--campaign {campaign}: {path} distributes {configured or '(any campaign)'} "
                "(campaign.target_campaign); a run distributes its configuration's campaign, "
                "and --campaign only checks it (or names the campaign of --generate-config)"
            )


def _dailydist_campaigns(args: argparse.Namespace) -> int:
    """Several ``--config``: each campaign in the given order, as its own run (its own lock,
    journal entry and report), a lead moved by one never moved again by the next that day.
    A campaign that fails does not stop or undo the others; the exit status is the worst."""
    for option in ("plan_out", "export_excluded"):
        if getattr(args, option) is not None:
            flag = "--" + option.replace("_", "-")
            raise UserInputError(f"{flag} names one file: use it with one --config")
    moved: set[int] = set()
    results: list[tuple[str, str, int]] = []
    for path in args.config:
        try:
            status, outcome = _dailydist_one(path, args, frozenset(moved))
        except RunSkipped as exc:
            print(f"Note: {exc.message}")
            results.append((path, exc.message, exc.exit_status))
            continue
        except OdlmError as exc:
            message = redact(exc.message, known_secrets())
            print(f"error: {message}", file=sys.stderr)
            results.append((path, f"error: {message}", exc.exit_status))
            continue
        # A dry run previews the real one: the leads it would move are not the next one's.
        if outcome.dry_run:
            moved.update(a.lead_id for a in outcome.plan.handed_out)
        for result in outcome.results:
            moved.update(result.placed)
        results.append((path, _summary_of(outcome), status))
    print("\nCampaigns of this run:")
    for path, summary, status in results:
        print(f"  {path}: exit {status}: {summary}")
    return max(status for _, _, status in results)


def _summary_of(outcome: RunOutcome) -> str:
    plan = outcome.plan
    if outcome.skipped:
        return f"{plan.campaign or '(any)'}: {outcome.notes[-1] if outcome.notes else 'skipped'}"
    if outcome.applied is None:
        return (
            f"{plan.campaign or '(any)'}: dry run, {plural(len(plan.handed_out), 'lead')} planned"
        )
    word = "completed" if outcome.applied.complete else "stopped"
    return (
        f"{plan.campaign or '(any)'}: {word}, {plural(len(plan.handed_out), 'lead')} planned, "
        f"{outcome.applied.written} written"
    )


def _dailydist_one(
    path: str, args: argparse.Namespace, moved: frozenset[int] = frozenset()
) -> tuple[int, RunOutcome]:
    """One configuration's run; ``moved`` are leads earlier campaigns of this command moved."""
    loaded = with_report_options(load(path), args)
    level = args.log_level or loaded.config.execution.log_level
    configure_logging(level, loaded, args.log_format, asked=args.log_level is not None)
    options = RunOptions(
        today=args.today,
        seed=args.seed,
        max_leads=args.max_leads,
        force_round_robin=args.force_round_robin,
        date_range=parse_date_range(args.override_date_range) if args.override_date_range else None,
        plan_out=args.plan_out,
        export_excluded=args.export_excluded,
        moved_elsewhere=moved,
    )
    dry_run = args.dry_run or loaded.config.execution.dry_run
    if not dry_run and args.today is not None and args.today != date.today() and not args.run_again:
        raise UserInputError(
            f"--today {args.today} is not today ({date.today()}): a real run for another day "
            "needs --run-again (a dry run does not); nothing was changed"
        )
    command = "dailydist --dry-run" if dry_run else "dailydist"
    with alerting(loaded, command, args.today or date.today()):
        outcome = run_distribution(
            loaded, dry_run, options, console=open_console(), force=args.run_again
        )
    return outcome.exit_status, outcome


def _generate_config(args: argparse.Namespace) -> int:
    args.template = args.template or "basic"
    text = generate_config(campaign=args.campaign, template=args.template)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    if args.output.exists() and not args.overwrite:
        raise UserInputError(f"{args.output} exists; use --overwrite to replace it")
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"Configuration file generated: {args.output}")
    print(f"  Template: {args.template}")
    if args.campaign:
        print(f"  Campaign: {args.campaign}")

    # The file's first line names this schema: editors complete keys at once.
    schema = write_schema_beside(args.output, force=args.overwrite)
    print(schema.message(), file=sys.stderr if schema.outcome == "failed" else sys.stdout)
    return EXIT_OK


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
            f"campaign {loaded.config.target_campaign or '(any)'} is not active (campaign.active: "
            "false): nothing was distributed"
        )
    stages = Stages()
    with opened_crm(loaded, store) as crm:
        if dry_run:
            with opened_tracking(loaded) as tracking:
                planned = planned_run(loaded, crm, options, console, stages, tracking)
                plan = planned.plan
                keep_snapshot(tracking.journal, planned, dry_run=True)
                print_plan(console, plan, dry_run=True, dropback=counts_dropback(loaded))
                seconds = time.perf_counter() - started
                with stages.timing("history"):
                    notes = record_run(record_settings(loaded), tracking, plan, crm, None, seconds)
                notes += already_done(loaded, tracking.journal, plan.campaign, today)
                if not loaded.config.campaign.active:
                    notes += (
                        f"campaign {plan.campaign or '(any)'} is not active (campaign.active: "
                        "false): a real run distributes nothing",
                    )
            outcome = RunOutcome(
                plan, None, 0.0, (*tracking.notes, *notes), fresh=True, rejected=planned.rejected
            )
        else:
            outcome = distribute_once(loaded, crm, options, console, force, started, stages)
        outcome = replace(outcome, odoo_version=odoo_version(crm))
    if options.plan_out is not None:
        write_plan(options.plan_out, outcome.plan, console)
    command = "dailydist --dry-run" if dry_run else "dailydist"
    return finished(loaded, console, outcome, started, command, options, stages)


def distribute_once(
    loaded: LoadedConfig,
    crm: CrmStore,
    options: RunOptions,
    console: Console,
    force: bool,
    started: float,
    stages: Stages,
) -> RunOutcome:
    campaign = loaded.config.target_campaign
    today = options.today or date.today()
    with locked_tracking(loaded, campaign, crm) as tracking:
        journal, notes = tracking.journal, tracking.notes
        resumed, resumed_plans = [], []
        unfinished = journal.unfinished(campaign or "")
        if unfinished:
            # Finishing it writes too: not on a CRM where Odoo assigns on its own.
            first = unfinished[0].run_id
            why = odoo_refusal(loaded, crm, journal.plan(first))
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
            result, recorded = write_and_record(
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
        done = done_this_period(loaded, journal, campaign, today)
        if done is not None and not force:
            note = f"{done_note(loaded, done, today)}; nothing changed (--run-again runs again)."
            return RunOutcome(
                journal.plan(done.run_id),
                None,
                0.0,
                (*notes, note),
                tuple(resumed),
                skipped=True,
                resumed_plans=tuple(resumed_plans),
            )
        planned = planned_run(loaded, crm, options, console, stages, tracking)
        plan = planned.plan
        if plan.refused is not None:
            # Before anything is kept or written: the CRM would undo part of the run.
            raise UserInputError(f"{plan.refused}; nothing was changed")
        keep_snapshot(journal, planned, dry_run=False)
        print_plan(console, plan, dry_run=False, dropback=counts_dropback(loaded))
        previewed = against_preview(journal, plan)
        result, recorded = write_and_record(
            loaded, plan, crm, tracking, console, force, started, stages
        )
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
