"""The command line's verbs and their arguments."""

from __future__ import annotations

import argparse
import os
import textwrap
from pathlib import Path
from typing import TypeAlias, get_args

from odoo_lead_manager import __version__
from odoo_lead_manager.cli.examples import DAILYDIST_EPILOG, EXAMPLES
from odoo_lead_manager.cli.options import day, positive_int, record_id, seed_number, whole_number
from odoo_lead_manager.config.choices import TEMPLATES, ReportFormat
from odoo_lead_manager.demo.size import LEAD_COUNT, LEADS_PER_SALESPERSON, MAX_LEADS
from odoo_lead_manager.ops.logs import LogFormat

# A parser or one of its argument groups: where an option is added.
Options: TypeAlias = "argparse._ActionsContainer"


def add_dailydist_arguments(parser: argparse.ArgumentParser) -> None:
    """`odlm dailydist`'s options, grouped as a user looks for them."""
    run = parser.add_argument_group("the run")
    run.add_argument(
        "--config",
        action="append",
        help="configuration file (YAML or JSON); several run their campaigns in that order, "
        f"a lead moving at most once a day (default: ${CONFIG_VARIABLE})",
    )
    run.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    run.add_argument(
        "--today",
        type=day,
        metavar="YYYY-MM-DD",
        help="run as of this day (a missed cron day, a reproduction); a real run for a day "
        "other than today needs --run-again",
    )
    add_run_again_argument(run)
    run.add_argument(
        "--campaign",
        help="with a run: the campaign each --config must distribute (checked); with "
        "--generate-config: the campaign to name",
    )
    change = parser.add_argument_group("changing the plan for this run only")
    change.add_argument(
        "--override-date-range",
        metavar="START,END",
        help="distribute leads dated START to END (inclusive, YYYY-MM-DD)",
    )
    change.add_argument(
        "--force-round-robin",
        action="store_true",
        help="use round robin whatever the configured strategy",
    )
    change.add_argument("--max-leads", type=positive_int, help="distribute at most N leads")
    change.add_argument(
        "--seed", type=seed_number, help="random seed, to reproduce an earlier plan"
    )
    files = parser.add_argument_group("files the run writes")
    files.add_argument(
        "--plan-out",
        "--plan-json",
        dest="plan_out",
        type=Path,
        metavar="FILE",
        help="also write the plan as JSON to FILE (`odlm apply FILE` applies it later)",
    )
    files.add_argument(
        "--export-excluded",
        type=Path,
        metavar="FILE.csv",
        help="write the exclusion ledger: every examined lead with the rule that stopped it "
        "(reason code and sentence), and every lead moved with its reason",
    )
    add_report_arguments(files)
    add_logging_arguments(parser)
    generate = parser.add_argument_group("writing a new configuration (then exit)")
    generate.add_argument(
        "--generate-config",
        action="store_true",
        help="write a boilerplate configuration file (to --output, else to the terminal)",
    )
    generate.add_argument("--output", type=Path, help="where --generate-config writes")
    generate.add_argument(
        "--template",
        choices=TEMPLATES,
        help="template for --generate-config (default: basic)",
    )
    generate.add_argument(
        "--overwrite",
        action="store_true",
        help="with --generate-config: replace an existing --output file",
    )


def add_logging_arguments(parser: argparse.ArgumentParser, formats: bool = True) -> None:
    """``--log-level`` (and ``--log-format``), in a group of their own."""
    logs = parser.add_argument_group("logging")
    logs.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level (default: execution.log_level of the config; on a terminal, only "
        "warnings and errors are shown unless this is given, the log file gets every line)",
    )
    if formats:
        logs.add_argument(
            "--log-format",
            choices=get_args(LogFormat),
            help="text, or json: one JSON object per line with the run id, campaign, stage "
            "and counts (default: execution.log_format of the config)",
        )


def add_run_again_argument(parser: Options) -> None:
    parser.add_argument(
        "--run-again",
        action="store_true",
        help="distribute although the campaign was already distributed that day, or for a "
        "day other than today (--today)",
    )


def add_report_arguments(parser: Options) -> None:
    """The report options, which override the configuration's ``reporting``."""
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


