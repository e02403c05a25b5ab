"""`odlm report ... --format html` and `odlm report site DIR` over a history of real runs."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, delete, update
from sqlalchemy.engine import URL

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.pipeline.strategies.engine import OVER_LIMIT
from odoo_lead_manager.reporting.history_html import overview_html, salesperson_html
from odoo_lead_manager.state.analytics import history_figures
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.tables import plans, snapshots, tracking
from odoo_lead_manager.state.tracking import history_engine
from tests.reporting.history_runs import CAP, DAYS, FIRST, LAST, REPORTS, build_history

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
LINK = re.compile(r'\b(?:href|src)="([^"]*)"')
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The configuration of a demo with four days of real runs (built once: tests copy it)."""
    return build_history(tmp_path_factory.mktemp("history") / "demo")


@pytest.fixture
def demo(history: Path, tmp_path: Path) -> Path:
    """A copy of the history's demo of the test's own, to change freely."""
    shutil.copytree(history.parent, tmp_path / "demo")
    return tmp_path / "demo" / "config.yaml"


def svgs(page: str) -> dict[str, ET.Element]:
    """Each chart of ``page`` parsed as XML, by id (a parse error fails the test)."""
    charts = [ET.fromstring(svg) for svg in SVG.findall(page)]
    return {chart.get("id", ""): chart for chart in charts}


def values(chart: ET.Element, series: str | None = None) -> list[float]:
    return [
        float(mark.get("data-value", ""))
        for mark in chart.iter()
        if mark.get("data-value") is not None
        and (series is None or mark.get("data-series") == series)
    ]


def report(config: Path, *args: str) -> None:
    assert main(["report", *args, "--config", str(config), "--to", str(LAST)]) == 0


