"""Charts as inline SVG text: data in, one ``<svg>`` element out, no script.

Pure functions for the history pages (`reporting.history_html`): a line chart
and a bar chart (grouped or stacked), each with a y axis of round ticks,
labels along x, a legend, and a ``<title>`` on every point and bar (the
browser shows it as a tooltip, with no JavaScript). Every text that comes
from the data (salespeople's and campaigns' names, reasons) is XML-escaped
here, since the result is inserted into the page as markup. Each mark
carries its value in ``data-value``, so that a test can check where a value
was drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# One colour per series, in order (cycled); the comparison page's palette, then more.
COLOURS = (
    "#3366cc", "#dc7633", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d",
    "#d4ac0d", "#17a589", "#a93226", "#5d6d7e",
)  # fmt: skip
LEFT = 56
RIGHT = 16
PLOT_HEIGHT = 200
BOTTOM = 24
# Rotated x labels need more room under the axis.
BOTTOM_ROTATED = 64
LEGEND_ROW = 18
LEGEND_CHAR = 6.6
# Characters of a name shown in the legend or under the axis (the whole name is in its title).
LABEL_CHARS = 60
MIN_WIDTH = 520
TICKS = 5


@dataclass(frozen=True)
class Series:
    """One named line or set of bars: one value per x label (None: nothing that day)."""

    name: str
    values: Sequence[float | None]
    colour: str | None = None
    # A dashed line (a target, a reference) rather than a measured figure.
    dashed: bool = False


@dataclass(frozen=True)
class Frame:
    """Where the plot area lies in the SVG, and how values map onto it."""

    width: float
    height: float
    top: float
    left: float
    plot_width: float
    plot_height: float
    count: int
    y_max: float

    @property
    def baseline(self) -> float:
        return self.top + self.plot_height

    def x(self, index: int) -> float:
        """The middle of the ``index``-th slot along x."""
        return round(self.left + (index + 0.5) * self.plot_width / self.count, 2)

    def y(self, value: float) -> float:
        """The height of ``value``: the baseline for 0, the top of the plot for ``y_max``."""
        return round(self.baseline - self.plot_height * value / self.y_max, 2)

    @property
    def slot(self) -> float:
        return self.plot_width / self.count


def nice_max(value: float) -> float:
    """The smallest round number (1, 2, 2.5 or 5 times a power of ten) at or above ``value``,
    so that the y axis's ticks are round; 1 for nothing to show."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop ends at 10 * power


def colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    chart_id: str,
    unit: str = "",
) -> Markup:
    """Lines, one per series, with a dot (and its tooltip) at every value; None breaks a line."""
    frame, parts = _open(labels, series, title, y_label, chart_id, _top_value(series, False))
    for s_index, one in enumerate(series):
        fill = one.colour or colour(s_index)
        path = _path(frame, one.values)
        if path:
            dash = ' stroke-dasharray="6 4"' if one.dashed else ""
            parts.append(
                f'<path class="line" d="{path}" fill="none" stroke="{fill}" '
                f'stroke-width="2"{dash}/>'
            )
        for index, value in enumerate(one.values):
            if value is None:
                continue
            parts.append(
                f'<circle class="point" cx="{frame.x(index)}" cy="{frame.y(value)}" r="3.5" '
                f'fill="{fill}" data-series="{_e(one.name)}" data-value="{_number(value)}">'
                f"<title>{_e(one.name)}, {_e(labels[index])}: {_number(value)}{_e(unit)}</title>"
                "</circle>"
            )
    return _close(parts)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    chart_id: str,
    stacked: bool = False,
    unit: str = "",
) -> Markup:
    """Bars per x label: side by side (one per series), or stacked into one column."""
    frame, parts = _open(labels, series, title, y_label, chart_id, _top_value(series, stacked))
    lanes = 1 if stacked else max(len(series), 1)
    bar = max(min(frame.slot * 0.8 / lanes, 40.0), 1.0)
    for index in range(frame.count):
        start = frame.x(index) - bar * lanes / 2
        height_so_far = 0.0
        for s_index, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            bottom = frame.y(height_so_far) if stacked else frame.baseline
            top = frame.y(height_so_far + value) if stacked else frame.y(value)
            x = start if stacked else start + s_index * bar
            if stacked:
                height_so_far += value
            parts.append(
                f'<rect class="bar" x="{round(x, 2)}" y="{top}" width="{round(bar - 1, 2)}" '
                f'height="{round(bottom - top, 2)}" fill="{one.colour or colour(s_index)}" '
                f'data-series="{_e(one.name)}" data-value="{_number(value)}">'
                f"<title>{_e(one.name)}, {_e(labels[index])}: {_number(value)}{_e(unit)}</title>"
                "</rect>"
            )
    return _close(parts)