# The configuration a verb reads when --config is not given (a cron line, a shell profile).
CONFIG_VARIABLE = "ODLM_CONFIG"


def add_config_argument(
    parser: argparse.ArgumentParser, also: str = "", several: bool = False
) -> None:
    """``--config FILE``, required unless ``$ODLM_CONFIG`` names the file; ``several``: it may
    be repeated (the variable then stands for one, see `config_from_environment`)."""
    given = os.environ.get(CONFIG_VARIABLE) or None
    text = "configuration file (YAML or JSON)" + (f"; {also}" if also else "")
    text += f" (default: ${CONFIG_VARIABLE}{', which is set' if given else ''})"
    if several:
        parser.add_argument("--config", action="append", required=given is None, help=text)
    else:
        parser.add_argument("--config", required=given is None, default=given, help=text)


def config_from_environment(args: argparse.Namespace) -> argparse.Namespace:
    """A repeatable ``--config`` left out: the one file ``$ODLM_CONFIG`` names."""
    given = os.environ.get(CONFIG_VARIABLE) or None
    if given and getattr(args, "config", "") is None:
        args.config = [given]
    return args


# `--force` meant "run again today", "apply a stale plan" and "overwrite": each verb now
# names what it allows, and the old word is refused with the new ones.
RETIRED_FORCE = {
    "dailydist": "--run-again (distribute again a campaign already distributed that day, or "
    "for a day other than today) or --overwrite (replace the --generate-config --output file)",
    "apply": "--run-again (apply although the campaign was already distributed that day) or "
    "--accept-stale-plan (apply a plan made under another configuration)",
    "demo": "--overwrite (replace an existing demo)",
}


class _Retired(argparse.Action):
    """An option that no longer exists, refused with what replaced it."""

    def __init__(self, option_strings: list[str], dest: str, instead: str = "") -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        self.instead = instead

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.error(f"{option_string} is no longer an option: use {self.instead}")


# The subcommands' parsers, each verb added by its own function below.
Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

# Every verb, as its module under `odoo_lead_manager.commands` is named.
VERBS = (
    "dailydist",
    "demo",
    "apply",
    "undo",
    "digests",
    "runs",
    "status",
    "retention",
    "report",
    "check",
    "replay",
    "explain",
    "compare",
    "fairness",
    "schema",
    "completion",
)

# A verb's description is filled to this width, as argparse fills its options' help.
DESCRIPTION_WIDTH = 78