def test_trends_page_charts_what_the_history_holds(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report(demo, "campaign", "--format", "json", "--output", str(tmp_path / "c.json"))
    daily = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["daily"]
    out = tmp_path / "trends.html"
    report(demo, "trends", "--days", "7", "--format", "html", "--output", str(out))
    assert f"Written: {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    charts = svgs(page)
    assert {"chart-moved", "chart-utilisation-stdev", "chart-received", "chart-utilisation"} <= set(
        charts
    )
    # One bar per day, the day's distributed leads (nothing dropped back in the demo).
    assert values(charts["chart-moved"]) == [d["total_leads_distributed"] for d in daily]
    assert values(charts["chart-moved"])[0] == CAP
    # The utilisation std dev over the salespeople of each day, as every output measures it.
    engine = history_engine(tracking_settings(load_config(demo)))
    figures = history_figures(engine, FIRST, LAST, None)
    engine.dispose()
    for i, day in enumerate(DAYS):
        utilisations = [
            points[i]["utilisation"]
            for p in figures["salespeople"]
            for points in p["campaigns"].values()
            if points[i]["utilisation"] is not None
        ]
        spread = round(statistics.pstdev(utilisations), 2)
        assert values(charts["chart-utilisation-stdev"])[i] == spread, day
    # The first day's cap left leads undistributed, for the strategy's reason.
    left = charts["chart-left-0"]
    reason = f"not_distributed: {OVER_LIMIT}"
    assert values(left, reason)[0] == daily[0]["total_leads_found"] - CAP > 0
    assert "chart-excluded-0" in charts
    assert "held_by_excluded_user" in page
    assert "http://" not in page and "https://" not in page


def test_salesperson_campaign_and_daily_pages(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report(demo, "salesperson", "--user", "Alice Smith", "--format", "html")
    page = capsys.readouterr().out
    assert "<title>odlm salesperson report: Alice Smith</title>" in page
    charts = svgs(page)
    engine = create_engine(
        URL.create("sqlite", database=str(demo.parent / ".odlm-state" / "tracking.sqlite"))
    )
    with engine.connect() as connection:
        rows = (
            connection.execute(
                tracking.select()
                .where(tracking.c.salesperson_name == "Alice Smith", tracking.c.dry_run.is_(False))
                .order_by(tracking.c.distribution_date)
            )
            .mappings()
            .all()
        )
    engine.dispose()
    received = charts["chart-received-0"]
    assert values(received, "received") == [r["leads_received"] for r in rows]
    # What runs took from her for others, each day, from the same history rows.
    assert values(received, "taken away") == [r["leads_distributed_from"] for r in rows]
    assert sum(values(received, "taken away")) > 0
    assert values(charts["chart-after-0"], "after the run") == [
        r["leads_after_total"] for r in rows
    ]
    assert values(charts["chart-after-0"], "target") == [r["target_leads"] for r in rows]

    report(demo, "campaign", "--format", "html", "--output", str(tmp_path / "c.html"))
    campaign = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<title>odlm campaign Voice:" in campaign and "chart-moved" in svgs(campaign)
    capsys.readouterr()

    # The daily page is the day's run report, rebuilt from the history: the same page the
    # run wrote itself, but for when it was generated and the execution time.
    assert (
        main(["report", "daily", "--config", str(demo), "--date", str(DAYS[2]), "--format", "html"])
        == 0
    )
    rebuilt = capsys.readouterr().out
    (written,) = (demo.parent / REPORTS).glob("*.html")
    own = written.read_text(encoding="utf-8")
    assert _comparable(rebuilt) == _comparable(own)


def _comparable(page: str) -> str:
    page = re.sub(r"generated \d{4}-\d\d-\d\d \d\d:\d\d", "generated", page)
    return re.sub(r"Execution time [\d.]+ s", "Execution time", page)


def test_hostile_names_are_escaped_in_every_page(demo: Path, tmp_path: Path) -> None:
    loaded = load_config(demo)
    engine = history_engine(tracking_settings(loaded))
    with engine.begin() as connection:
        connection.execute(
            update(tracking)
            .where(tracking.c.salesperson_name == "Bob Johnson")
            .values(salesperson_name=HOSTILE)
        )
    figures = history_figures(engine, FIRST, LAST, None)
    bob = next(p["user_id"] for p in figures["salespeople"] if p["name"] == HOSTILE)
    engine.dispose()
    pages = [overview_html(figures, HOSTILE), salesperson_html(figures, bob)]
    assert (
        main(["report", "site", str(tmp_path / "site"), "--config", str(demo), "--to", str(LAST)])
        == 0
    )
    site = tmp_path / "site"
    # The pages that name Bob: the trends, his campaign's, his own, and the index.
    naming = ["trends.html", "campaign-voice.html", f"salesperson-{bob}.html", "index.html"]
    pages += [(site / name).read_text(encoding="utf-8") for name in naming]
    for page in pages:
        assert "&lt;script&gt;" in page
    for page in [*pages, *(p.read_text(encoding="utf-8") for p in site.glob("**/*.html"))]:
        assert "<script" not in page
        svgs(page)  # every chart still parses


def test_an_empty_history_gives_a_clear_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--dir", str(tmp_path / "demo"), "--today", str(FIRST)]) == 0
    config = tmp_path / "demo" / "config.yaml"
    capsys.readouterr()
    report(config, "trends", "--format", "html")
    page = capsys.readouterr().out
    assert "No real distribution is recorded in the history" in page
    assert svgs(page) == {}
    report(config, "salesperson", "--user", "10", "--format", "html")
    assert (
        "The history records no real distribution that included user 10" in capsys.readouterr().out
    )
    assert main(["report", "site", str(tmp_path / "site"), "--config", str(config)]) == 0
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "No run is recorded between" in index


def site_links(site: Path) -> dict[Path, list[str]]:
    return {
        page: LINK.findall(page.read_text(encoding="utf-8"))
        for page in [*site.glob("*.html"), *site.glob("runs/*.html")]
    }


def test_the_site_links_only_its_own_files(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    report(demo, "site", str(site), "--days", "7")
    assert f"Site written: {site / 'index.html'}" in capsys.readouterr().out
    names = {p.name for p in site.glob("*.html")}
    assert {"index.html", "trends.html", "campaign-voice.html"} <= names
    assert len([n for n in names if n.startswith("salesperson-")]) == 4
    runs = sorted((site / "runs").glob("*.html"))
    # Four real runs and the dry run, each with its report.
    assert len(runs) == len(DAYS) + 1 and sum("dry-run" in r.name for r in runs) == 1
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "no report" not in index
    assert index.count('<td class="label">real</td>') == len(DAYS)
    assert index.count('<td class="label">dry run</td>') == 1
    for page, links in site_links(site).items():
        # The SVG namespace names a URL, and fetches nothing.
        text = page.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http://" not in text and "https://" not in text, page
        assert "url(" not in text and "@import" not in text, page
        for link in links:
            parsed = urlparse(link)
            if link == "data:,":  # the empty inline icon
                continue
            assert not parsed.scheme and not parsed.netloc and not link.startswith("/"), link
            if parsed.path:
                assert (page.parent / parsed.path).is_file(), (page, link)
    assert all(
        svgs(p.read_text(encoding="utf-8")) for p in site.glob("*.html") if p.name != "index.html"
    )


def test_a_run_whose_plan_is_gone_keeps_its_own_report_file(demo: Path, tmp_path: Path) -> None:
    loaded = load_config(demo)
    engine = history_engine(tracking_settings(loaded))
    journal = Journal(engine)
    by_day = {r.run_date: r.run_id for r in journal.recent(10)}
    gone = [by_day[DAYS[2]], by_day[DAYS[3]]]  # the first wrote its own report, not the second
    with engine.begin() as connection:
        connection.execute(delete(plans).where(plans.c.run_id.in_(gone)))
        connection.execute(delete(snapshots).where(snapshots.c.run_id.in_(gone)))
    engine.dispose()
    site = tmp_path / "site"
    assert main(["report", "site", str(site), "--config", str(demo), "--to", str(LAST)]) == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    (own,) = (demo.parent / REPORTS).glob("*.html")
    assert (site / "runs" / own.name).read_bytes() == own.read_bytes()
    assert 'title="the run&#39;s own report file"' in index
    assert index.count("no report") == 1
    assert not list((site / "runs").glob(f"*{gone[1][:8]}*"))


def test_masking_holds_in_the_site(demo: Path, tmp_path: Path) -> None:
    loaded = load_config(demo)
    engine = history_engine(tracking_settings(loaded))
    journal = Journal(engine)
    run_id = next(r.run_id for r in journal.recent(10) if r.run_date == FIRST)
    lead_names = {f.name for f in journal.plan(run_id).lead_facts.values() if len(f.name) > 3}
    engine.dispose()
    assert lead_names
    site = tmp_path / "plain"
    assert main(["report", "site", str(site), "--config", str(demo), "--to", str(LAST)]) == 0
    first = next((site / "runs").glob(f"*{run_id[:8]}*")).read_text(encoding="utf-8")
    assert any(name in first for name in lead_names)  # the check below can fail

    text = demo.read_text(encoding="utf-8")
    demo.write_text(text + "\nsecurity:\n  mask_personal_data: true\n", encoding="utf-8")
    masked = tmp_path / "masked"
    assert main(["report", "site", str(masked), "--config", str(demo), "--to", str(LAST)]) == 0
    for page in (masked / "runs").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "personal data masked" in html
        assert not [name for name in lead_names if name in html], page
    # Salespeople's names stay: they are the pages' subject.
    assert "Alice Smith" in (masked / "trends.html").read_text(encoding="utf-8")


def test_wrong_uses_are_one_clear_message(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "site", "--config", str(demo)]) == 2
    assert "needs a directory" in capsys.readouterr().err
    assert main(["report", "trends", "somewhere", "--config", str(demo)]) == 2
    assert "takes no DIR" in capsys.readouterr().err
    assert main(["report", "trends", "--config", str(demo), "--output", "x.html"]) == 2
    assert "--output needs --format json or --format html" in capsys.readouterr().err


def test_an_unmasked_report_file_is_not_copied_once_masking_is_on(
    demo: Path, tmp_path: Path
) -> None:
    loaded = load_config(demo)
    engine = history_engine(tracking_settings(loaded))
    run_id = next(r.run_id for r in Journal(engine).recent(10) if r.run_date == DAYS[2])
    with engine.begin() as connection:
        connection.execute(delete(plans).where(plans.c.run_id == run_id))
        connection.execute(delete(snapshots).where(snapshots.c.run_id == run_id))
    engine.dispose()
    text = demo.read_text(encoding="utf-8")
    demo.write_text(text + "\nsecurity:\n  mask_personal_data: true\n", encoding="utf-8")
    site = tmp_path / "site"
    assert main(["report", "site", str(site), "--config", str(demo), "--to", str(LAST)]) == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'title="report file not copied: written unmasked">no report' in index
    assert not list((site / "runs").glob(f"*{run_id[:8]}*"))