def _top_value(series: Sequence[Series], stacked: bool) -> float:
    values = [[v or 0.0 for v in s.values] for s in series]
    if not values:
        return 0.0
    if stacked:
        return max((sum(column) for column in zip(*values, strict=True)), default=0.0)
    return max((max(row, default=0.0) for row in values), default=0.0)


def _open(
    labels: Sequence[str],
    series: Sequence[Series],
    title: str,
    y_label: str,
    chart_id: str,
    top_value: float,
) -> tuple[Frame, list[str]]:
    """The frame, and the SVG's opening: title, legend, y axis with its grid, x labels."""
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.name!r} has {len(one.values)} values for {len(labels)}")
    count = max(len(labels), 1)
    slot = max(36.0, 14.0 * len(series)) if series else 36.0
    width = max(float(MIN_WIDTH), LEFT + RIGHT + count * slot)
    legend_rows = _legend_rows(series, width)
    top = 12 + LEGEND_ROW * len(legend_rows)
    # Rotate x labels when they would overlap (about 7 px a character at 11 px).
    rotate = max((len(label) for label in labels), default=0) * 6.5 > (width - LEFT - RIGHT) / count
    height = top + PLOT_HEIGHT + (BOTTOM_ROTATED if rotate else BOTTOM) + 8
    frame = Frame(
        width=width,
        height=height,
        top=top,
        left=LEFT,
        plot_width=width - LEFT - RIGHT,
        plot_height=PLOT_HEIGHT,
        count=count,
        y_max=nice_max(top_value),
    )
    parts = [
        f'<svg id="{_e(chart_id)}" class="chart" width="{_number(width)}" '
        f'height="{_number(height)}" viewBox="0 0 {_number(width)} {_number(height)}" '
        f'role="img" aria-label="{_e(title)}" font-family="system-ui, sans-serif">',
        f"<title>{_e(title)}</title>",
    ]
    for row_no, row in enumerate(legend_rows):
        row_y = 12.0 + row_no * LEGEND_ROW
        for x, s_index, one in row:
            fill = one.colour or colour(s_index)
            dash = ' stroke-dasharray="4 3"' if one.dashed else ""
            parts.append(
                f'<g class="legend"><line x1="{x}" x2="{x + 14}" y1="{row_y}" y2="{row_y}" '
                f'stroke="{fill}" stroke-width="4"{dash}/>'
                f'<text x="{x + 18}" y="{row_y + 4}" font-size="11">{_e(_short(one.name))}'
                f"<title>{_e(one.name)}</title></text></g>"
            )
    for tick in range(TICKS + 1):
        value = frame.y_max * tick / TICKS
        y = frame.y(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{_number(width - RIGHT)}" y1="{y}" y2="{y}" '
            f'stroke="{"#888" if tick == 0 else "#e4e4e4"}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4}" font-size="10" '
            f'text-anchor="end">{_number(value)}</text>'
        )
    middle = frame.top + PLOT_HEIGHT / 2
    parts.append(
        f'<text class="axis" x="12" y="{middle}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {middle})">{_e(y_label)}</text>'
    )
    for index, label in enumerate(labels):
        x, y = frame.x(index), frame.baseline + 14
        turn = f' transform="rotate(-45 {x} {y})"' if rotate else ""
        anchor = "end" if rotate else "middle"
        parts.append(
            f'<text class="label" x="{x}" y="{y}" font-size="10" text-anchor="{anchor}"{turn}>'
            f"{_e(_short(label))}<title>{_e(label)}</title></text>"
        )
    if not labels or not series:
        parts.append(
            f'<text class="empty" x="{_number(width / 2)}" y="{middle}" font-size="13" '
            'text-anchor="middle" fill="#666">no data</text>'
        )
    return frame, parts


def _legend_rows(series: Sequence[Series], width: float) -> list[list[tuple[float, int, Series]]]:
    """Legend entries laid out in rows that fit the chart's width."""
    rows: list[list[tuple[float, int, Series]]] = []
    x = float(LEFT)
    for s_index, one in enumerate(series):
        entry = 24 + LEGEND_CHAR * len(_short(one.name))
        if not rows or x + entry > width - RIGHT:
            rows.append([])
            x = float(LEFT)
        rows[-1].append((round(x, 1), s_index, one))
        x += entry
    return rows


def _path(frame: Frame, values: Sequence[float | None]) -> str:
    """An SVG path through the values: a new segment after each gap (None)."""
    commands: list[str] = []
    pen_down = False
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{frame.x(index)} {frame.y(value)}")
        pen_down = True
    return " ".join(commands)


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    # Every piece of data above went through _e: the whole is safe markup.
    return Markup("\n".join(parts))


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _number(value: float) -> str:
    """A value as shown: no trailing ``.0``, at most two decimals."""
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)
