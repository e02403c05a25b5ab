"""`reporting.charts`: well-formed SVG, values drawn where they belong, names escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from odoo_lead_manager.reporting.charts import (
    PLOT_HEIGHT,
    Series,
    bar_chart,
    line_chart,
    nice_max,
)

HOSTILE = '<script>alert("x")</script> & Co'
LABELS = ["2024-06-10", "2024-06-11", "2024-06-12"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def marks(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(tag))


def test_nice_max_rounds_up_to_round_numbers() -> None:
    assert [nice_max(v) for v in (0, 0.3, 1, 7, 11, 23, 204, 1558)] == [
        1.0, 0.5, 1.0, 10.0, 20.0, 25.0, 250.0, 2000.0,
    ]  # fmt: skip


def test_line_chart_maps_values_onto_the_axis() -> None:
    root = parse(
        line_chart(
            LABELS,
            [Series("spread", [0, 10, 20])],
            title="spread",
            y_label="points",
            chart_id="c",
        )
    )
    points = marks(root, "circle")
    assert [float(p.get("data-value", "")) for p in points] == [0, 10, 20]
    ys = [float(p.get("cy", "")) for p in points]
    # y_max is 20: 0 sits on the baseline, 20 at the top of the plot, 10 halfway.
    assert ys[0] - ys[2] == pytest.approx(PLOT_HEIGHT)
    assert ys[1] == pytest.approx((ys[0] + ys[2]) / 2)
    xs = [float(p.get("cx", "")) for p in points]
    assert xs[0] < xs[1] < xs[2] and xs[1] - xs[0] == pytest.approx(xs[2] - xs[1])
    # The baseline grid line is where 0 is drawn.
    baseline = next(g for g in marks(root, "line") if g.get("class") == "grid")
    assert float(baseline.get("y1", "")) == pytest.approx(ys[0])
    path = root.find("path")
    assert path is not None and path.get("d", "").count("L") == 2


def test_a_missing_value_breaks_the_line() -> None:
    root = parse(
        line_chart(LABELS, [Series("a", [1, None, 3])], title="t", y_label="y", chart_id="c")
    )
    assert len(marks(root, "circle")) == 2
    path = root.find("path")
    assert path is not None and path.get("d", "").count("M") == 2


def test_grouped_and_stacked_bars() -> None:
    series = [Series("found", [4, 8, 2]), Series("moved", [2, 8, 0])]
    grouped = parse(bar_chart(LABELS, series, title="t", y_label="y", chart_id="g"))
    bars = marks(grouped, "rect")
    assert len(bars) == 6
    heights = {
        (b.get("data-series"), b.get("data-value")): float(b.get("height", "")) for b in bars
    }
    # y_max 10: 8 leads are 80 % of the plot, 4 half as tall, 0 no height.
    assert heights[("found", "8")] == pytest.approx(0.8 * PLOT_HEIGHT)
    assert heights[("found", "4")] == pytest.approx(heights[("found", "8")] / 2)
    assert heights[("moved", "0")] == 0
    stacked = parse(bar_chart(LABELS, series, title="t", y_label="y", chart_id="s", stacked=True))
    # Bars come day by day, series by series: the third and fourth are the second day's.
    day2 = marks(stacked, "rect")[2:4]
    assert day2[0].get("x") == day2[1].get("x")
    assert len(day2) == 2
    # Stacked 8 + 8 = 16 on an axis to 20: the column's top is 80 % up, one bar on the other.
    low, high = sorted(day2, key=lambda b: -float(b.get("y", "")))
    assert float(low.get("y", "")) == pytest.approx(
        float(high.get("y", "")) + float(high.get("height", ""))
    )
    assert float(low.get("height", "")) + float(high.get("height", "")) == pytest.approx(
        0.8 * PLOT_HEIGHT
    )


def test_every_mark_has_a_tooltip_and_the_legend_names_each_series() -> None:
    root = parse(
        bar_chart(
            LABELS,
            [Series("Alice", [1, 2, 3]), Series("Bob", [3, 2, 1])],
            title="Leads",
            y_label="leads",
            chart_id="c",
        )
    )
    titles = [r.findtext("title") for r in marks(root, "rect")]
    assert "Alice, 2024-06-11: 2" in titles and "Bob, 2024-06-12: 1" in titles
    legend = [g.findtext("text") for g in root.iter("g") if g.get("class") == "legend"]
    assert [t.strip() for t in legend if t] == ["Alice", "Bob"]
    assert root.get("id") == "c" and root.findtext("title") == "Leads"


def test_hostile_names_are_escaped() -> None:
    svg = line_chart(
        [HOSTILE], [Series(HOSTILE, [5])], title=HOSTILE, y_label=HOSTILE, chart_id=HOSTILE
    )
    assert "<script" not in svg
    root = parse(svg)  # still well-formed
    assert root.findtext("title") == HOSTILE
    point = root.find("circle")
    assert point is not None and point.get("data-series") == HOSTILE
    assert point.findtext("title") == f"{HOSTILE}, {HOSTILE}: 5"


def test_no_data_says_so() -> None:
    root = parse(line_chart([], [], title="empty", y_label="y", chart_id="c"))
    assert [t.text for t in root.iter("text") if t.get("class") == "empty"] == ["no data"]
    assert not marks(root, "circle")


def test_series_must_fit_the_labels() -> None:
    with pytest.raises(ValueError, match="has 2 values for 3"):
        bar_chart(LABELS, [Series("a", [1, 2])], title="t", y_label="y", chart_id="c")
