"""`odlm report site DIR`, and `odlm report KIND --format html`: pages over the tracking history.

``index.html`` lists the runs of the last N days (the run journal's real
runs and the kept dry runs), each linking to its HTML report under
``runs/``; ``trends.html``, one ``campaign-<name>.html`` per campaign and one
``salesperson-<id>.html`` per salesperson hold the charts
(`reporting.history_html`); ``favicon.ico`` answers the browser's own
request for one. Links are relative, nothing is fetched: any static web
server (or the file system) serves it.

A run's report is rebuilt from the history: a real run's plan is in the
journal with its write batches, a dry run's in its kept snapshot, so the
page is the one the run would have written, masked as the configuration
says today. A run whose plan is gone keeps the report file it wrote in
``reporting.report_location``, copied in, unless masking is on now and the
file was written unmasked; otherwise the index says "no report".
"""

from __future__ import annotations

import shutil
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from odoo_lead_manager.commands.outputs import counts_dropback
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.domain.fairness import UTILISATION_STDEV
from odoo_lead_manager.domain.model import campaign_slug
from odoo_lead_manager.domain.runs import STOPPED, ApplyResult, RunRecord, Totals
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.ops.privacy import mask_text
from odoo_lead_manager.reporting.files import TEMPLATES, render_html, report_stem
from odoo_lead_manager.reporting.history_html import (
    Nav,
    headlines,
    overview_html,
    person_rows,
    salesperson_html,
)
from odoo_lead_manager.reporting.report import Report, build_report
from odoo_lead_manager.state.analytics import (
    daily_report,
    find_user,
    history_figures,
    kept_plan,
)
from odoo_lead_manager.state.database import transaction
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.tables import summary

# Runs read from the journal for the index (the newest; the window then narrows them).
MAX_RUNS = 2000
# What the page of a report copied from reporting.report_location says when it was masked.
MASKED_MARK = "personal data masked"


@dataclass(frozen=True)
class RunEntry:
    """One line of the index."""

    run_id: str
    campaign: str
    day: date
    dry_run: bool
    outcome: str
    planned: int
    written: int
    skipped: int
    failed: int
    started_at: datetime | None
    message: str
    # The report's link from the index, and how it got there (rebuilt, copied).
    report: str | None = None
    source: str = ""


def run_report(loaded: LoadedConfig, journal: Journal, run_id: str, dry_run: bool) -> Report | None:
    """The run's report rebuilt from the history, or None when its plan is not kept."""
    record = None if dry_run else journal.run(run_id)
    with transaction(journal.engine) as connection:
        plan = kept_plan(connection, run_id, dry_run)
    if plan is None:
        return None
    cfg = loaded.config
    return build_report(
        plan,
        None if record is None else _applied(journal, record),
        _seconds(journal.engine, run_id),
        mask=cfg.security.mask_personal_data,
        analytics=cfg.reporting.include_analytics,
        dropback=counts_dropback(loaded),
    )


def report_page(
    loaded: LoadedConfig,
    engine: Engine,
    kind: str,
    *,
    campaign: str | None,
    user: str | None,
    day: date,
    start: date,
    end: date,
) -> str:
    """`odlm report KIND --format html`: the page of ``kind`` over ``start``..``end``; for
    ``daily``, the day's run report rebuilt from the history."""
    if kind == "daily":
        run_id = daily_report(engine, day, campaign or "")["run_id"]
        report = run_report(loaded, Journal(engine), run_id, dry_run=False)
        if report is None:
            raise UserInputError(f"the plan of run {run_id} ({day}) is no longer in the history")
        return render_html(report)
    if kind == "salesperson":
        if not user:
            raise UserInputError("odlm report salesperson needs --user ID or NAME")
        return salesperson_html(history_figures(engine, start, end, None), find_user(engine, user))
    figures = history_figures(engine, start, end, campaign)
    if kind == "campaign":
        return overview_html(
            figures, f"odlm campaign {campaign or '(no campaign)'}: {start} to {end}"
        )
    return overview_html(figures, f"odlm trends: {start} to {end}")


def write_site(
    loaded: LoadedConfig, engine: Engine, directory: Path, days: int, today: date
) -> Path:
    """Write the site for the ``days`` days up to ``today`` into ``directory``; its index."""
    start = today - timedelta(days=days - 1)
    journal = Journal(engine)
    figures = history_figures(engine, start, today, None)
    campaign_pages = _unique(
        {name: f"campaign-{campaign_slug(name or 'no-campaign')}" for name in figures["campaigns"]}
    )
    person_pages = {
        p["user_id"]: f"salesperson-{p['user_id']}.html" for p in figures["salespeople"]
    }
    nav: Nav = [("Runs", "index.html"), ("Trends", "trends.html")] + [
        (f"Campaign {name or '(no campaign)'}", page) for name, page in campaign_pages.items()
    ]
    try:
        (directory / "runs").mkdir(parents=True, exist_ok=True)
        entries = [
            _with_report(loaded, journal, e, directory) for e in _runs(journal, start, today)
        ]
        mask = loaded.config.security.mask_personal_data
        pages: dict[str, str] = {
            "trends.html": overview_html(
                figures, f"odlm trends: {start} to {today}", nav, person_pages
            ),
        }
        for name, page in campaign_pages.items():
            one = history_figures(engine, start, today, name)
            title = f"odlm campaign {name or '(no campaign)'}: {start} to {today}"
            pages[page] = overview_html(one, title, nav, person_pages)
        for person in figures["salespeople"]:
            pages[person_pages[person["user_id"]]] = salesperson_html(
                figures, person["user_id"], nav=nav
            )
        pages["index.html"] = TEMPLATES.get_template("history_index.html.j2").render(
            title=f"odlm runs: {start} to {today}",
            nav=nav,
            runs=[_shown(e, mask) for e in entries],
            headlines=headlines(figures),
            measure=UTILISATION_STDEV,
            campaigns=list(campaign_pages.items()),
            people=person_rows(figures, person_pages),
            date_range=(start, today),
        )
        for name, text in pages.items():
            (directory / name).write_text(text, encoding="utf-8")
        # Browsers ask a web server for /favicon.ico on their own (the run reports name no
        # icon): answered, it is no 404 in the console.
        (directory / "favicon.ico").write_bytes(favicon())
    except OSError as exc:
        raise UserInputError(
            f"cannot write the site in {directory}: {exc.strerror or exc}"
        ) from None
    return directory / "index.html"


