"""`odlm compare`: kept runs replayed under several configurations, side by side."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from odoo_lead_manager.commands.kept_runs import kept_run, opened_journal
from odoo_lead_manager.commands.resolve import plan_settings
from odoo_lead_manager.commands.session import EXIT_OK, configure_logging, load
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.domain.fairness import RECEIVED_GINI, RECEIVED_RANGE, UTILISATION_STDEV
from odoo_lead_manager.domain.runs import RecordedRun
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.pipeline.inspect.comparison import Comparison, compare
from odoo_lead_manager.reporting.comparison_html import comparison_html
from odoo_lead_manager.snapshot.options import parse_date_range


def run(args: argparse.Namespace) -> int:
    """`odlm compare`: recorded days replayed under each configuration."""
    if len(args.config) < 2:
        raise UserInputError("odlm compare needs two or more --config files")
    configs = _named([(path, load(path)) for path in args.config])
    configure_logging("ERROR", configs[0][1])
    since = until = None
    if args.runs:
        since, until = parse_date_range(args.runs.replace("..", ","), "--runs")
    comparison = compare_runs(configs, args.run, since, until)
    if args.format == "json":
        text = json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "html":
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


def compare_runs(
    configs: Sequence[tuple[str, LoadedConfig]],
    run_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Comparison:
    """`odlm compare`: kept runs (from the first configuration's journal) under each one."""
    first = configs[0][1]
    campaign = first.config.target_campaign or ""
    with opened_journal(first) as journal:
        if run_id is not None:
            runs = [kept_run(journal, run_id)]
        else:
            listed = journal.recorded_runs(campaign, since, until)
            runs = [kept_run(journal, r.run_id) for r in _last_per_day(listed)]
    if not runs:
        span = f"{since or '...'}..{until or '...'}"
        raise UserInputError(
            f"no kept snapshots of campaign {campaign or '(any)'} in {span} "
            "(dry runs and real runs keep one; see `odlm runs`)"
        )
    return compare([(name, plan_settings(loaded)) for name, loaded in configs], runs)


def _last_per_day(runs: Sequence[RecordedRun]) -> list[RecordedRun]:
    """The latest kept run of each day: a day planned twice counts once."""
    latest = {run.run_date: run for run in runs}
    return [latest[day] for day in sorted(latest)]
