"""Numbers of an experiment as the pages show them, and the geometry of its interval chart.

Pure: templates get strings and coordinates ready (STYLE.md 11), so they stay dumb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.experiments.statistics import ProportionTest, p_text, points

CHART_WIDTH, ROW_HEIGHT, CHART_PAD = 560, 56, 40
# Axis half-widths to choose from, in percentage points: the smallest that fits both intervals.
AXIS_STEPS = (1, 2, 5, 10, 20, 50, 100)


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


@dataclass(frozen=True)
class TestView:
    label: str  # "Completion rate"
    rate_a: str
    rate_b: str
    difference: str  # "+4.8 points"
    interval: str  # "+1.2 to +8.4 points", or "–"
    z: str
    p_value: str
    verdict: str
    significant: bool
    enough_data: bool


def test_view(label: str, test: ProportionTest, sentence: str) -> TestView:
    has_interval = test.ci_low is not None and test.ci_high is not None
    return TestView(
        label=label, rate_a=percent(test.rate_a), rate_b=percent(test.rate_b),
        difference="–" if test.difference is None else f"{points(test.difference)} points",
        interval=(f"{points(test.ci_low)} to {points(test.ci_high)} points"  # type: ignore[arg-type]
                  if has_interval else "–"),
        z="–" if test.z is None else f"{test.z:.2f}",
        p_value="–" if test.p_value is None else p_text(test.p_value),
        verdict=sentence, significant=test.significant, enough_data=test.enough_data)


@dataclass(frozen=True)
class IntervalRow:
    label: str
    y: float
    x_low: float
    x_high: float
    x_point: float
    significant: bool


@dataclass(frozen=True)
class IntervalChart:
    """B − A with its confidence interval, per rate, on one axis centred on zero."""

    width: int
    height: int
    x_zero: float
    axis_top: float
    axis_bottom: float
    ticks: list[tuple[float, str]]  # (x, label) in points
    rows: list[IntervalRow]


def interval_chart(tests: list[tuple[str, ProportionTest]]) -> IntervalChart | None:
    """The chart of the intervals that can be drawn; None when none can yet."""
    drawable = [(label, test) for label, test in tests
                if test.ci_low is not None and test.ci_high is not None
                and test.difference is not None]
    if not drawable:
        return None
    widest = max(max(abs(test.ci_low or 0), abs(test.ci_high or 0)) for _, test in drawable)
    half = next((step for step in AXIS_STEPS if step >= widest * 100), AXIS_STEPS[-1])
    inner = CHART_WIDTH - 2 * CHART_PAD

    def x(proportion: float) -> float:
        clamped = max(-half, min(half, proportion * 100))
        return round(CHART_PAD + (clamped + half) / (2 * half) * inner, 1)

    rows = [IntervalRow(label=label, y=24 + index * ROW_HEIGHT + ROW_HEIGHT / 2,
                        x_low=x(test.ci_low or 0), x_high=x(test.ci_high or 0),
                        x_point=x(test.difference or 0), significant=test.significant)
            for index, (label, test) in enumerate(drawable)]
    height = 24 + len(rows) * ROW_HEIGHT + 28
    ticks = [(x(value / 100), _tick(value)) for value in (-half, -half / 2, 0, half / 2, half)]
    return IntervalChart(width=CHART_WIDTH, height=height, x_zero=x(0), axis_top=16,
                         axis_bottom=height - 28, ticks=ticks, rows=rows)


def _tick(value: float) -> str:
    if value == 0:
        return "0"
    text = f"{abs(value):g}" if not math.isclose(value, round(value)) else f"{abs(round(value))}"
    return f"+{text}" if value > 0 else f"−{text}"
