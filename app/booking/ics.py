"""iCalendar in and out, pure: busy times from a rep's calendar feed, booking invitations.

Reading is lenient about single events and strict about the file: an event that
cannot be understood is skipped (as calendar apps do), while a file that is not a
calendar, or that expands to more events than we are willing to hold, is a
FeedError whose message can be shown to the rep. Repetitions are expanded by
recurring-ical-events (RRULE, RDATE, EXDATE, moved or cancelled instances); its
rules are counted first with a bounded walk, because expanding a rule that repeats
every second over three months would take minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr  # a dependency of both libraries above

PRODID = "-//Leadform//Booking//EN"
# Rule steps walked (from each rule's first occurrence) before giving up on a feed.
MAX_RULE_STEPS = 300_000
# Floating and all-day values are read in the rep's zone, which is at most ~26 h from
# UTC: the expansion looks this much further on each side, then clips exactly.
_MARGIN = timedelta(days=2)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # all but TAB and LF (CR is folded first)
_ADDRESS = re.compile(r"[^\s@<>\"]+@[^\s@<>\"]+")


@dataclass(frozen=True)
class BusyTime:
    start: datetime  # aware UTC
    end: datetime  # aware UTC
    all_day: bool


class FeedError(ValueError):
    """The feed could not be read; message safe to show the rep (no URL)."""


def busy_times(ics_text: str | bytes, window_start: datetime, window_end: datetime, *,
               default_tz: str = "UTC", max_events: int = 5000) -> list[BusyTime]:
    """The times an iCalendar file keeps its owner busy within the window, clipped to it.

    Transparent ("free") and cancelled events do not count; to-dos and journal
    entries never do. All-day events block local midnight to local midnight in
    `default_tz`, which is also the zone of floating times and of unknown TZIDs.
    Sorted by start; overlapping or touching times are merged when they share the
    all_day flag (a timed meeting during an all-day event stays separate).
    More than `max_events` busy events in the window is a FeedError. The window
    must be aware (a caller bug otherwise: ValueError, not FeedError).
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("busy_times() needs an aware window")
    zone = ZoneInfo(default_tz)
    start, end = window_start.astimezone(UTC), window_end.astimezone(UTC)
    if end <= start:
        return []
    try:
        calendar = _parse(ics_text)
        _check_rules(calendar, start - _MARGIN, end + _MARGIN, max_events)
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        occurrences = query.between(start - _MARGIN, end + _MARGIN)
        found: list[BusyTime] = []
        for occurrence in occurrences:
            busy = _busy(occurrence, zone, start, end)
            if busy is None:
                continue
            found.append(busy)
            if len(found) > max_events:
                raise FeedError(_too_many(max_events))
    except FeedError:
        raise
    except Exception:  # whatever the libraries make of hostile input, the rep sees one message
        raise FeedError("The calendar file could not be read: some of its contents are not "
                        "valid iCalendar.") from None
    return _merged(found)


def _parse(ics_text: str | bytes) -> icalendar.Calendar:
    text = (ics_text.decode("utf-8", errors="replace") if isinstance(ics_text, bytes)
            else ics_text).lstrip("\ufeff")
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception:
        raise FeedError("The calendar file could not be read: it is not in iCalendar (.ics) "
                        "format.") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise FeedError("The calendar file could not be read: it holds no VCALENDAR.")
    # Events that cannot be placed in time are dropped here, so that one broken event
    # neither stops the expansion nor hides the others.
    calendar.subcomponents = [part for part in calendar.subcomponents
                              if part.name != "VEVENT" or _has_times(part)]
    return calendar


def _has_times(event: icalendar.Component) -> bool:
    try:
        start = event.decoded("DTSTART")
        for name in ("DTEND", "DURATION", "RECURRENCE-ID"):
            if name in event:
                event.decoded(name)
    except Exception:
        return False
    return isinstance(start, date)


