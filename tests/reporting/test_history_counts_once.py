"""The history site a sales manager reads: every total counts a lead once over the period,
each salesperson's page and row say what they received, what was taken from them and the
net against what the strategy meant, away days are marked, and the index opens with the
period's headline figures and what the latest run changed. Checked against the runs' own
plans and the CRM after them, on a history where leads are left on one day and moved later,
with an absence and a cap."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.state.tracking import open_journal

FIRST = date(2024, 6, 10)
DAYS = [FIRST + timedelta(days=i) for i in range(4)]
CAP = 60


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Four real runs (the first capped, Bob away the first two days), then the site."""
    directory = tmp_path_factory.mktemp("counted") / "demo"
    assert main(["demo", "--dir", str(directory), "--today", str(FIRST)]) == 0
    config = directory / "config.yaml"
    (directory / "absences.csv").write_text(
        f"salesperson_name,from,to,part\nBob Johnson,{DAYS[0]},{DAYS[1]},\n", encoding="utf-8"
    )
    base = config.read_text(encoding="utf-8").replace(
        "salesperson_selection:\n",
        "salesperson_selection:\n  availability: {absences_file: absences.csv}\n",
    )
    config.write_text(base.replace("execution:\n", f"execution:\n  max_leads_per_run: {CAP}\n"))
    common = ["--config", str(config), "--run-again"]
    assert main(["dailydist", *common, "--today", str(DAYS[0])]) == 0
    config.write_text(base, encoding="utf-8")
    for day in DAYS[1:]:
        assert main(["dailydist", *common, "--today", str(day)]) == 0
    out = directory.parent / "site"
    assert main(["report", "site", str(out), "--config", str(config), "--to", str(DAYS[-1])]) == 0
    return config, out


def text(page: Path) -> str:
    """A page's text, tags dropped and blanks squeezed."""
    words = unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split()
    return " ".join(words).replace(" ,", ",").replace(" .", ".").replace(" ;", ";")


def plans(config: Path) -> list:  # type: ignore[type-arg]
    journal, _ = open_journal(tracking_settings(load_config(config)))
    try:
        return [journal.plan(r.run_id) for r in reversed(journal.recent(10))]
    finally:
        journal.close()


def test_the_index_opens_with_the_periods_figures_each_lead_counted_once(
    site: tuple[Path, Path],
) -> None:
    config, out = site
    runs = plans(config)
    moved = {a.lead_id for plan in runs for a in plan.handed_out}
    moves = sum(len(plan.handed_out) for plan in runs)
    seen = set().union(*(plan.fates().keys() for plan in runs))
    # Leads the capped first run left were found again the next day: summing the days'
    # figures would count them twice.
    assert sum(plan.distributable for plan in runs) > len(seen)
    left = runs[-1].undistributed
    page = out / "index.html"
    shown = text(page)
    head = shown[: shown.index("Runs Date")]  # the headline comes before the run log
    assert f"Leads moved {len(moved):,} each counted once, in 4 run(s)" in head
    assert f"Left undistributed now {left:,} after the run of {DAYS[-1]}" in head
    stdev = runs[-1].balance.utilisation_stdev
    assert f"Utilisation std dev {stdev:.1f} points" in head
    before = runs[-2]
    assert (
        f"Since the previous run ({DAYS[-2]}): the run of {DAYS[-1]} moved "
        f"{len(runs[-1].handed_out)} lead(s) (before: {len(before.handed_out)})"
    ) in head
    trends = text(out / "trends.html")
    assert f"Voice 4 {len(moved):,} {moves:,} {len(seen):,} {left:,} after {DAYS[-1]}" in trends


def test_each_salesperson_received_taken_away_and_net_against_what_was_meant(
    site: tuple[Path, Path],
) -> None:
    config, out = site
    runs = plans(config)
    names = {p.user_id: p.name for plan in runs for p in plan.salespeople}
    received: Counter[int] = Counter()
    taken: Counter[int] = Counter()
    meant: Counter[int] = Counter()
    for plan in runs:
        received.update(a.user_id for a in plan.handed_out)
        taken.update(
            a.previous_user_id
            for a in plan.handed_out
            if a.previous_user_id is not None and a.previous_user_id != a.user_id
        )
        meant.update(plan.quotas)
    index = text(out / "index.html")
    for user_id, name in names.items():
        net = received[user_id] - taken[user_id]
        away = 2 if name == "Bob Johnson" else 0
        row = f"{name} {received[user_id]} {taken[user_id]} {net:+d} {meant[user_id]} {away}"
        assert row in index, row
        page = text(out / f"salesperson-{user_id}.html")
        assert (
            f"Over the period: received {received[user_id]}, taken away {taken[user_id]}, "
            f"net {net:+d}, against {meant[user_id]} the strategy meant for them"
        ) in page
    bob = next(u for u, n in names.items() if n == "Bob Johnson")
    page = text(out / f"salesperson-{bob}.html")
    assert "away 2 day(s)" in page
    for day in DAYS[:2]:
        assert re.search(rf"{day} 0 \d+ [-+]\d+ 0 \d+ \d+ [\d.]+ away all day", page), day
    assert f"{DAYS[0]} (away)" in (out / f"salesperson-{bob}.html").read_text()
