"""Writing a `Report` as CSV, JSON or one self-contained HTML file (spec §8.1).

File names say what they hold: ``odlm-<campaign>-<date>-<run>[-dry-run]``
then, for CSV, one file per table (``-summary``, ``-salespeople``,
``-leads``, ``-assignments``). The HTML page carries its charts as inline
SVG and its style inline: it opens offline, runs no script, and every text
from the CRM goes through Jinja's autoescaping.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from odoo_lead_manager.domain.model import campaign_slug
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.reporting.report import Report

# Assignments listed in the HTML page (and so in the e-mail): enough to browse,
# small enough to send; the CSV and JSON files list them all.
HTML_ASSIGNMENTS = 2000
# The HTML templates (run report, comparison page), autoescaped.
TEMPLATES = Environment(
    loader=PackageLoader("odoo_lead_manager.reporting", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def report_stem(report: Report) -> str:
    kind = "-dry-run" if report.dry_run else ""
    return f"odlm-{campaign_slug(report.campaign)}-{report.day}-{report.run_id[:8]}{kind}"


def write_reports(report: Report, formats: Sequence[str], directory: Path) -> list[Path]:
    """Write ``report`` in each format into ``directory`` (created); the files written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for kind in formats:
            written += _WRITERS[kind](report, directory / report_stem(report))
    except OSError as exc:
        raise UserInputError(
            f"cannot write the report in {directory}: {exc.strerror or exc}"
        ) from None
    return written


def render_html(report: Report) -> str:
    """The HTML report as text (also the e-mail's attachment)."""
    template = TEMPLATES.get_template("report.html.j2")
    return template.render(r=report, shown=HTML_ASSIGNMENTS)


def _write_json(report: Report, stem: Path) -> list[Path]:
    path = stem.with_name(stem.name + ".json")
    path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return [path]


def _write_html(report: Report, stem: Path) -> list[Path]:
    path = stem.with_name(stem.name + ".html")
    path.write_text(render_html(report), encoding="utf-8")
    return [path]


def _write_csv(report: Report, stem: Path) -> list[Path]:
    data = report.to_dict()
    tables: dict[str, tuple[list[str], Iterable[Sequence[Any]]]] = {
        "summary": (
            ["key", "value"],
            [
                *_flatten("", data["run"]),
                *_flatten("", data["distribution_summary"]),
                *_flatten("", data.get("analytics", {})),
            ],
        ),
        "salespeople": (
            list(data["salesperson_summary"][0]) if data["salesperson_summary"] else ["name"],
            [list(row.values()) for row in data["salesperson_summary"]],
        ),
        "leads": (
            ["dimension", "value", "leads"],
            [
                [dimension.removeprefix("by_"), value, count]
                for dimension, counts in data["lead_characteristics"].items()
                for value, count in counts.items()
            ],
        ),
        "assignments": (
            ["lead_id", "lead", "previous", "new", "reason"],
            [list(row.values()) for row in data["assignments"]],
        ),
    }
    written = []
    for name, (header, rows) in tables.items():
        path = stem.with_name(f"{stem.name}-{name}.csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(safe_cells(row) for row in rows)
        written.append(path)
    return written


def _flatten(prefix: str, value: Any) -> list[list[Any]]:
    """Nested mappings and lists as ``key: sub-key`` rows of a key/value table."""
    if isinstance(value, dict):
        return [
            row for k, v in value.items() for row in _flatten(f"{prefix}: {k}" if prefix else k, v)
        ]
    if isinstance(value, list):
        return [[prefix, " / ".join(str(item) for item in value)]]
    return [[prefix, value]]


# OWASP's list of the first characters that make a spreadsheet read a cell
# as a formula: the four operators, and TAB and CR, which some skip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cells(row: Sequence[Any]) -> list[Any]:
    """Cells a spreadsheet would run as formulas (CRM text like "=cmd|...") are quoted."""
    return [
        f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
        for cell in row
    ]


_WRITERS = {"csv": _write_csv, "json": _write_json, "html": _write_html}