def _check_rules(calendar: icalendar.Calendar, lo: datetime, hi: datetime,
                 max_events: int) -> None:
    """Refuse before expanding: rules repeating too often, or too far to walk.

    Counted over the widened window, so twice the limit is allowed here: this bounds
    the cost of the expansion, and busy_times() applies the exact limit after it.
    """
    lo, hi = lo.replace(tzinfo=None), hi.replace(tzinfo=None)
    steps = inside = 0
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        if rules is None:
            continue
        first = _naive_utc(event.decoded("DTSTART"))
        for rule in rules if isinstance(rules, list) else [rules]:
            if set(rule.get("FREQ", [])) & {"SECONDLY", "MINUTELY"}:
                raise FeedError("The calendar could not be used: an event repeats every "
                                "minute or second.")
            try:
                walk = rrulestr(rule.to_ical().decode(), dtstart=first, ignoretz=True)
            except Exception:  # noqa: S112 - recurring-ical-events then skips this series
                continue
            for when in walk:
                steps += 1
                if when > hi:
                    break
                if when >= lo:
                    inside += 1
                if inside > 2 * max_events:
                    raise FeedError(_too_many(max_events))
                if steps > MAX_RULE_STEPS:
                    raise FeedError("The calendar could not be used: its repeating events "
                                    "have too many occurrences to work through.")


def _naive_utc(value: date) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time())
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _too_many(max_events: int) -> str:
    return (f"The calendar could not be used: it has more than {max_events:,} events in the "
            "coming weeks. Share a calendar with fewer events.")


def _busy(event: icalendar.Component, zone: ZoneInfo, lo: datetime,
          hi: datetime) -> BusyTime | None:
    """One occurrence as a busy time within [lo, hi), or None if it blocks nothing there."""
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    try:
        first = event.decoded("DTSTART")
        if "DTEND" in event:
            last = event.decoded("DTEND")
        elif "DURATION" in event:
            last = first + event.decoded("DURATION")
        else:
            last = first + timedelta(days=1) if not isinstance(first, datetime) else first
        start, end = _instant(first, zone), _instant(last, zone)
    except (ValueError, TypeError, KeyError, OverflowError, ZoneInfoNotFoundError):
        return None
    start, end = max(start, lo), min(end, hi)
    if end <= start:
        return None
    return BusyTime(start, end, all_day=not isinstance(first, datetime))


def _instant(value: date, zone: tzinfo) -> datetime:
    """A DATE is local midnight; a floating time is local; an aware time is what it says."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _merged(found: list[BusyTime]) -> list[BusyTime]:
    result: list[BusyTime] = []
    for all_day in (False, True):
        current: BusyTime | None = None
        same_kind = sorted((b for b in found if b.all_day is all_day),
                           key=lambda b: (b.start, b.end))
        for busy in same_kind:
            if current is not None and busy.start <= current.end:
                current = BusyTime(current.start, max(current.end, busy.end), all_day)
                continue
            if current is not None:
                result.append(current)
            current = busy
        if current is not None:
            result.append(current)
    return sorted(result, key=lambda b: (b.start, b.end, b.all_day))


# --- invitations ---------------------------------------------------------------------------


def invitation(*, uid: str, sequence: int, start: datetime, end: datetime, summary: str,
               description: str, organizer_email: str, organizer_name: str,
               attendee_email: str, attendee_name: str | None, location: str | None = None,
               method: str = "REQUEST", status: str = "CONFIRMED",
               now: datetime | None = None) -> bytes:
    """An iTIP invitation (RFC 5546) for one meeting, as the bytes of an .ics file.

    METHOD:CANCEL always carries STATUS:CANCELLED, as the RFC requires; the caller
    keeps UID stable and raises SEQUENCE on every reschedule or cancellation. Text is
    escaped by icalendar and stripped of control characters, so no value can start a
    property of its own.
    """
    method, status = method.upper(), status.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {method!r}: expected REQUEST or CANCEL")
    if method == "CANCEL":
        status = "CANCELLED"
    elif status not in ("CONFIRMED", "TENTATIVE"):
        raise ValueError(f"STATUS {status!r} does not go with METHOD:REQUEST")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("invitation() needs aware start and end times")
    if end <= start:
        raise ValueError("the meeting must end after it starts")
    if sequence < 0:
        raise ValueError("SEQUENCE cannot be negative")

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", _text(uid))
    event.add("sequence", sequence)
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", _text(summary))
    if description:
        event.add("description", _text(description))
    if location:
        event.add("location", _text(location))
    event.add("organizer", _address(organizer_email, organizer_name))
    event.add("attendee", _address(attendee_email, attendee_name, ROLE="REQ-PARTICIPANT",
                                   PARTSTAT="NEEDS-ACTION", RSVP="TRUE"))
    event.add("status", status)
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


def _text(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _address(email: str, name: str | None, **params: str) -> icalendar.vCalAddress:
    email = email.strip()
    if not _ADDRESS.fullmatch(email) or _CONTROL.search(email):
        raise ValueError("not an e-mail address fit for a calendar invitation")
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name and (common := " ".join(_text(name).split())):
        address.params["CN"] = common
    address.params.update(params)
    return address
