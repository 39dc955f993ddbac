"""Retention periods: the app-wide defaults, a workspace's overrides, the cut-off times.

Pure: takes plain mappings, returns plain values. A period of 0 (or None) days
keeps that kind of data forever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# kind -> (config key without the LEADFORM_ prefix, default days, what it is, for people)
KINDS: dict[str, tuple[str, int, str]] = {
    "partial_responses": ("RETENTION_PARTIAL_RESPONSE_DAYS", 90,
                          "Unfinished responses (in progress or abandoned), by last activity"),
    "delivery_logs": ("RETENTION_DELIVERY_LOG_DAYS", 90,
                      "Delivered alerts and their delivery records (pending and dead ones "
                      "are always kept)"),
    "signals": ("RETENTION_SIGNAL_DAYS", 365,
                "Behaviour signals (page views) of visitors and contacts"),
    "audit_log": ("RETENTION_AUDIT_LOG_DAYS", 730,
                  "Audit log entries (who did what in the back office), by time"),
}
MAX_DAYS = 3650
SETTINGS_KEY = "retention"


class RetentionInputError(ValueError):
    """A period that is not a whole number of days between 0 and MAX_DAYS."""


@dataclass(frozen=True)
class Period:
    days: int | None  # None: kept forever
    overridden: bool  # set by the workspace, not the app default

    def cutoff(self, now: datetime) -> datetime | None:
        """Rows older than this go; None: nothing goes."""
        return now - timedelta(days=self.days) if self.days else None


def check_days(value: Any) -> int | None:
    """A stored or typed period as days (None: forever); refuses anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RetentionInputError("Enter a whole number of days.")
    try:
        days = int(value)
    except ValueError:
        raise RetentionInputError("Enter a whole number of days.") from None
    if not 0 <= days <= MAX_DAYS:
        raise RetentionInputError(f"Enter between 0 (keep forever) and {MAX_DAYS} days.")
    return days or None


def defaults_from_config(config: Mapping[str, Any]) -> dict[str, int | None]:
    """The app-wide periods (LEADFORM_RETENTION_*_DAYS; 0 keeps forever)."""
    return {kind: check_days(config.get(key, default))
            for kind, (key, default, _label) in KINDS.items()}


def effective_periods(defaults: Mapping[str, int | None],
                      workspace_settings: Mapping[str, Any] | None) -> dict[str, Period]:
    """Each kind's period for one workspace: its override if it has one, else the default."""
    stored = (workspace_settings or {}).get(SETTINGS_KEY)
    overrides = stored if isinstance(stored, Mapping) else {}
    periods = {}
    for kind in KINDS:
        if kind in overrides:
            try:
                periods[kind] = Period(check_days(overrides[kind]), overridden=True)
                continue
            except RetentionInputError:
                pass  # a hand-edited setting that makes no sense: the default applies
        periods[kind] = Period(defaults.get(kind), overridden=False)
    return periods