# `odlm --help` lists the verbs by what a user sets out to do, in the order they learn them.
TASKS = (
    ("start", ("demo", "check", "schema", "completion")),
    ("distribute leads", ("dailydist", "apply", "undo")),
    ("see how runs went", ("status", "runs", "report", "fairness", "digests")),
    ("understand a decision", ("explain", "replay", "compare")),
    ("keep the history", ("retention",)),
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of `odlm` and of each verb's arguments."""
    parser = argparse.ArgumentParser(
        prog="odlm",
        usage="odlm [-h] [--version] COMMAND ...",
        description="Daily lead distribution for Odoo CRM.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"odlm {__version__}")
    # The verbs are listed by task in the epilog, not as one alphabet of choices.
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, help=argparse.SUPPRESS, prog="odlm"
    )
    _add_dailydist(commands)
    _add_demo(commands)
    _add_apply(commands)
    _add_undo(commands)
    _add_digests(commands)
    _add_runs(commands)
    _add_fairness(commands)
    _add_status(commands)
    _add_retention(commands)
    _add_report(commands)
    _add_check(commands)
    _add_replay(commands)
    _add_explain(commands)
    _add_compare(commands)
    _add_schema(commands)
    _add_completion(commands)
    for verb, instead in RETIRED_FORCE.items():
        commands.choices[verb].add_argument("--force", action=_Retired, instead=instead)
    _describe(commands)
    parser.epilog = _by_task(commands)
    return parser


def _by_task(commands: Verbs) -> str:
    """The verbs and their purposes, under the task each serves."""
    purposes = {action.dest: action.help or "" for action in commands._choices_actions}
    width = max(map(len, purposes)) + 2
    lines = ["commands, by task:"]
    for task, verbs in TASKS:
        lines.append(f"  to {task}:")
        lines += [f"    {verb:<{width}}{purposes[verb]}" for verb in verbs]
    lines.append("")
    lines.append("`odlm COMMAND --help` shows a command's options and examples; the")
    lines.append(f"configuration comes from --config FILE or ${CONFIG_VARIABLE}.")
    return "\n".join(lines)


def _describe(commands: Verbs) -> None:
    """Each verb's --help opens with its purpose (its line in `odlm --help`) and ends with
    real examples."""
    purposes = {action.dest: action.help for action in commands._choices_actions}
    for verb, parser in commands.choices.items():
        purpose = purposes.get(verb) or ""
        text = parser.description or (purpose[:1].upper() + purpose[1:] + ".")
        # Filled here: the examples below are kept as written, and the description with them.
        parser.description = textwrap.fill(text, DESCRIPTION_WIDTH) if "\n" not in text else text
        if verb in EXAMPLES:
            parser.epilog = "examples:\n" + "".join(f"  {line}\n" for line in EXAMPLES[verb])
            parser.formatter_class = argparse.RawDescriptionHelpFormatter


def _add_dailydist(commands: Verbs) -> None:
    dailydist = commands.add_parser(
        "dailydist",
        help="run the daily lead distribution",
        epilog=DAILYDIST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_dailydist_arguments(dailydist)


def _add_demo(commands: Verbs) -> None:
    demo = commands.add_parser("demo", help="create the demo CRM, campaign table and config")
    demo.add_argument("--dir", type=Path, default=Path("demo"), help="directory (default: demo)")
    demo.add_argument("--today", type=day, help="date the demo data ends at")
    demo.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing demo, its run history included",
    )
    demo.add_argument(
        "--leads",
        type=lambda text: whole_number(text, MAX_LEADS, 1),
        metavar="N",
        help=f"how many leads, 1 to {MAX_LEADS:,} (default: {LEAD_COUNT:,}); a larger demo "
        f"has more salespeople, one per {LEADS_PER_SALESPERSON} leads",
    )


def _add_apply(commands: Verbs) -> None:
    apply = commands.add_parser(
        "apply", help="apply a plan saved by `odlm dailydist --dry-run --plan-out FILE`"
    )
    apply.add_argument("plan", type=Path, help="the plan file")
    add_config_argument(apply)
    add_run_again_argument(apply)
    apply.add_argument(
        "--accept-stale-plan",
        action="store_true",
        help="apply a plan made under another configuration, or an earlier version of this "
        "one, as it is",
    )
    add_report_arguments(apply.add_argument_group("reports"))
    add_logging_arguments(apply)


def _add_undo(commands: Verbs) -> None:
    undo = commands.add_parser(
        "undo", help="give a run's leads back their previous owners and status"
    )
    undo.add_argument(
        "run_id",
        metavar="RUN_ID",
        help="the run's id, or an unambiguous start of it (see `odlm runs`)",
    )
    add_config_argument(undo)
    undo.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would go back (and what would be left alone), change nothing",
    )
    undo.add_argument(
        "--yes",
        action="store_true",
        help="do not ask for confirmation on a terminal (off a terminal odlm never asks)",
    )
    add_logging_arguments(undo, formats=False)


def _add_digests(commands: Verbs) -> None:
    digests = commands.add_parser(
        "digests",
        help="send again the digests of a run that did not reach their salespeople",
        description="Send again the digests of a run that did not reach their salespeople "
        "(odlm status lists them).",
    )
    digests.add_argument("action", choices=("resend",), help="resend: the undelivered ones")
    digests.add_argument(
        "run_id", metavar="RUN_ID", help="the run's id, or an unambiguous start of it"
    )
    add_config_argument(digests)
    add_logging_arguments(digests, formats=False)


def _add_runs(commands: Verbs) -> None:
    runs = commands.add_parser("runs", help="list the latest runs in the run journal")
    add_config_argument(runs)
    runs.add_argument("--limit", type=positive_int, default=20, help="how many (default: 20)")


