"""`odlm compare --format html`: one self-contained page (inline CSS and SVG, no script).

From `pipeline.inspect.comparison.Comparison.to_dict()`: the figures side by side per day and
in total, leads moved per day per configuration, each configuration's
received and after-counts against target, and the leads left by reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odoo_lead_manager.domain.fairness import RECEIVED_GINI, RECEIVED_RANGE, UTILISATION_STDEV
from odoo_lead_manager.reporting.files import TEMPLATES

# One colour per configuration, in order (cycled past six).
COLOURS = ("#3366cc", "#dc7633", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d")
BAR_WIDTH = 18
CHART_HEIGHT = 180
# Characters of a salesperson's name shown under their bars.
LABEL_CHARS = 16

FIGURES = (
    ("leads moved", "moved"),
    (f"{RECEIVED_RANGE.name} (leads)", RECEIVED_RANGE.key),
    (RECEIVED_GINI.name, RECEIVED_GINI.key),
    (f"{UTILISATION_STDEV.name} (points)", UTILISATION_STDEV.key),
    ("over target", "over_target_names"),
    ("under target", "under_target_names"),
)


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _show(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return "—" if value is None else str(value)


def _scale(top: float) -> float:
    return (CHART_HEIGHT - 20) / top if top > 0 else 0.0


def _short(name: str, limit: int = LABEL_CHARS) -> str:
    """An axis label that fits under its bars (the whole name is in the label's title)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _bar(x: float, value: int, scale: float, fill: str, label: str) -> dict[str, Any]:
    """One bar standing on the chart's baseline at ``x``."""
    height = value * scale
    return {
        "x": x,
        "y": round(CHART_HEIGHT - height, 1),
        "w": BAR_WIDTH - 2,
        "h": round(height, 1),
        "fill": fill,
        "value": value,
        "label": label,
    }


def _moved_chart(data: Mapping[str, Any]) -> dict[str, Any]:
    days = data["days"]
    count = len(data["configurations"])
    group = max(count * BAR_WIDTH + 24, 90)
    top = max((f["moved"] for day in days for f in day["figures"]), default=0)
    scale = _scale(top)
    bars, ticks = [], []
    for d, day in enumerate(days):
        middle = 30 + d * group + (count * BAR_WIDTH - 2) / 2
        ticks.append({"x": middle, "text": day["date"], "full": day["date"]})
        for c, figures in enumerate(day["figures"]):
            label = f"{data['configurations'][c]}, {day['date']}: {figures['moved']}"
            bars.append(
                _bar(30 + d * group + c * BAR_WIDTH, figures["moved"], scale, _colour(c), label)
            )
    return {
        "width": max(300, 60 + len(days) * group),
        "height": CHART_HEIGHT + 20,
        "bars": bars,
        "ticks": ticks,
    }


def _received_chart(names: list[str], total: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Per salesperson, the leads received over all days under each configuration, side by
    side (one colour per configuration), with the target: where configurations differ."""
    people = list(dict.fromkeys(p["name"] for f in total for p in f["salespeople"]))
    count = len(names)
    group = max(count * BAR_WIDTH + 30, 90)
    received = {
        (c, p["name"]): p["received"] for c, f in enumerate(total) for p in f["salespeople"]
    }
    scale = _scale(max(received.values(), default=0))
    bars, ticks = [], []
    for i, person in enumerate(people):
        x = 30 + i * group
        ticks.append({"x": x + (count * BAR_WIDTH - 2) / 2, "text": _short(person), "full": person})
        for c, name in enumerate(names):
            value = received.get((c, person), 0)
            label = f"{person} under {name}: received {value}"
            bars.append(_bar(x + c * BAR_WIDTH, value, scale, _colour(c), label))
    return {
        "width": max(300, 60 + len(people) * group),
        "height": CHART_HEIGHT + 20,
        "bars": bars,
        "ticks": ticks,
    }


def _people_chart(name: str, figures: Mapping[str, Any], colour: str) -> dict[str, Any]:
    people = figures["salespeople"]
    top = max((max(p["received"], p["after"], p["target"] or 0) for p in people), default=0)
    scale = _scale(top)
    group = 2 * BAR_WIDTH + 70
    bars, targets, ticks = [], [], []
    for i, person in enumerate(people):
        x = 30 + i * group
        ticks.append(
            {"x": x + BAR_WIDTH - 1, "text": _short(person["name"]), "full": person["name"]}
        )
        for k, (kind, value, fill) in enumerate(
            (("received", person["received"], colour), ("after", person["after"], "#999"))
        ):
            label = f"{person['name']}: {kind} {value}"
            bars.append({"kind": kind, **_bar(x + k * BAR_WIDTH, value, scale, fill, label)})
        if person["target"]:
            y = round(CHART_HEIGHT - person["target"] * scale, 1)
            targets.append(
                {
                    "x1": x - 2,
                    "x2": x + 2 * BAR_WIDTH,
                    "y": y,
                    "label": f"{person['name']}: target {person['target']}",
                }
            )
    return {
        "name": name,
        "width": max(300, 60 + len(people) * group),
        "height": CHART_HEIGHT + 20,
        "bars": bars,
        "targets": targets,
        "ticks": ticks,
    }


def comparison_html(data: Mapping[str, Any], title: str = "odlm compare") -> str:
    """The page for ``data`` (`Comparison.to_dict()`); every name in it is escaped."""
    names = list(data["configurations"])
    # No days, no totals (`Comparison.to_dict()` of an empty comparison).
    total = list(data["total"]) if data["days"] else []
    reasons = list(dict.fromkeys(r for f in total for r in f["left"]))
    return TEMPLATES.get_template("comparison.html.j2").render(
        title=title,
        names=names,
        days=data["days"],
        total=total,
        figures=FIGURES,
        moved=_moved_chart(data),
        received=_received_chart(names, total),
        people=[
            _people_chart(n, f, _colour(i))
            for i, (n, f) in enumerate(zip(names, total, strict=True))
        ]
        if total
        else [],
        reasons=reasons,
        stdev=UTILISATION_STDEV,
        range=RECEIVED_RANGE,
        gini=RECEIVED_GINI,
        colour=_colour,
        show=_show,
    )
