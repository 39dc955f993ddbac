"""When to try a delivery again: the Standard Webhooks example schedule, with jitter.

Pure: takes the attempt count, a random source and the receiver's answer, and
returns a delay or `None` when the delivery is dead.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

# Delay before attempt n+1 (the first attempt is immediate): 5 s, 5 min, 30 min,
# 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. Ten attempts in all, then the row is dead.
SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), timedelta(hours=10), timedelta(hours=14), timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(SCHEDULE) + 1
JITTER = 0.1  # ±10 %, so that a receiver that was down is not hit by everyone at once
MAX_RETRY_AFTER = timedelta(hours=24)


def next_delay(attempts_made: int, rng: random.Random | None = None) -> timedelta | None:
    """The wait before the next attempt after `attempts_made` failures; None = give up."""
    if attempts_made < 1 or attempts_made >= MAX_ATTEMPTS:
        return None
    base = SCHEDULE[attempts_made - 1]
    spread = (rng or random).uniform(-JITTER, JITTER)  # noqa: S311 - not for secrets
    return base * (1 + spread)


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A `Retry-After` header (seconds or an HTTP date) as a delay, capped at 24 hours."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        delay = when - now
    return max(timedelta(0), min(delay, MAX_RETRY_AFTER))
