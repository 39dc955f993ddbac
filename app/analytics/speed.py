"""Speed to lead: how long leads wait for sales' first touch, in buckets. Pure.

The clock starts when the lead's SLA clock started (it reached a stage with a
first-touch target) or, without one, when the lead was created; it stops at the
first touch by a person (accept, dispose, contacted, outcome).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from app.analytics.calibration import share

MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    upper_seconds: float | None  # exclusive; None: no upper bound (or untouched)


BUCKETS = (
    Bucket("lt5m", "Under 5 min", 5 * MINUTE),
    Bucket("5to15m", "5–15 min", 15 * MINUTE),
    Bucket("15to60m", "15–60 min", HOUR),
    Bucket("1to4h", "1–4 h", 4 * HOUR),
    Bucket("4to24h", "4–24 h", DAY),
    Bucket("gt1d", "Over 1 day", None),
)
UNTOUCHED = Bucket("untouched", "Not touched yet", None)


@dataclass(frozen=True)
class BucketRow:
    bucket: Bucket
    leads: int
    share: float | None  # of all leads counted (touched or not)


@dataclass(frozen=True)
class SpeedToLead:
    rows: list[BucketRow]
    leads: int
    touched: int
    median_seconds: float | None
    p90_seconds: float | None

    @property
    def is_empty(self) -> bool:
        return not self.leads

    @property
    def within_five_minutes(self) -> float | None:
        return share(self.rows[0].leads, self.touched) if self.rows else None


def nearest_rank(count: int, quantile: float) -> int:
    """The 0-based position of the `quantile` in `count` sorted values (nearest rank).

    The same value as PostgreSQL's percentile_disc, so both databases agree.
    """
    if count <= 0:
        raise ValueError("no values")
    return max(0, math.ceil(quantile * count) - 1)


def speed_to_lead(counts: Mapping[str, int], median_seconds: float | None,
                  p90_seconds: float | None) -> SpeedToLead:
    """Rows for every bucket (zeros included) from the database's count per bucket key."""
    everyone = sum(counts.get(bucket.key, 0) for bucket in (*BUCKETS, UNTOUCHED))
    untouched = counts.get(UNTOUCHED.key, 0)
    rows = [BucketRow(bucket, counts.get(bucket.key, 0), share(counts.get(bucket.key, 0),
                                                              everyone))
            for bucket in (*BUCKETS, UNTOUCHED)]
    return SpeedToLead(rows=rows, leads=everyone, touched=everyone - untouched,
                       median_seconds=median_seconds, p90_seconds=p90_seconds)


def duration_text(seconds: float | None) -> str:
    """A wait as people say it: "4 min", "2 h 5 min", "3 d 4 h"; "–" for none."""
    if seconds is None:
        return "–"
    seconds = max(0.0, seconds)
    if seconds < MINUTE:
        return f"{round(seconds)} s"
    if seconds < HOUR:
        return f"{math.floor(seconds / MINUTE)} min"
    if seconds < DAY:
        hours, rest = divmod(int(seconds), HOUR)
        return f"{hours} h {rest // MINUTE} min" if rest >= MINUTE else f"{hours} h"
    days, rest = divmod(int(seconds), DAY)
    return f"{days} d {rest // HOUR} h" if rest >= HOUR else f"{days} d"