def _add_fairness(commands: Verbs) -> None:
    fairness = commands.add_parser(
        "fairness",
        help="what each salesperson was entitled to and received over the last run days",
        description="The campaign's fairness ledger: per salesperson, what the strategy "
        "entitled them to on the days they were there, what odlm gave them and what they "
        "received outside odlm (by hand, by Odoo), over its last run days; and Jain's index "
        "of received / entitled (1 is even).",
    )
    add_config_argument(fairness)
    fairness.add_argument(
        "--days",
        type=positive_int,
        help="how many of the campaign's last run days (default: "
        "distribution.fairness_window_days, else 20)",
    )
    fairness.add_argument(
        "--today",
        type=day,
        help="the last day counted, YYYY-MM-DD (default: today)",
    )
    fairness.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )


def _add_status(commands: Verbs) -> None:
    status = commands.add_parser(
        "status",
        help="did today's run happen, and how did it end",
        description="Did today's run happen, and how did it end: exit status 0 done, 1 "
        "failed or unfinished, 3 not run yet (for a monitor).",
    )
    add_config_argument(status, "repeat for several campaigns", several=True)
    status.add_argument("--format", choices=("table", "json"), default="table")
    status.add_argument("--today", type=day, help=argparse.SUPPRESS)


def _add_retention(commands: Verbs) -> None:
    retention = commands.add_parser(
        "retention",
        help="archive (or delete) tracking history older than tracking.retention_days",
    )
    add_config_argument(retention)
    retention.add_argument(
        "--days", type=positive_int, help="keep this many days instead of retention_days"
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="count what would move, change nothing"
    )
    retention.add_argument("--today", type=day, help=argparse.SUPPRESS)


def _add_report(commands: Verbs) -> None:
    report = commands.add_parser(
        "report",
        help="analytics from the tracking history, and a static site of them",
        description="Analytics from the tracking history (daily, salesperson, campaign, "
        "trends), and a static site of them all (site DIR).",
    )
    report.add_argument("kind", choices=("daily", "salesperson", "campaign", "trends", "site"))
    report.add_argument(
        "directory", nargs="?", type=Path, metavar="DIR", help="site: the directory to write"
    )
    add_config_argument(report)
    report.add_argument("--campaign", help="campaign (default: the configuration's)")
    report.add_argument("--date", type=day, help="the day of a daily report (default: today)")
    report.add_argument("--user", help="salesperson report: the user's id or name")
    report.add_argument("--from", dest="start", type=day, help="first day of the range")
    report.add_argument("--to", dest="end", type=day, help="last day of the range (default: today)")
    report.add_argument("--days", type=positive_int, help="days back from --to (default: 30)")
    report.add_argument(
        "--format",
        choices=("table", "json", "html"),
        default="table",
        help="table (default), json, or html (one self-contained page)",
    )
    report.add_argument(
        "--output", type=Path, metavar="FILE", help="write the json or html here, not to stdout"
    )


def _add_check(commands: Verbs) -> None:
    check = commands.add_parser(
        "check",
        help="check a configuration, the files it names and its names, then its Odoo server",
    )
    add_config_argument(check)
    check.add_argument(
        "--offline",
        action="store_true",
        help="check the configuration, its files and names only; contact no server",
    )


def _add_replay(commands: Verbs) -> None:
    replay = commands.add_parser(
        "replay", help="plan a recorded run again, offline, and show what differs"
    )
    replay.add_argument("run_id", metavar="RUN_ID", help="the run's id, or its start")
    add_config_argument(replay)
    replay.add_argument(
        "--seed", type=seed_number, help="plan with this seed instead of the run's own"
    )
    replay.add_argument("--format", choices=("table", "json"), default="table")


def _add_explain(commands: Verbs) -> None:
    explain = commands.add_parser(
        "explain", help="why a lead moved or stayed: each rule, the strategy, the write"
    )
    explain.add_argument("lead_id", metavar="LEAD_ID", type=record_id)
    add_config_argument(explain)
    explain.add_argument(
        "--run",
        help="a recorded run's id or unambiguous prefix (default: the latest kept run that "
        "saw the lead, else today's dry run)",
    )
    explain.add_argument("--today", type=day, help="plan today's dry run as of this day")
    explain.add_argument("--format", choices=("table", "json"), default="table")


def _add_compare(commands: Verbs) -> None:
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


def _add_completion(commands: Verbs) -> None:
    completion = commands.add_parser(
        "completion", help="print the shell completion script for bash, zsh or fish"
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))


def _add_schema(commands: Verbs) -> None:
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
