"""The `odlm` command line: argument parsing and printing only."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from rich.console import Console

from odoo_lead_manager import __version__
from odoo_lead_manager.config import (
    TEMPLATES,
    LoadedConfig,
    config_json_schema,
    generate_config,
    load_config,
)
from odoo_lead_manager.config.schema.operations import ReportFormat
from odoo_lead_manager.errors import OdlmError, RunSkipped, UserInputError
from odoo_lead_manager.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_COUNT,
    MAX_RECORD_ID,
    MAX_SEED,
)
from odoo_lead_manager.logs import LogFormat, install_handlers
from odoo_lead_manager.planning import RunOptions, parse_date_range
from odoo_lead_manager.redaction import RedactingFilter, redact, secret_values
from odoo_lead_manager.reporting.privacy import MaskingFilter, mask_text

if TYPE_CHECKING:
    from odoo_lead_manager.comparing import Comparison
    from odoo_lead_manager.crm.odoo.check import CheckReport
    from odoo_lead_manager.runner import RunOutcome

EXIT_OK = 0
EXIT_FAILED = 1

DAILYDIST_EPILOG = """\
examples:
  odlm dailydist --config daily_distribution_config.yaml
  odlm dailydist --config config.yaml --dry-run
  odlm dailydist --config config.yaml --dry-run --plan-out plan.json
  odlm apply plan.json --config config.yaml
  odlm undo RUN_ID --config config.yaml
  odlm digests resend RUN_ID --config config.yaml
  odlm dailydist --config config.yaml --dry-run --export-excluded excluded.csv
  odlm explain 1234 --config config.yaml
  odlm replay RUN_ID --config config.yaml --seed 7
  odlm compare --config a.yaml --config b.yaml --runs 2026-11-01..2026-11-30
  odlm dailydist --config config.yaml --max-leads 100
  odlm dailydist --config config.yaml --override-date-range "2024-01-01,2024-06-30"
  odlm dailydist --generate-config --output daily_distribution_config.yaml
  odlm dailydist --generate-config --campaign Voice --template advanced --output voice.yaml
"""


# Lines of output that is not a terminal: tables then fit without cutting cells.
PLAIN_WIDTH = 160


def add_dailydist_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of spec §6.2 that this version implements."""
    parser.add_argument(
        "--config",
        action="append",
        help="configuration file (YAML or JSON); several run their campaigns in that order, "
        "a lead moving at most once a day",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    parser.add_argument(
        "--override-date-range",
        metavar="START,END",
        help="distribute leads dated START to END (inclusive, YYYY-MM-DD)",
    )
    parser.add_argument(
        "--force-round-robin",
        action="store_true",
        help="use round robin whatever the configured strategy",
    )
    parser.add_argument("--max-leads", type=_positive_int, help="distribute at most N leads")
    parser.add_argument("--seed", type=_seed, help="random seed, to reproduce an earlier plan")
    parser.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="run as of this day (a missed cron day, a reproduction); a real run for a day "
        "other than today needs --force",
    )
    parser.add_argument(
        "--plan-out",
        "--plan-json",
        dest="plan_out",
        type=Path,
        metavar="FILE",
        help="also write the plan as JSON to FILE (`odlm apply FILE` applies it later)",
    )
    parser.add_argument(
        "--export-excluded",
        type=Path,
        metavar="FILE.csv",
        help="write the exclusion ledger: every examined lead with the rule that stopped it "
        "(reason code and sentence), and every lead moved with its reason",
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default: execution.log_level of the config)",
    )
    add_log_format_argument(parser)
    add_report_arguments(parser)
    parser.add_argument(
        "--generate-config",
        action="store_true",
        help="write a boilerplate configuration file and exit",
    )
    parser.add_argument("--output", type=Path, help="where --generate-config writes")
    parser.add_argument(
        "--campaign",
        help="campaign name for --generate-config; with a run, the campaign each --config "
        "must distribute (checked)",
    )
    parser.add_argument(
        "--template",
        choices=TEMPLATES,
        help="template for --generate-config (default: basic)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="distribute again a campaign already distributed today; "
        "with --generate-config: overwrite an existing --output file",
    )


def add_log_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=get_args(LogFormat),
        help="text, or json: one JSON object per line with the run id, campaign, stage and "
        "counts (default: execution.log_format of the config)",
    )


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """§6.2's report options, which override the configuration's ``reporting``."""
    parser.add_argument(
        "--generate-report",
        action="store_true",
        help="write the distribution report (default: reporting.generate_report)",
    )
    parser.add_argument(
        "--report-format",
        action="append",
        choices=get_args(ReportFormat),
        help="csv, json or html; repeat for several (default: reporting.report_format)",
    )
    parser.add_argument(
        "--report-location",
        type=Path,
        metavar="DIR",
        help="directory for the report (default: reporting.report_location)",
    )
    parser.add_argument(
        "--email-notification",
        action="store_true",
        help="e-mail the report (settings in reporting.email)",
    )