def _runs(journal: Journal, start: date, end: date) -> list[RunEntry]:
    """Real runs from the journal and dry runs from the kept snapshots, newest first."""
    entries = [
        RunEntry(
            r.run_id,
            r.campaign,
            r.run_date,
            False,
            r.status,
            r.planned,
            r.written,
            r.skipped,
            r.failed,
            r.started_at,
            r.message or "",
        )
        for r in journal.recent(MAX_RUNS)
        if start <= r.run_date <= end
    ]
    for kept in journal.recorded_runs(since=start, until=end):
        if not kept.dry_run:
            continue
        with transaction(journal.engine) as connection:
            plan = kept_plan(connection, kept.run_id, dry_run=True)
        planned = len(plan.handed_out) if plan is not None else 0
        entries.append(
            RunEntry(
                kept.run_id,
                kept.campaign,
                kept.run_date,
                True,
                "planned only",
                planned,
                0,
                0,
                0,
                kept.taken_at,
                "",
            )
        )
    return sorted(entries, key=lambda e: (e.day, e.started_at or datetime.min), reverse=True)


def _with_report(loaded: LoadedConfig, journal: Journal, entry: RunEntry, site: Path) -> RunEntry:
    """``entry`` with its report written under ``site/runs`` (rebuilt, else copied), if any."""
    report = run_report(loaded, journal, entry.run_id, entry.dry_run)
    if report is not None:
        name = f"runs/{report_stem(report)}.html"
        (site / name).write_text(render_html(report), encoding="utf-8")
        return _replace(entry, report=name, source="rebuilt from the history")
    stem = f"odlm-{campaign_slug(entry.campaign)}-{entry.day}-{entry.run_id[:8]}"
    stem += "-dry-run" if entry.dry_run else ""
    written = loaded.resolve_path(loaded.config.reporting.report_location) / f"{stem}.html"
    if not written.is_file():
        return entry
    text = written.read_text(encoding="utf-8", errors="replace")
    # A report written before masking was turned on would show what masking now hides.
    if loaded.config.security.mask_personal_data and MASKED_MARK not in text:
        return _replace(entry, source="report file not copied: written unmasked")
    shutil.copyfile(written, site / "runs" / written.name)
    return _replace(entry, report=f"runs/{written.name}", source="the run's own report file")


def _replace(entry: RunEntry, **changes: Any) -> RunEntry:
    return RunEntry(**{**vars(entry), **changes})


def _shown(entry: RunEntry, mask: bool) -> RunEntry:
    """The entry as the index shows it: a stopped run's message masked when asked (it may
    quote what the CRM said about a lead)."""
    return _replace(entry, message=mask_text(entry.message)) if mask else entry


def _applied(journal: Journal, record: RunRecord) -> ApplyResult:
    """What the run's write batches did, as the run itself reported it."""
    done = journal.batches(record.run_id, "apply")
    totals = Totals.of(done)
    return ApplyResult(
        run_id=record.run_id,
        planned=record.planned,
        written=totals.written,
        already=totals.already,
        skipped=totals.skipped,
        failed=totals.failed,
        write_calls=0,
        stopped=(record.message or "stopped") if record.status == STOPPED else None,
        placed=frozenset(journal.placed(record.run_id)),
        unsettled=totals.unsettled if record.status == STOPPED else (),
    )


def _seconds(engine: Engine, run_id: str) -> float:
    """The run's execution time as its summary row recorded it (0 when there is none)."""
    with transaction(engine) as connection:
        value = connection.execute(
            select(summary.c.execution_time_seconds).where(summary.c.run_id == run_id)
        ).scalar_one_or_none()
    return float(value) if value is not None else 0.0


def favicon(colour: tuple[int, int, int] = (0x33, 0x66, 0xCC)) -> bytes:
    """A 16x16 icon of one colour: an ICO file holding one PNG image."""
    size = 16
    rows = b"".join(b"\x00" + bytes((*colour, 255)) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), len(header) + 16)
    return header + entry + png


def _unique(pages: dict[str, str]) -> dict[str, str]:
    """File names, one per campaign, that stay apart when two names give one slug."""
    seen: set[str] = set()
    result = {}
    for name, stem in pages.items():
        candidate, n = stem, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{stem}-{n}"
        seen.add(candidate.casefold())
        result[name] = f"{candidate}.html"
    return result
