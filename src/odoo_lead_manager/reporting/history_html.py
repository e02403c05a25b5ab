"""`odlm report ... --format html` and the pages of `odlm report site`: the history in charts.

Each page is one self-contained HTML file (inline CSS and SVG, no script,
nothing fetched), drawn from `analytics.history_figures`:

- the overview (``trends``, and ``campaign`` for one campaign): leads moved
  per day per campaign, the utilisation std dev per day, the leads left
  undistributed by reason, the leads the rules excluded by reason code, and
  each salesperson's leads received and utilisation per day;
- a salesperson's page: per campaign, leads received per day, and the
  after-count against the target.

Salespeople's names are shown (they are the reports' subject, see
`ops.privacy`); every text from the history is escaped, by the charts
and by Jinja's autoescaping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from odoo_lead_manager.domain.fairness import UTILISATION_STDEV
from odoo_lead_manager.domain.reasons import UNACCOUNTED
from odoo_lead_manager.reporting.charts import Series, bar_chart, line_chart
from odoo_lead_manager.reporting.files import TEMPLATES

# (label, relative link) pairs for a site's navigation bar.
Nav = Sequence[tuple[str, str]]
# What a day without its plan counts its undistributed leads under.
NOT_KEPT = "reason not kept"


def overview_html(
    figures: Mapping[str, Any],
    title: str,
    nav: Nav = (),
    person_links: Mapping[int, str] | None = None,
) -> str:
    """The trends (or one campaign's) page for ``figures`` (`analytics.history_figures`)."""
    dates: list[str] = list(figures["dates"])
    campaigns: Mapping[str, list[dict[str, Any]]] = figures["campaigns"]
    labels: Mapping[str, str] = figures["reason_labels"]
    sections = [
        _campaign_section(index, name, days, dates, labels, figures["totals"][name])
        for index, (name, days) in enumerate(campaigns.items())
    ]
    people = figures["salespeople"]
    return TEMPLATES.get_template("history_overview.html.j2").render(
        title=title,
        nav=nav,
        date_range=figures["date_range"],
        dates=dates,
        campaigns=sections,
        moved=bar_chart(
            dates,
            [Series(_name(c), _by_date(days, dates, "moved")) for c, days in campaigns.items()],
            title="Leads moved per day, per campaign",
            y_label="leads moved",
            chart_id="chart-moved",
        ),
        measure=UTILISATION_STDEV,
        stdev_chart=line_chart(
            dates,
            [
                Series(_name(c), _by_date(days, dates, UTILISATION_STDEV.key))
                for c, days in campaigns.items()
            ],
            title=f"{UTILISATION_STDEV.name.capitalize()} per day",
            y_label="points",
            chart_id="chart-utilisation-stdev",
            unit=" points",
        ),
        received=line_chart(
            dates,
            [Series(p["name"], _person_total(p, dates, "received")) for p in people],
            title="Leads received per day, per salesperson",
            y_label="leads received",
            chart_id="chart-received",
        ),
        utilisation=line_chart(
            dates,
            [Series(p["name"], _person_utilisation(p, dates)) for p in people],
            title="Utilisation per day: after-count as % of target",
            y_label="% of target",
            chart_id="chart-utilisation",
            unit=" %",
        ),
        people=person_rows(figures, person_links or {}),
    )


def salesperson_html(
    figures: Mapping[str, Any], user_id: int, title: str | None = None, nav: Nav = ()
) -> str:
    """One salesperson's page: per campaign, received per day and after-count against target."""
    dates: list[str] = list(figures["dates"])
    person = next((p for p in figures["salespeople"] if p["user_id"] == user_id), None)
    campaigns = []
    if person is not None:
        for index, (campaign, points) in enumerate(person["campaigns"].items()):
            slug = f"{index}"
            campaigns.append(
                {
                    "name": _name(campaign),
                    "points": points,
                    "total": _period(points),
                    "marked": [(p["date"], "; ".join(p["marks"])) for p in points if p["marks"]],
                    "received": bar_chart(
                        _marked_dates(points, dates),
                        [
                            Series("received", _by_date(points, dates, "received")),
                            Series(
                                "taken away", _by_date(points, dates, "taken"), colour="#c0392b"
                            ),
                            Series(
                                "meant by the strategy",
                                _by_date(points, dates, "meant"),
                                colour="#999",
                            ),
                        ],
                        title=f"{person['name']}, {_name(campaign)}: leads received and taken "
                        "away per day",
                        y_label="leads",
                        chart_id=f"chart-received-{slug}",
                    ),
                    "after": line_chart(
                        dates,
                        [
                            Series("after the run", _by_date(points, dates, "after")),
                            Series(
                                "target",
                                _by_date(points, dates, "target"),
                                colour="#000",
                                dashed=True,
                            ),
                        ],
                        title=f"{person['name']}, {_name(campaign)}: leads held after each run "
                        "against target",
                        y_label="leads held",
                        chart_id=f"chart-after-{slug}",
                    ),
                }
            )
    name = person["name"] if person is not None else f"user {user_id}"
    return TEMPLATES.get_template("history_salesperson.html.j2").render(
        title=title or f"odlm salesperson report: {name}",
        nav=nav,
        name=name,
        user_id=user_id,
        date_range=figures["date_range"],
        campaigns=campaigns,
    )


def headlines(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per campaign, what a sales manager asks first: the period's figures, each lead
    counted once, and what the latest run changed against the one before it."""
    out = []
    for name, days in figures["campaigns"].items():
        totals = figures["totals"][name]
        latest, previous = days[-1], (days[-2] if len(days) > 1 else None)
        received = [
            (person["name"], point["received"])
            for person in figures["salespeople"]
            for point in person["campaigns"].get(name, [])
            if point["date"] == latest["date"]
        ]
        top = max(received, key=lambda x: x[1], default=None)
        out.append(
            {
                "name": _name(name),
                "totals": totals,
                "stdev": latest[UTILISATION_STDEV.key],
                "latest": latest,
                "previous": previous,
                "top": top if top is not None and top[1] > 0 else None,
                "people": len(received),
            }
        )
    return out


def _period(points: list[dict[str, Any]]) -> dict[str, Any]:
    """A salesperson's period in one campaign: received, taken away, net and what the
    strategy meant them to receive (None when a day's plan is gone), summed."""
    meant = [p["meant"] for p in points]
    return {
        "received": sum(p["received"] for p in points),
        "taken": sum(p["taken"] for p in points),
        "net": sum(p["net"] for p in points),
        "meant": None if any(m is None for m in meant) else sum(meant),
        "away": sum(1 for p in points if any(m.startswith("away") for m in p["marks"])),
    }


def _marked_dates(points: list[dict[str, Any]], dates: list[str]) -> list[str]:
    """The x labels of a salesperson's chart: a day they were away or held back is marked."""
    marks = {p["date"]: p["marks"] for p in points}
    out = []
    for day in dates:
        notes = marks.get(day) or []
        if any(note.startswith("away") for note in notes):
            day += " (away)"
        elif notes:
            day += " *"
        out.append(day)
    return out


def _campaign_section(
    index: int,
    name: str,
    days: list[dict[str, Any]],
    dates: list[str],
    labels: Mapping[str, str],
    totals: Mapping[str, Any],
) -> dict[str, Any]:
    """One campaign's reasons: undistributed leads by reason, excluded leads by code."""
    unkept = [d["date"] for d in days if d["left"] is None]
    left_keys = list(dict.fromkeys(k for d in days for k in (d["left"] or {})))
    if any(d["left"] is None and d["not_distributed"] for d in days):
        left_keys.append(NOT_KEPT)
    left = [
        Series(key, [_left(d, key) if d else None for d in _aligned(days, dates)])
        for key in left_keys
    ]
    codes = list(dict.fromkeys(k for d in days for k in (d["excluded"] or {})))
    excluded = [
        Series(
            code,
            [(d["excluded"] or {}).get(code, 0) if d else None for d in _aligned(days, dates)],
        )
        for code in codes
    ]
    # The codes in the legend are short; the table says which rule each one is.
    # The latest run's: summed over days, a lead excluded every day would count every day.
    latest: Mapping[str, int] = next(
        (d["excluded"] for d in reversed(days) if d["excluded"] is not None), {}
    )
    rules = [(code, labels.get(code, code), latest.get(code, 0)) for code in codes]
    chart_name = f"campaign {_name(name)}"
    return {
        "name": _name(name),
        "days": days,
        "unkept": unkept,
        "totals": totals,
        "left_keys": left_keys,
        "unaccounted": UNACCOUNTED in left_keys,
        "rules": rules,
        "left": bar_chart(
            dates,
            left,
            title=f"{chart_name}: distributable leads left undistributed, by reason",
            y_label="leads left",
            chart_id=f"chart-left-{index}",
            stacked=True,
        )
        if left
        else Markup(),
        "excluded": bar_chart(
            dates,
            excluded,
            title=f"{chart_name}: leads the rules excluded, by reason code",
            y_label="leads excluded",
            chart_id=f"chart-excluded-{index}",
            stacked=True,
        )
        if excluded
        else Markup(),
    }


def _left(day: Mapping[str, Any], key: str) -> int:
    if day["left"] is None:
        return int(day["not_distributed"]) if key == NOT_KEPT else 0
    return int(day["left"].get(key, 0))


def _aligned(points: list[dict[str, Any]], dates: list[str]) -> list[dict[str, Any] | None]:
    """``points`` placed on ``dates``: None on a day they have no point."""
    by_date = {p["date"]: p for p in points}
    return [by_date.get(day) for day in dates]


def _by_date(points: list[dict[str, Any]], dates: list[str], key: str) -> list[float | None]:
    return [None if p is None else p[key] for p in _aligned(points, dates)]


def _person_total(person: Mapping[str, Any], dates: list[str], key: str) -> list[float | None]:
    """A salesperson's ``key`` per day, summed over their campaigns (None: not in a run)."""
    totals: list[float | None] = [None] * len(dates)
    for points in person["campaigns"].values():
        for i, value in enumerate(_by_date(points, dates, key)):
            if value is not None:
                totals[i] = (totals[i] or 0) + value
    return totals


def _person_utilisation(person: Mapping[str, Any], dates: list[str]) -> list[float | None]:
    """After-count as % of target per day, over all their campaigns' targets."""
    after = [0.0] * len(dates)
    target = [0.0] * len(dates)
    for points in person["campaigns"].values():
        for i, p in enumerate(_aligned(points, dates)):
            if p is not None and p["target"]:
                after[i] += p["after"]
                target[i] += p["target"]
    return [round(100 * a / t, 2) if t else None for a, t in zip(after, target, strict=True)]


def person_rows(figures: Mapping[str, Any], links: Mapping[int, str]) -> list[dict[str, Any]]:
    """Each salesperson's period: received, taken away, net, meant, days away, the last
    day's after-count against target, with the link to their page."""
    return [_person_row(p, links) for p in figures["salespeople"]]


def _person_row(person: Mapping[str, Any], links: Mapping[int, str]) -> dict[str, Any]:
    points = [p for ps in person["campaigns"].values() for p in ps]
    last_date = max(p["date"] for p in points)
    last = [p for p in points if p["date"] == last_date]
    targets = [p["target"] for p in last if p["target"]]
    period = _period(points)
    return {
        "user_id": person["user_id"],
        "name": person["name"],
        "href": links.get(person["user_id"]),
        "campaigns": ", ".join(_name(c) for c in person["campaigns"]),
        "received": period["received"],
        "taken": period["taken"],
        "net": period["net"],
        "meant": period["meant"],
        "away": period["away"],
        "days": len({p["date"] for p in points}),
        "last_date": last_date,
        "after": sum(p["after"] for p in last),
        "target": sum(targets) if targets else None,
    }


def _name(campaign: str) -> str:
    return campaign or "(no campaign)"
