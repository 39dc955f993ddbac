"""Display text from the odd values an event may hold: numbers, text, URLs, ids and times.

Pure, and it never raises on a value: None, a wrong type, a NaN or an unreadable time
comes out as "" (or None), and the renderers in `app.alerts.messages`, `slack` and
`sla_email` leave that line out.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UTC_NAMES = {"UTC", "ETC/UTC", "GMT", "ETC/GMT", "UCT", "ZULU", "UNIVERSAL"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_TOKEN = re.compile(r"[^A-Za-z0-9._-]")
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")


# -- reading odd values safely ---------------------------------------------------------------

def _obj(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _fmt_num(value: Any) -> str:
    number = _num(value)
    if number is None:
        return ""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.1f}"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(value: Any, limit: int | None = None, _depth: int = 0) -> str:
    """Display text for any JSON value: one line, no control characters, maybe clipped."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int | float):
        text = _fmt_num(value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list | tuple) and _depth < 2:
        text = ", ".join(t for t in (_text(v, None, _depth + 1) for v in value) if t)
    else:
        return ""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return clip(text, limit) if limit else text


def _http_url(value: Any) -> str:
    text = _text(value)
    if not text or len(text) > 2000 or any(c in text for c in " <>\"'|"):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    return text if parts.scheme in ("http", "https") and parts.netloc else ""


def _token(value: Any) -> str:
    """An identifier safe for headers and logs: letters, digits, dot, dash, underscore."""
    return _TOKEN.sub("", _text(value))[:100]


# -- time --------------------------------------------------------------------------------------

def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and 0 < len(value) <= 64:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _zone(name: Any) -> ZoneInfo | None:
    if not isinstance(name, str) or not _ZONE_NAME.fullmatch(name):
        return None
    if name.upper() in UTC_NAMES:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


def _day(moment: datetime) -> str:
    return f"{DAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]}"


def _span(start: datetime, end: datetime | None, *, with_day: bool = True) -> str:
    head = f"{_day(start)}, " if with_day else ""
    if end is None:
        return f"{head}{start:%H:%M}"
    if end.date() == start.date():
        return f"{head}{start:%H:%M}–{end:%H:%M}"
    return f"{_day(start)}, {start:%H:%M} – {_day(end)}, {end:%H:%M}"


def format_when(start_iso: Any, end_iso: Any = None, tz_name: Any = None, *,
                local_first: bool = False) -> str:
    """'Tue 1 Dec, 15:00–15:30 UTC (16:00–16:30 Europe/Berlin)'; '' when start is unreadable.

    With `local_first` the prospect's own time leads and UTC follows in brackets.
    """
    start = _parse_time(start_iso)
    if start is None:
        return ""
    end = _parse_time(end_iso)
    if end is not None and end < start:
        end = None
    utc = f"{_span(start, end)} UTC"
    zone = _zone(tz_name)
    if zone is None:
        return utc
    try:
        local_start = start.astimezone(zone)
        local_end = end.astimezone(zone) if end is not None else None
    except (OverflowError, ValueError):
        return utc
    same_day = local_start.date() == start.date()
    if local_first:
        return (f"{_span(local_start, local_end)} {zone.key} "
                f"({_span(start, end, with_day=not same_day)} UTC)")
    return f"{utc} ({_span(local_start, local_end, with_day=not same_day)} {zone.key})"