def _positive_int(text: str) -> int:
    value = _whole_number(text, MAX_COUNT)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _record_id(text: str) -> int:
    return _whole_number(text, MAX_RECORD_ID, 1)


def _seed(text: str) -> int:
    return _whole_number(text, MAX_SEED, -MAX_SEED)


def _whole_number(text: str, maximum: int, minimum: int = 0) -> int:
    try:
        value = int(text) if len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
    if not minimum <= value <= maximum:
        raise argparse.ArgumentTypeError(f"must be from {minimum:,} to {maximum:,}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="odlm", description="Daily lead distribution for Odoo CRM."
    )
    parser.add_argument("--version", action="version", version=f"odlm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    dailydist = commands.add_parser(
        "dailydist",
        help="run the daily lead distribution",
        epilog=DAILYDIST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_dailydist_arguments(dailydist)

    demo = commands.add_parser("demo", help="create the demo CRM, campaign table and config")
    demo.add_argument("--dir", type=Path, default=Path("demo"), help="directory (default: demo)")
    demo.add_argument("--today", type=_day, help="date the demo data ends at")
    demo.add_argument("--force", action="store_true", help="replace an existing demo")

    apply = commands.add_parser(
        "apply", help="apply a plan saved by `odlm dailydist --dry-run --plan-out FILE`"
    )
    apply.add_argument("plan", type=Path, help="the plan file")
    apply.add_argument("--config", required=True, help="configuration file (YAML or JSON)")
    apply.add_argument(
        "--force", action="store_true", help="apply even if the campaign was distributed that day"
    )
    add_log_format_argument(apply)
    add_report_arguments(apply)

    undo = commands.add_parser(
        "undo", help="give a run's leads back their previous owners and status"
    )
    undo.add_argument(
        "run_id",
        metavar="RUN_ID",
        help="the run's id, or an unambiguous start of it (see `odlm runs`)",
    )
    undo.add_argument("--config", required=True, help="configuration file (YAML or JSON)")

    digests = commands.add_parser(
        "digests",
        help="send again a run's digests that did not reach their salespeople "
        "(odlm status lists them)",
    )
    digests.add_argument("action", choices=("resend",), help="resend: the undelivered ones")
    digests.add_argument(
        "run_id", metavar="RUN_ID", help="the run's id, or an unambiguous start of it"
    )
    digests.add_argument("--config", required=True, help="configuration file (YAML or JSON)")

    runs = commands.add_parser("runs", help="list the latest runs in the run journal")
    runs.add_argument("--config", required=True, help="configuration file (YAML or JSON)")
    runs.add_argument("--limit", type=_positive_int, default=20, help="how many (default: 20)")

    status = commands.add_parser(
        "status",
        help="did today's run happen, and how did it end (exit 0 done, 1 failed or "
        "unfinished, 3 not run yet)",
    )
    status.add_argument(
        "--config",
        action="append",
        required=True,
        help="configuration file (YAML or JSON); repeat for several campaigns",
    )
    status.add_argument("--format", choices=("table", "json"), default="table")
    status.add_argument("--today", type=_day, help=argparse.SUPPRESS)

    retention = commands.add_parser(
        "retention",
        help="archive (or delete) tracking history older than tracking.retention_days",
    )
    retention.add_argument("--config", required=True, help="configuration file (YAML or JSON)")
    retention.add_argument(
        "--days", type=_positive_int, help="keep this many days instead of retention_days"
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="count what would move, change nothing"
    )
    retention.add_argument("--today", type=_day, help=argparse.SUPPRESS)

    report = commands.add_parser(
        "report",
        help="analytics from the tracking history (daily, salesperson, campaign, trends), "
        "and a static site of them (site DIR)",
    )
    report.add_argument("kind", choices=("daily", "salesperson", "campaign", "trends", "site"))
    report.add_argument(
        "directory", nargs="?", type=Path, metavar="DIR", help="site: the directory to write"
    )
    report.add_argument("--config", required=True, help="configuration file (YAML or JSON)")
    report.add_argument("--campaign", help="campaign (default: the configuration's)")
    report.add_argument("--date", type=_day, help="the day of a daily report (default: today)")
    report.add_argument("--user", help="salesperson report: the user's id or name")
    report.add_argument("--from", dest="start", type=_day, help="first day of the range")
    report.add_argument(
        "--to", dest="end", type=_day, help="last day of the range (default: today)"
    )
    report.add_argument("--days", type=_positive_int, help="days back from --to (default: 30)")
    report.add_argument(
        "--format",
        choices=("table", "json", "html"),
        default="table",
        help="table (default), json, or html (one self-contained page)",
    )
    report.add_argument(
        "--output", type=Path, metavar="FILE", help="write the json or html here, not to stdout"
    )

    check = commands.add_parser(
        "check", help="connect to the configured Odoo and check the field mapping"
    )
    check.add_argument("--config", required=True, help="configuration file (YAML or JSON)")

    replay = commands.add_parser(
        "replay", help="plan a recorded run again, offline, and show what differs"
    )
    replay.add_argument("run_id", metavar="RUN_ID", help="the run's id, or its start")
    replay.add_argument("--config", required=True, help="configuration file (YAML or JSON)")
    replay.add_argument("--seed", type=_seed, help="plan with this seed instead of the run's own")
    replay.add_argument("--format", choices=("table", "json"), default="table")

    explain = commands.add_parser(
        "explain", help="why a lead moved or stayed: each rule, the strategy, the write"
    )
    explain.add_argument("lead_id", metavar="LEAD_ID", type=_record_id)
    explain.add_argument("--config", required=True, help="configuration file (YAML or JSON)")
    explain.add_argument(
        "--run",
        help="a recorded run's id or unambiguous prefix (default: the latest kept run that "
        "saw the lead, else today's dry run)",
    )
    explain.add_argument("--today", type=_day, help="plan today's dry run as of this day")
    explain.add_argument("--format", choices=("table", "json"), default="table")

    compare = commands.add_parser(
        "compare", help="replay recorded runs under several configurations, side by side"
    )
    compare.add_argument(
        "--config",
        action="append",
        required=True,
        help="a configuration (give two or more; runs are read from the first one's journal)",
    )
    picked = compare.add_mutually_exclusive_group()
    picked.add_argument("--runs", metavar="FROM..TO", help="the days (the latest run of each)")
    picked.add_argument("--run", help="one recorded run's id")
    compare.add_argument("--format", choices=("table", "json", "html"), default="table")
    compare.add_argument("--output", type=Path, help="write to FILE instead of the terminal")

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the configuration, or its Markdown reference",
    )
    schema.add_argument(
        "--format",
        choices=("json", "markdown"),
        default="json",
        help="json: the JSON Schema for editors (default); markdown: the configuration reference",
    )
    schema.add_argument("--output", type=Path, help="write to a file instead")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `odlm`; returns the exit status."""
    args = build_parser().parse_args(argv)
    _LOADED.clear()
    # Until a command reads its configuration's level, format and file.
    _configure_logging("WARNING", log_format=getattr(args, "log_format", None))
    commands = {
        "dailydist": run_dailydist,
        "apply": run_apply,
        "undo": run_undo,
        "digests": run_digests,
        "runs": run_runs,
        "status": run_status,
        "retention": run_retention,
        "report": run_report,
        "demo": run_demo,
        "check": run_check,
        "schema": run_schema,
        "replay": run_replay,
        "explain": run_explain,
        "compare": run_compare,
    }
    try:
        return commands[args.command](args)
    except RunSkipped as exc:
        print(f"Note: {exc.message}")
        return exc.exit_status
    except OdlmError as exc:
        print(f"error: {redact(exc.message, _secrets())}", file=sys.stderr)
        return exc.exit_status


def run_dailydist(args: argparse.Namespace) -> int:
    """`odlm dailydist`: generate a config, or plan and apply one distribution (or several
    campaigns' in turn)."""
    if args.generate_config:
        return _generate_config(args)
    if not args.config:
        raise UserInputError("--config FILE is required (or --generate-config to create one)")
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
    from odoo_lead_manager.selection import target_campaign

    for path in paths:
        configured = target_campaign(_load(path))
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
            message = redact(exc.message, _secrets())
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
        return f"{plan.campaign or '(any)'}: dry run, {len(plan.handed_out)} leads planned"
    word = "completed" if outcome.applied.complete else "stopped"
    return (
        f"{plan.campaign or '(any)'}: {word}, {len(plan.handed_out)} leads planned, "
        f"{outcome.applied.written} written"
    )


def _dailydist_one(
    path: str, args: argparse.Namespace, moved: frozenset[int] = frozenset()
) -> tuple[int, RunOutcome]:
    """One configuration's run; ``moved`` are leads earlier campaigns of this command moved."""
    from odoo_lead_manager.runner import run_distribution

    loaded = with_report_options(_load(path), args)
    _configure_logging(args.log_level or loaded.config.execution.log_level, loaded, args.log_format)
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
    if not dry_run and args.today is not None and args.today != date.today() and not args.force:
        raise UserInputError(
            f"--today {args.today} is not today ({date.today()}): a real run for another day "
            "needs --force (a dry run does not); nothing was changed"
        )
    command = "dailydist --dry-run" if dry_run else "dailydist"
    with _alerting(loaded, command, args.today or date.today()):
        outcome = run_distribution(loaded, dry_run, options, console=_console(), force=args.force)
    return outcome.exit_status, outcome


@contextmanager
def _alerting(loaded: LoadedConfig, command: str, day: date) -> Iterator[None]:
    """An error that ends a run goes into the audit trail (`odlm status` reports it) and is
    alerted on (``monitoring.alert_on_failure``); then it is shown as usual."""
    from odoo_lead_manager import audit
    from odoo_lead_manager.reporting.alerts import failure_alert
    from odoo_lead_manager.selection import target_campaign

    try:
        yield
    except RunSkipped:
        raise
    except Exception as exc:
        message = exc.message if isinstance(exc, OdlmError) else f"{type(exc).__name__}: {exc}"
        message = redact(message, _secrets())
        if loaded.config.security.mask_personal_data:
            message = mask_text(message)
        campaign = target_campaign(loaded) or ""
        audit.record(
            loaded,
            command,
            {"campaign": campaign, "day": day.isoformat(), "outcome": "failed", "error": message},
        )
        note = failure_alert(
            loaded,
            f"odlm {command} failed: campaign {campaign or '(any)'} on {day}",
            [f"odlm {command} --config {loaded.path} ended with an error: {message}"],
        )
        if note:
            print(f"Note: {note}", file=sys.stderr)
        raise


def with_report_options(loaded: LoadedConfig, args: argparse.Namespace) -> LoadedConfig:
    """The configuration with the command line's report options merged into ``reporting``."""
    reporting = loaded.config.reporting
    changes: dict[str, object] = {}
    if args.generate_report or args.report_format or args.report_location:
        changes["generate_report"] = True
    if args.report_format:
        changes["report_format"] = list(dict.fromkeys(args.report_format))
    if args.report_location:
        # From the command line, a relative directory is the caller's, not the config's.
        changes["report_location"] = str(args.report_location.resolve())
    if args.email_notification:
        changes["email_notification"] = True
    if not changes:
        return loaded
    config = loaded.config.model_copy(update={"reporting": reporting.model_copy(update=changes)})
    return replace(loaded, config=config)


def run_apply(args: argparse.Namespace) -> int:
    """`odlm apply`: write a saved plan, re-checking every lead first."""
    from odoo_lead_manager.runner import apply_saved_plan

    loaded = with_report_options(_load(args.config), args)
    _configure_logging(loaded.config.execution.log_level, loaded, args.log_format)
    with _alerting(loaded, "apply", date.today()):
        outcome = apply_saved_plan(loaded, args.plan, console=_console(), force=args.force)
    return outcome.exit_status


def run_undo(args: argparse.Namespace) -> int:
    """`odlm undo`: restore what a run replaced, where nobody changed it since."""
    from odoo_lead_manager.runner import undo

    loaded = _load(args.config)
    _configure_logging(loaded.config.execution.log_level, loaded)
    result = undo(loaded, args.run_id, console=_console())
    return EXIT_FAILED if result.stopped else EXIT_OK


def run_digests(args: argparse.Namespace) -> int:
    """`odlm digests resend RUN_ID`: the run's messages not delivered yet, sent again; exit
    1 when some still do not reach their salespeople."""
    from odoo_lead_manager.runner import resend_digests

    loaded = _load(args.config)
    _configure_logging(loaded.config.execution.log_level, loaded)
    result = resend_digests(loaded, args.run_id, console=_console())
    return EXIT_FAILED if result.failed else EXIT_OK


def run_runs(args: argparse.Namespace) -> int:
    """`odlm runs`: the run journal, newest first, for `odlm undo`."""
    from odoo_lead_manager.reporting.console import print_kept, print_runs
    from odoo_lead_manager.tracking import open_journal

    journal, warning = open_journal(_load(args.config))
    try:
        records = journal.recent(args.limit)
        kept = journal.recorded_runs()[-args.limit :][::-1]
    finally:
        journal.close()
    console = _console()
    if warning:
        console.print(f"Note: {warning}")
    print_runs(console, journal.where, records)
    print_kept(console, kept)
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    """`odlm status`: per campaign, the last run and whether today's happened; its exit
    status is for monitoring (0 distributed today, 1 failed or unfinished, 3 not run yet)."""
    from odoo_lead_manager.runner import read_status
    from odoo_lead_manager.status import overall

    statuses = [read_status(_load(path), args.today or date.today()) for path in args.config]
    if args.format == "json":
        data = {"exit_status": overall(statuses), "campaigns": [s.to_dict() for s in statuses]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for status in statuses:
            print("\n".join(status.lines()))
    return overall(statuses)


def run_retention(args: argparse.Namespace) -> int:
    """`odlm retention`: apply tracking.retention_days and archive_old_data."""
    from odoo_lead_manager.audit import audit_path, prune
    from odoo_lead_manager.reporting.console import print_retention
    from odoo_lead_manager.tracking import history_engine
    from odoo_lead_manager.tracking.retention import apply_retention

    loaded = _load(args.config)
    settings = loaded.config.tracking
    engine = history_engine(loaded)
    try:
        result = apply_retention(
            engine,
            args.days or settings.retention_days,
            settings.archive_old_data,
            args.today or date.today(),
            args.dry_run,
        )
    finally:
        engine.dispose()
    console = _console()
    print_retention(console, engine.url.render_as_string(hide_password=True), result)
    trail = audit_path(loaded)
    keep = loaded.config.security.retention_policy_days
    dropped = prune(trail, keep, args.today or date.today(), args.dry_run)
    verb = "would be dropped" if args.dry_run else "dropped"
    console.print(
        f"Audit trail {trail}: {dropped:,} entries older than {keep} days "
        f"(security.retention_policy_days) {verb}",
        soft_wrap=True,
        markup=False,
    )
    return EXIT_OK


DEFAULT_REPORT_DAYS = 30
# The options each kind of `odlm report` reads: any other given is refused, never ignored.
REPORT_OPTIONS = {
    "daily": {"campaign", "date", "format", "output"},
    "salesperson": {"user", "start", "end", "days", "format", "output"},
    "campaign": {"campaign", "start", "end", "days", "format", "output"},
    "trends": {"campaign", "end", "days", "format", "output"},
    "site": {"end", "days"},
}
_REPORT_FLAGS = {
    "campaign": "--campaign",
    "date": "--date",
    "user": "--user",
    "start": "--from",
    "end": "--to",
    "days": "--days",
    "format": "--format",
    "output": "--output",
}


def _refuse_unused_report_options(args: argparse.Namespace) -> None:
    """An option the report's kind does not read is refused with its name; so is setting the
    first day twice (``--from`` and ``--days``)."""
    given = {
        key
        for key in _REPORT_FLAGS
        if getattr(args, key) is not None and not (key == "format" and args.format == "table")
    }
    unused = sorted(given - REPORT_OPTIONS[args.kind], key=list(_REPORT_FLAGS).index)
    if unused:
        flags = ", ".join(_REPORT_FLAGS[key] for key in unused)
        takes = ", ".join(_REPORT_FLAGS[k] for k in _REPORT_FLAGS if k in REPORT_OPTIONS[args.kind])
        raise UserInputError(f"odlm report {args.kind} does not use {flags} (it takes {takes})")
    if args.start is not None and args.days is not None:
        raise UserInputError("--from and --days both set the first day: give one of them")


def run_report(args: argparse.Namespace) -> int:
    """`odlm report`: the analytics of §9.5 from the tracking history, as a table, JSON or
    an HTML page, or (``site DIR``) a static site of them."""
    from odoo_lead_manager.reporting import analytics
    from odoo_lead_manager.reporting.console import print_analytics
    from odoo_lead_manager.selection import target_campaign
    from odoo_lead_manager.tracking import history_engine
    from odoo_lead_manager.tracking.database import prepare

    if (args.kind == "site") != (args.directory is not None):
        raise UserInputError(
            "odlm report site needs a directory: odlm report site DIR"
            if args.kind == "site"
            else f"odlm report {args.kind} takes no DIR (only odlm report site does)"
        )
    if args.output is not None and args.format == "table":
        raise UserInputError("--output needs --format json or --format html")
    _refuse_unused_report_options(args)
    args.days = args.days or DEFAULT_REPORT_DAYS
    loaded = _load(args.config)
    campaign = args.campaign if args.campaign is not None else (target_campaign(loaded) or "")
    end = args.end or date.today()
    start = args.start or end - timedelta(days=args.days - 1)
    if start > end:
        raise UserInputError(f"--from {start} is after --to {end}")
    engine = history_engine(loaded)
    try:
        prepare(engine)
        if args.kind == "site":
            from odoo_lead_manager.reporting.site import write_site

            index = write_site(loaded, engine, args.directory, args.days, end)
            print(f"Site written: {index}")
            return EXIT_OK
        if args.format == "html":
            from odoo_lead_manager.reporting.site import report_page

            first = start if args.kind != "trends" else end - timedelta(days=args.days - 1)
            page = report_page(
                loaded,
                engine,
                args.kind,
                campaign=args.campaign if args.kind == "trends" else campaign,
                user=args.user,
                day=args.date or date.today(),
                start=first,
                end=end,
            )
            _write_output(page, args.output)
            return EXIT_OK
        if args.kind == "daily":
            data = analytics.daily_report(engine, args.date or date.today(), campaign)
        elif args.kind == "salesperson":
            if not args.user:
                raise UserInputError("odlm report salesperson needs --user ID or NAME")
            user_id = analytics.find_user(engine, args.user)
            data = analytics.salesperson_report(engine, user_id, start, end)
        elif args.kind == "campaign":
            data = analytics.campaign_report(engine, campaign, start, end)
        else:
            data = analytics.trend_report(engine, args.days, end, args.campaign)
    finally:
        engine.dispose()
    if args.format == "json":
        _write_output(json.dumps(data, indent=2, ensure_ascii=False) + "\n", args.output)
    else:
        print_analytics(_console(), f"{args.kind.capitalize()} report", data)
    return EXIT_OK


def _write_output(text: str, output: Path | None) -> None:
    """``text`` to ``output`` (--output), else to stdout."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"Written: {output}")


def _console() -> Console:
    """The terminal's width on a terminal; elsewhere (a log, a pipe) wide enough for the tables."""
    return Console() if sys.stdout.isatty() else Console(width=PLAIN_WIDTH)


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(f"{day} is outside {EARLIEST_DATE}..{LATEST_DATE}")
    return day


def _generate_config(args: argparse.Namespace) -> int:
    args.template = args.template or "basic"
    text = generate_config(campaign=args.campaign, template=args.template)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    if args.output.exists() and not args.force:
        raise UserInputError(f"{args.output} exists; use --force to overwrite it")
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"Configuration file generated: {args.output}")
    print(f"  Template: {args.template}")
    if args.campaign:
        print(f"  Campaign: {args.campaign}")
    from odoo_lead_manager.config.editor import write_schema_beside

    # The file's first line names this schema: editors complete keys at once.
    schema = write_schema_beside(args.output, force=args.force)
    print(schema.message(), file=sys.stderr if schema.outcome == "failed" else sys.stdout)
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    """`odlm demo`: the demo CRM and the files a distribution over it needs."""
    from odoo_lead_manager.demo import create_demo
    from odoo_lead_manager.demo_config import write_demo_config

    target: Path = args.dir
    if (target / "config.yaml").exists() and not args.force:
        raise UserInputError(f"{target} already holds a demo; use --force to replace it")
    files = create_demo(target, today=args.today, overwrite=args.force)
    config_path = write_demo_config(target, overwrite=args.force)
    # The run journal and rotation of a replaced demo describe a CRM that is gone.
    shutil.rmtree(target / ".odlm-state", ignore_errors=True)
    print(f"Demo CRM written to {files.crm_path}")
    from odoo_lead_manager.config.editor import write_schema_beside

    schema = write_schema_beside(config_path, force=args.force)
    print(schema.message(), file=sys.stderr if schema.outcome == "failed" else sys.stdout)
    print(f"Run: odlm dailydist --config {config_path} --dry-run")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """`odlm check`: server, protocol, user, and every mapped field; exit 2 on a problem."""
    from odoo_lead_manager.crm.odoo.check import check_odoo

    report = check_odoo(_load(args.config))
    print(f"Odoo server: {report.url} (version {report.server_version})")
    print(f"Protocol: {report.protocol}")
    print(f"Database: {report.database}  user: {report.username} (uid {report.uid})")
    print("Lead fields:")
    for field in report.fields:
        print(f"  ok       {field.logical:<24} crm.lead.{field.odoo} ({field.type})")
    for problem in report.problems:
        print(f"  PROBLEM  {problem.logical:<24} {problem.problem}")
    if report.problems:
        print(f"error: {len(report.problems)} mapped field(s) do not fit", file=sys.stderr)
        return 2
    print("Reads of a run:")
    for read in report.reads:
        status = "ok     " if read.problem is None else "PROBLEM"
        print(f"  {status}  {read.model}.{read.method} ({read.fields})")
        if read.problem is not None:
            print(f"           {read.problem}")
    if report.failed_reads:
        print(f"error: {len(report.failed_reads)} read(s) of a run fail", file=sys.stderr)
        return 2
    if report.assignment is not None:
        _print_odoo_assignment(report)
    if report.refused:
        print("error: a real run is refused while Odoo assigns leads on its own", file=sys.stderr)
        return 2
    print("All mapped fields fit; this configuration can run against this server.")
    return EXIT_OK


def _print_odoo_assignment(report: CheckReport) -> None:
    """What `odlm check` says of Odoo's own lead assignment, in Odoo's words."""
    from odoo_lead_manager import odoo_assignment as odoo

    assignment = report.assignment
    assert assignment is not None
    print(f"Odoo's own lead assignment ({odoo.WHERE}):")
    print(f"  {odoo.describe(assignment)}")
    for note in odoo.team_notes(assignment, report.teams):
        print(f"  {note}")
    every = {t.id for t in assignment.teams}
    others = [t for t in assignment.teams_of(every) if t.id not in report.teams]
    if others and (assignment.rule_based or assignment.scheduled):
        names = ", ".join(f"{t.name} ({t.capacity:,})" for t in others)
        print(f"  other sales teams with members' capacity ({odoo.CAPACITY}): {names}")
    if not assignment.automatic:
        return
    if report.accepts_odoo_assignment:
        print(f"  a real run goes on anyway ({odoo.ACCEPT_KEY}: accept)")
    else:
        print(f"  PROBLEM  {odoo.refusal(assignment, report.teams)}")


def run_schema(args: argparse.Namespace) -> int:
    """`odlm schema`: the JSON Schema for editor completion, or the Markdown reference."""
    if args.format == "markdown":
        from odoo_lead_manager.config.reference import configuration_reference

        text = configuration_reference()
    else:
        text = json.dumps(config_json_schema(), indent=2) + "\n"
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserInputError(
                f"cannot write the schema to {args.output}: {exc.strerror or exc}"
            ) from None
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run_replay(args: argparse.Namespace) -> int:
    """`odlm replay`: a recorded run planned again from its snapshot; 1 when it differs."""
    from odoo_lead_manager.inspecting import replay_run

    loaded = _load(args.config)
    _configure_logging("ERROR", loaded)
    result = replay_run(loaded, args.run_id, args.seed)
    run = result.recorded.run
    if args.format == "json":
        data = {
            "run_id": run.run_id,
            "date": run.run_date.isoformat(),
            "dry_run": run.dry_run,
            "seed": result.plan.seed,
            "identical": result.identical,
            "figures": [{"what": w, "recorded": a, "replayed": b} for w, a, b in result.figures],
            "differences": [
                {"lead_id": d.lead_id, "recorded": d.then, "replayed": d.now}
                for d in result.differences
            ],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK if result.identical else EXIT_FAILED
    kind = "dry run" if run.dry_run else "run"
    print(f"Replay of {kind} {run.run_id} of {run.run_date} (seed {result.plan.seed}):")
    width = max((len(w) for w, _, _ in result.figures), default=10)
    print(f"  {'':<{width}}  {'recorded':>9}  {'replayed':>9}")
    for what, then, now in result.figures:
        mark = "" if then == now else "  *"
        print(f"  {what:<{width}}  {then:>9,}  {now:>9,}{mark}")
    if result.identical:
        print("Identical: every lead is decided as the recorded plan decided it.")
        return EXIT_OK
    print(f"{len(result.differences):,} leads decided differently:")
    for d in result.differences[:200]:
        print(f"  lead {d.lead_id}: recorded {d.then}; replayed {d.now}")
    if len(result.differences) > 200:
        print(f"  ... and {len(result.differences) - 200:,} more (--format json lists all)")
    return EXIT_FAILED


def run_explain(args: argparse.Namespace) -> int:
    """`odlm explain LEAD_ID`: each rule the lead met, the strategy's decision, the write."""
    from odoo_lead_manager.inspecting import explain_lead

    if args.run is not None and args.today is not None:
        raise UserInputError(
            "--today plans that day's dry run; --run explains a recorded run: give one of them"
        )
    loaded = _load(args.config)
    _configure_logging("ERROR", loaded)
    found = explain_lead(loaded, args.lead_id, args.run, args.today)
    if args.format == "json":
        data = {
            "lead_id": found.lead_id,
            "run_id": found.run_id,
            "dry_run": found.dry_run,
            "fetched": found.fetched,
            "steps": [
                {"rule": s.rule, "code": s.code, "passed": s.passed, "why": s.why}
                for s in found.steps
            ],
            "code": found.code,
            "outcome": found.outcome,
            "written": found.written,
            "notes": list(found.notes),
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(found.lines()))
    return EXIT_OK


def run_compare(args: argparse.Namespace) -> int:
    """`odlm compare`: recorded days replayed under each configuration."""
    from odoo_lead_manager.inspecting import compare_runs

    if len(args.config) < 2:
        raise UserInputError("odlm compare needs two or more --config files")
    configs = _named([(path, _load(path)) for path in args.config])
    _configure_logging("ERROR", configs[0][1])
    since = until = None
    if args.runs:
        since, until = parse_date_range(args.runs.replace("..", ","), "--runs")
    comparison = compare_runs(configs, args.run, since, until)
    if args.format == "json":
        text = json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "html":
        from odoo_lead_manager.reporting.comparison_html import comparison_html

        text = comparison_html(comparison.to_dict())
    else:
        text = _comparison_table(comparison)
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserInputError(f"--output {args.output}: {exc.strerror}") from None
        print(f"Comparison of {len(comparison.days)} run(s) written to {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _named(loaded: Sequence[tuple[str, LoadedConfig]]) -> list[tuple[str, LoadedConfig]]:
    """Each configuration by its ``name`` (its file's name when it has none of its own, or
    shares it with another), as `odlm compare` heads its columns."""
    default = type(loaded[0][1].config).model_fields["name"].default
    names = [
        config.config.name if config.config.name not in ("", default) else Path(path).name
        for path, config in loaded
    ]
    return [
        (name if names.count(name) == 1 else Path(path).name, config)
        for name, (path, config) in zip(names, loaded, strict=True)
    ]


def _comparison_table(comparison: Comparison) -> str:
    from odoo_lead_manager.fairness import RECEIVED_GINI, RECEIVED_RANGE, UTILISATION_STDEV

    names = comparison.names
    width = max(12, *(len(n) for n in names))
    totals = comparison.totals()
    labels = [f"{p.name} (received -> after)" for f in totals for p in f.people]
    label_width = max(26, *(len(x) for x in labels), *(len(r) for f in totals for r in f.left))

    def row(label: str, values: Sequence[object]) -> str:
        cells = "".join(f"  {'—' if v is None else v!s:>{width}}" for v in values)
        return f"  {label:<{label_width}}{cells}\n"

    out = [row("", names)]
    for day in comparison.days:
        out.append(f"{day.day} (run {day.run_id[:12]}, {day.campaign or 'any campaign'})\n")
        figures = day.figures
        out.append(row("leads moved", [f.moved for f in figures]))
        out.append(row(f"{RECEIVED_RANGE.name} (leads)", [f.received_range for f in figures]))
        out.append(
            row(f"{UTILISATION_STDEV.name} (points)", [f.utilisation_stdev for f in figures])
        )
        out.append(row(RECEIVED_GINI.name, [f.received_gini for f in figures]))
        out.append(row("over target", [", ".join(f.over) or "none" for f in figures]))
    out.append(f"Total over {len(comparison.days)} day(s)\n")
    out.append(row("leads moved", [f.moved for f in totals]))
    out.append(row(f"{RECEIVED_RANGE.name} (leads)", [f.received_range for f in totals]))
    last_stdev = [f.utilisation_stdev for f in totals]
    out.append(row(f"{UTILISATION_STDEV.name}, last day (points)", last_stdev))
    out.append(row(RECEIVED_GINI.name, [f.received_gini for f in totals]))
    out.append(row("over target, last day", [", ".join(f.over) or "none" for f in totals]))
    people = list(dict.fromkeys(p.name for f in totals for p in f.people))
    for name in people:
        cells = [
            next(
                (
                    f"{p.received} -> {p.after}" + (f"/{p.target}" if p.target else "")
                    for p in f.people
                    if p.name == name
                ),
                None,
            )
            for f in totals
        ]
        out.append(row(f"{name} (received -> after/target)", cells))
    reasons = list(dict.fromkeys(r for f in totals for r in f.left))
    for reason in reasons:
        out.append(row(reason, [f.left.get(reason, 0) for f in totals]))
    return "".join(out)


# The configurations this command loaded: their secrets are never printed.
_LOADED: list[LoadedConfig] = []


def _load(path: str) -> LoadedConfig:
    loaded = load_config(path)
    _LOADED.append(loaded)
    _redact_logs()
    return loaded


def _redact_logs() -> None:
    secrets = _secrets()
    for handler in logging.getLogger().handlers:
        redacting = [f for f in handler.filters if isinstance(f, RedactingFilter)]
        if redacting:
            redacting[0].secrets = secrets
        else:
            handler.addFilter(RedactingFilter(secrets))


def _secrets() -> tuple[str, ...]:
    found = {s for loaded in _LOADED for s in secret_values(loaded.environ, loaded.config)}
    found.update(secret_values(os.environ))
    return tuple(sorted(found, key=len, reverse=True))


def _configure_logging(
    level: str, loaded: LoadedConfig | None = None, log_format: LogFormat | None = None
) -> None:
    """Log at ``level`` in the format and to the file of ``loaded``'s ``execution`` section
    (``log_format`` from the command line wins), secrets and masked data kept out."""
    execution = loaded.config.execution if loaded is not None else None
    masking = loaded is not None and loaded.config.security.mask_personal_data
    log_file = None
    if loaded is not None and execution is not None and execution.log_file:
        log_file = loaded.resolve_path(execution.log_file)

    def scrub(text: str) -> str:
        text = redact(text, _secrets())
        return mask_text(text) if masking else text

    install_handlers(
        level,
        log_format or (execution.log_format if execution is not None else "text"),
        log_file,
        max_bytes=(execution.log_file_max_mb if execution is not None else 10) * 1024 * 1024,
        backups=execution.log_file_backups if execution is not None else 5,
        scrub=scrub,
    )
    _redact_logs()
    if masking:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
