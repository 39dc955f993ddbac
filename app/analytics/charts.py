"""Geometry of the server-rendered SVG charts: numbers in, coordinates out. Pure.

Templates (`templates/backoffice/_chart_*.html`) only place what is computed
here; colours come from CSS classes (the CSP allows no inline styles), and every
chart is shown next to a table with the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 640
BAR_ROW = 34  # height of one horizontal bar's row
BAR_THICKNESS = 22
LABEL_WIDTH = 190  # left column of a horizontal bar chart, for the labels
VALUE_ROOM = 90  # right of the longest bar, for its number
PLOT_HEIGHT = 200
AXIS_ROOM = 44  # under the columns, for their labels
LEFT_AXIS = 48  # left of the columns, for the scale
TOP_ROOM = 16
MAX_COLUMN_LABELS = 12  # more columns than this: label every n-th only
MARKER_LABEL_ROOM = 140  # a marker closer than this to the right edge labels leftwards


@dataclass(frozen=True)
class Item:
    """One bar: its label, its value (to scale), and the number written next to it."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class HBar:
    label: str
    text: str
    y: float
    label_y: float
    x: float
    width: float
    height: float
    text_x: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row: funnels and conversion counts."""

    width: int
    height: int
    label_x: float
    track_width: float  # the longest a bar can be: the light track behind each bar
    bars: list[HBar]


LABEL_CHARACTERS = 28  # what fits in LABEL_WIDTH; the table beside has the full label


def short_label(label: str, limit: int = LABEL_CHARACTERS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart(items: Sequence[Item], *, width: int = WIDTH) -> BarChart:
    """Bars scaled to the largest value; a zero value gets no bar but keeps its row."""
    room = width - LABEL_WIDTH - VALUE_ROOM
    top = max((item.value for item in items), default=0)
    bars = []
    for index, item in enumerate(items):
        y = index * BAR_ROW + (BAR_ROW - BAR_THICKNESS) / 2
        length = room * item.value / top if top > 0 and item.value > 0 else 0.0
        bars.append(HBar(label=short_label(item.label), text=item.text, y=round(y, 2),
                         label_y=round(index * BAR_ROW + BAR_ROW / 2, 2), x=LABEL_WIDTH,
                         width=round(length, 2), height=BAR_THICKNESS,
                         text_x=round(LABEL_WIDTH + length + 6, 2)))
    return BarChart(width=width, height=max(1, len(items)) * BAR_ROW, label_x=LABEL_WIDTH - 8,
                    track_width=room, bars=bars)


@dataclass(frozen=True)
class Column:
    label: str
    show_label: bool
    label_x: float
    bars: list[ColumnBar]


@dataclass(frozen=True)
class ColumnBar:
    series: int
    x: float
    y: float
    width: float
    height: float
    text: str  # the value, for the bar's own <title> (a tooltip and a name for it)


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Marker:
    """A vertical line across the plot at a value of the x axis (a threshold)."""

    x: float
    label: str
    kind: str  # a CSS class suffix: "model", "best-accepted", "best-won"
    label_x: float = 0
    label_y: float = 0
    anchor: str = "start"  # "end" near the right edge: the label reads leftwards


@dataclass(frozen=True)
class ColumnChart:
    """Vertical columns (histograms), with one bar per series in each column."""

    width: int
    height: int
    plot_left: float
    plot_top: float
    plot_bottom: float
    plot_right: float
    columns: list[Column]
    ticks: list[Tick]
    markers: list[Marker] = field(default_factory=list)

    @property
    def tick_x(self) -> float:
        return self.plot_left - 6

    @property
    def label_y(self) -> float:
        return self.plot_bottom + 18


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def column_chart(labels: Sequence[str], series: Sequence[Sequence[float]],
                 texts: Sequence[Sequence[str]], *, tick_format: str = "{:g}",
                 counts: bool = False, width: int = WIDTH) -> ColumnChart:
    """Columns for `labels`, each with one bar per series (values scale to a nice top).

    `texts[s][i]` is how bar i of series s reads; `tick_format` writes the scale.
    `counts`: the values are whole numbers, so the scale's middle tick must be one too.
    """
    count = len(labels)
    if any(len(values) != count for values in series) or len(texts) != len(series):
        raise ValueError("every series needs one value and one text per label")
    top = nice_ceiling(max((value for values in series for value in values), default=0))
    if counts:
        top = max(2.0, top if top % 2 == 0 else nice_ceiling(top + 1))
    left, right = LEFT_AXIS, width - 8
    plot_top, plot_bottom = TOP_ROOM, TOP_ROOM + PLOT_HEIGHT
    slot = (right - left) / max(1, count)
    gap = min(8.0, slot * 0.2)
    bar_width = (slot - gap) / max(1, len(series))
    every = max(1, math.ceil(count / MAX_COLUMN_LABELS))
    columns = []
    for index, label in enumerate(labels):
        x0 = left + index * slot + gap / 2
        bars = []
        for number, values in enumerate(series):
            height = PLOT_HEIGHT * max(0.0, values[index]) / top
            bars.append(ColumnBar(series=number, x=round(x0 + number * bar_width, 2),
                                  y=round(plot_bottom - height, 2),
                                  width=round(max(1.0, bar_width - 1), 2),
                                  height=round(height, 2), text=texts[number][index]))
        columns.append(Column(label=label, show_label=index % every == 0,
                              label_x=round(left + (index + 0.5) * slot, 2), bars=bars))
    ticks = [Tick(y=round(plot_bottom - PLOT_HEIGHT * fraction, 2),
                  text=tick_format.format(top * fraction)) for fraction in (0, 0.5, 1)]
    return ColumnChart(width=width, height=plot_bottom + AXIS_ROOM, plot_left=left,
                       plot_top=plot_top, plot_bottom=plot_bottom, plot_right=right,
                       columns=columns, ticks=ticks)


def with_markers(chart: ColumnChart, first_value: float, column_span: float,
                 markers: Sequence[tuple[float, str, str]]) -> ColumnChart:
    """The chart with vertical lines at x-axis values (column i covers
    [first_value + i·span, first_value + (i+1)·span)); values off the axis are left out."""
    if not chart.columns or column_span <= 0:
        return chart
    slot = (chart.plot_right - chart.plot_left) / len(chart.columns)
    placed: list[Marker] = []
    for value, label, kind in markers:
        position = (value - first_value) / column_span
        if 0 <= position <= len(chart.columns):
            x = round(chart.plot_left + position * slot, 2)
            near_edge = x > chart.plot_right - MARKER_LABEL_ROOM
            placed.append(Marker(x, label, kind, label_x=x - 4 if near_edge else x + 4,
                                 label_y=chart.plot_top + 10 + 14 * len(placed),
                                 anchor="end" if near_edge else "start"))
    return ColumnChart(**{**chart.__dict__, "markers": placed})
