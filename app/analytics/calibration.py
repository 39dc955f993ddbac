"""Score calibration: does a higher score mean more conversions? Pure.

Works on a histogram of leads by whole score (the database groups them): bands
of a fixed width with their conversion rates, and the threshold that best
separates converters from the rest by Youden's J statistic, J = TPR − FPR, where
a lead "passes" a threshold t when its score is at least t. The model's own
MQL/SQL thresholds are measured the same way, so the two can be compared.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BAND_WIDTH = 10
MAX_BANDS = 60  # wider bands when scores spread further, so the chart stays readable
MIN_CONVERSIONS = 10  # below this, a "best threshold" is noise and the page says so
TARGETS = ("accepted", "won")


@dataclass(frozen=True)
class ScoreCount:
    """Leads whose score rounds down to `score`, and how many of them converted."""

    score: int
    leads: int
    accepted: int
    won: int

    def converted(self, target: str) -> int:
        return self.accepted if target == "accepted" else self.won


@dataclass(frozen=True)
class Band:
    low: int
    high: int  # inclusive, in whole points
    leads: int
    accepted: int
    won: int

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"

    @property
    def accepted_rate(self) -> float | None:
        return share(self.accepted, self.leads)

    @property
    def won_rate(self) -> float | None:
        return share(self.won, self.leads)


@dataclass(frozen=True)
class Separation:
    """How well `score >= threshold` picks out the converters of one target."""

    threshold: int
    true_positive_rate: float  # converters at or above the threshold / all converters
    false_positive_rate: float  # the rest at or above it / all the rest
    passing: int  # leads at or above the threshold

    @property
    def youden_j(self) -> float:
        return self.true_positive_rate - self.false_positive_rate


@dataclass(frozen=True)
class Calibration:
    target: str
    leads: int
    converted: int
    best: Separation | None  # None when there is nobody (or everybody) to separate
    at_model: dict[str, Separation | None]  # the model's thresholds by stage ("mql", "sql")

    @property
    def enough_evidence(self) -> bool:
        return self.best is not None and self.converted >= MIN_CONVERSIONS


def share(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when there is no whole (shown as "–", never a division by zero)."""
    return part / whole if whole else None


def band_width_for(histogram: Sequence[ScoreCount], width: int = BAND_WIDTH) -> int:
    """`width`, doubled until the scores fit in at most MAX_BANDS bands."""
    if not histogram:
        return width
    low, high = min(row.score for row in histogram), max(row.score for row in histogram)
    while (high // width) - (low // width) + 1 > MAX_BANDS:
        width *= 2
    return width


def bands(histogram: Sequence[ScoreCount], width: int = BAND_WIDTH) -> list[Band]:
    """Consecutive bands from the lowest score's to the highest's, empty ones included."""
    if not histogram:
        return []
    totals: dict[int, list[int]] = {}
    for row in histogram:
        counts = totals.setdefault(row.score // width, [0, 0, 0])
        counts[0] += row.leads
        counts[1] += row.accepted
        counts[2] += row.won
    first, last = min(totals), max(totals)
    return [Band(index * width, index * width + width - 1, *totals.get(index, [0, 0, 0]))
            for index in range(first, last + 1)]


def separation(histogram: Iterable[ScoreCount], target: str, threshold: float
               ) -> Separation | None:
    """TPR and FPR of `score >= threshold` (scores are whole: a fraction rounds up)."""
    rows = list(histogram)
    positives = sum(row.converted(target) for row in rows)
    negatives = sum(row.leads for row in rows) - positives
    if not positives or not negatives:
        return None
    cut = math.ceil(threshold)
    above = [row for row in rows if row.score >= cut]
    caught = sum(row.converted(target) for row in above)
    passing = sum(row.leads for row in above)
    return Separation(cut, caught / positives, (passing - caught) / negatives, passing)


def best_threshold(histogram: Iterable[ScoreCount], target: str) -> Separation | None:
    """The threshold with the largest Youden's J; on a tie the lowest (more leads go on).

    Candidates are the scores that occur: between two of them J cannot change.
    """
    rows = sorted(histogram, key=lambda row: row.score, reverse=True)
    positives = sum(row.converted(target) for row in rows)
    negatives = sum(row.leads for row in rows) - positives
    if not positives or not negatives:
        return None
    best: Separation | None = None
    caught = passing = 0
    for row in rows:  # from the top score down: each step lowers the threshold
        caught += row.converted(target)
        passing += row.leads
        candidate = Separation(row.score, caught / positives,
                               (passing - caught) / negatives, passing)
        if best is None or candidate.youden_j >= best.youden_j - 1e-12:
            best = candidate
    return best


def calibrate(histogram: Sequence[ScoreCount], target: str,
              thresholds: dict[str, float]) -> Calibration:
    """Everything the page says about one target: best threshold and the model's."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    return Calibration(
        target=target,
        leads=sum(row.leads for row in histogram),
        converted=sum(row.converted(target) for row in histogram),
        best=best_threshold(histogram, target),
        at_model={stage: separation(histogram, target, value)
                  for stage, value in thresholds.items()},
    )
