"""`odlm report KIND`: analytics over the tracking history, and `odlm report site DIR`."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta

from odoo_lead_manager.commands.report_site import report_page, write_site
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.session import EXIT_OK, load
from odoo_lead_manager.commands.terminal import open_console, write_output
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.reporting.console import print_analytics
from odoo_lead_manager.state import analytics
from odoo_lead_manager.state.database import prepare
from odoo_lead_manager.state.tracking import history_engine

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


def run(args: argparse.Namespace) -> int:
    """`odlm report`: the analytics of §9.5 from the tracking history, as a table, JSON or
    an HTML page, or (``site DIR``) a static site of them."""
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
    loaded = load(args.config)
    campaign = args.campaign if args.campaign is not None else (loaded.config.target_campaign or "")
    end = args.end or date.today()
    start = args.start or end - timedelta(days=args.days - 1)
    if start > end:
        raise UserInputError(f"--from {start} is after --to {end}")
    engine = history_engine(tracking_settings(loaded))
    try:
        prepare(engine)
        if args.kind == "site":
            index = write_site(loaded, engine, args.directory, args.days, end)
            print(f"Site written: {index}")
            return EXIT_OK
        if args.format == "html":
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
            write_output(page, args.output)
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
        write_output(json.dumps(data, indent=2, ensure_ascii=False) + "\n", args.output)
    else:
        print_analytics(open_console(), f"{args.kind.capitalize()} report", data)
    return EXIT_OK
