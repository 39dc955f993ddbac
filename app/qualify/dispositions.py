"""What sales' verdict on a lead does: which stage, which nurture track, for how long. Pure.

Each rejection code recycles the lead into a track chosen by the reason, for at
most a number of days, after which it is archived; `spam` and `competitor` close
it at once. A workspace may override the track and the days per code
(`settings.dispositions = {"no_budget": {"track": "budget-q3", "days": 120}}`); its
`settings.max_nurture_days` (default 180) caps every period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

DISPOSITION_CODES = ("not_now", "no_budget", "not_decision_maker", "bad_fit", "competitor",
                     "spam")
DISPOSITION_LABELS = {
    "not_now": "Not now",
    "no_budget": "No budget",
    "not_decision_maker": "Not the decision maker",
    "bad_fit": "Bad fit",
    "competitor": "Competitor",
    "spam": "Spam",
}
OUTCOMES = ("won", "lost")
DEFAULT_MAX_NURTURE_DAYS = 180
MAX_NURTURE_DAYS_LIMIT = 3650

# code -> (stage, track, days); a None track closes the lead (archived at once).
_DEFAULTS: dict[str, tuple[str, str | None, int]] = {
    "not_now": ("recycled", "recycle-not-now", 90),
    "no_budget": ("recycled", "recycle-no-budget", 180),
    "not_decision_maker": ("recycled", "recycle-champion", 120),
    "bad_fit": ("recycled", "general", DEFAULT_MAX_NURTURE_DAYS),
    "competitor": ("disqualified", None, 0),
    "spam": ("disqualified", None, 0),
}


class DispositionError(ValueError):
    """A verdict that cannot be applied; the message says why, in words."""


@dataclass(frozen=True)
class Verdict:
    code: str
    stage: str
    track: str | None
    nurture_until: datetime | None
    archive_now: bool


def verdict_for(code: str, settings: Mapping[str, Any] | None, now: datetime) -> Verdict:
    """Where a lead rejected for `code` goes, with the workspace's overrides applied."""
    if code not in _DEFAULTS:
        raise DispositionError(
            f"Unknown disposition {code!r}: use one of {', '.join(DISPOSITION_CODES)}.")
    stage, track, days = _DEFAULTS[code]
    if track is None:
        return Verdict(code, stage, None, None, archive_now=True)
    settings = settings or {}
    override = (settings.get("dispositions") or {}).get(code) or {}
    if isinstance(override, Mapping):
        track = str(override.get("track") or track)
        days = _days(override.get("days"), days)
    days = min(days, _days(settings.get("max_nurture_days"), DEFAULT_MAX_NURTURE_DAYS))
    return Verdict(code, stage, track, now + timedelta(days=days), archive_now=False)


def _days(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return max(1, min(value, MAX_NURTURE_DAYS_LIMIT))
