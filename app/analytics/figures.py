"""The analytics charts, from computed results to chart geometry, and how numbers read. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from app.analytics.calibration import Band, Calibration
from app.analytics.charts import BarChart, ColumnChart, Item, bar_chart, column_chart, with_markers
from app.analytics.conversion import MILESTONES, ConversionRow
from app.analytics.funnel import Funnel
from app.analytics.speed import SpeedToLead


def number(value: int | float | None) -> str:
    """1234 → "1,234"; None → "–"."""
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def percent(value: float | None) -> str:
    """0.1234 → "12.3%"; None (nothing to divide by) → "–"."""
    return "–" if value is None else f"{100 * value:.1f}%"


def funnel_chart(funnel: Funnel) -> BarChart:
    """Views (when counted), starts, each step got past, completions; % of starts."""
    def of_starts(count: int) -> str:
        rate = count / funnel.started if funnel.started else None
        return f"{number(count)} ({percent(rate)})"

    items = [Item("Views", funnel.views, number(funnel.views))] if funnel.views else []
    items.append(Item("Started", funnel.started, of_starts(funnel.started)))
    items += [Item(f"Passed: {step.title}", step.passed, of_starts(step.passed))
              for step in funnel.steps]
    items.append(Item("Completed", funnel.completed, of_starts(funnel.completed)))
    return bar_chart(items)


def milestone_chart(total: ConversionRow) -> BarChart:
    """Leads and each milestone reached, with the share of leads."""
    items = [Item("Leads", total.leads, number(total.leads))]
    items += [Item(label, total.count(name),
                   f"{number(total.count(name))} ({percent(total.rate(name))})")
              for name, label in MILESTONES]
    return bar_chart(items)


def speed_chart(speed: SpeedToLead) -> ColumnChart:
    return column_chart([row.bucket.label for row in speed.rows],
                        [[row.leads for row in speed.rows]],
                        [[f"{row.bucket.label}: {number(row.leads)} leads"
                          for row in speed.rows]], tick_format="{:,.0f}", counts=True)


def calibration_chart(bands: Sequence[Band], width: int, accepted: Calibration,
                      won: Calibration, thresholds: dict[str, float]) -> ColumnChart | None:
    """Accepted and won rate per score band, with lines at the best and the model's
    thresholds; None without bands."""
    if not bands:
        return None
    rates = [[band.accepted_rate or 0.0 for band in bands],
             [band.won_rate or 0.0 for band in bands]]
    texts = [[f"{band.label}: {percent(band.accepted_rate)} accepted" for band in bands],
             [f"{band.label}: {percent(band.won_rate)} won" for band in bands]]
    chart = column_chart([band.label for band in bands], rates, texts,
                         tick_format="{:.0%}")
    markers = [(value, f"{stage.upper()} {value:g}", "model")
               for stage, value in sorted(thresholds.items(), key=lambda item: item[1])]
    for calibration in (accepted, won):
        if calibration.best is not None and calibration.enough_evidence:
            markers.append((calibration.best.threshold,
                            f"best for {calibration.target} {calibration.best.threshold}",
                            f"best-{calibration.target}"))
    return with_markers(chart, bands[0].low, width, markers)
