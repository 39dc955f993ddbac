"""Busy times read from calendar feeds, and booking invitations written for both sides."""

from __future__ import annotations

import ast
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.booking.ics import PRODID, BusyTime, FeedError, busy_times, invitation

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def calendar(*events: str, extra: str = "") -> str:
    """A VCALENDAR around VEVENT bodies written one property per line."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", *extra.split()]
    for number, body in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:event-{number}@test", "DTSTAMP:20260101T000000Z",
                  *body.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(line.strip() for line in lines if line.strip()) + "\r\n"


def busy(text: str | bytes, window: tuple[datetime, datetime] = MARCH,
         **options: object) -> list[tuple[datetime, datetime, bool]]:
    return [(b.start, b.end, b.all_day) for b in busy_times(text, *window, **options)]


# --- recurring events ------------------------------------------------------------------


def test_weekly_series_with_an_exdate_and_a_moved_instance() -> None:
    series = """
        DTSTART;TZID=Europe/Berlin:20260302T100000
        DTEND;TZID=Europe/Berlin:20260302T110000
        RRULE:FREQ=WEEKLY;COUNT=5
        EXDATE;TZID=Europe/Berlin:20260309T100000
    """
    moved = """
        RECURRENCE-ID;TZID=Europe/Berlin:20260316T100000
        DTSTART;TZID=Europe/Berlin:20260317T140000
        DTEND;TZID=Europe/Berlin:20260317T153000
    """
    text = calendar(series, moved).replace("UID:event-1@test", "UID:event-0@test")

    assert busy(text, (utc(2026, 3, 1), utc(2026, 5, 1))) == [
        (utc(2026, 3, 2, 9), utc(2026, 3, 2, 10), False),
        # 9 March is excluded; 16 March moved to the 17th, 14:00-15:30 Berlin
        (utc(2026, 3, 17, 13), utc(2026, 3, 17, 14, 30), False),
        (utc(2026, 3, 23, 9), utc(2026, 3, 23, 10), False),
        # Berlin is on summer time from 29 March: 10:00 local is 08:00 UTC
        (utc(2026, 3, 30, 8), utc(2026, 3, 30, 9), False),
    ]


def test_a_cancelled_instance_of_a_series_is_free() -> None:
    series = """
        DTSTART:20260302T150000Z
        DTEND:20260302T160000Z
        RRULE:FREQ=DAILY;COUNT=3
    """
    cancelled = """
        RECURRENCE-ID:20260303T150000Z
        DTSTART:20260303T150000Z
        DTEND:20260303T160000Z
        STATUS:CANCELLED
    """
    text = calendar(series, cancelled).replace("UID:event-1@test", "UID:event-0@test")
    assert [start.day for start, _, _ in busy(text)] == [2, 4]


def test_rdate_adds_an_occurrence() -> None:
    text = calendar("""
        DTSTART:20260302T150000Z
        DURATION:PT45M
        RDATE:20260310T090000Z
    """)
    assert busy(text) == [(utc(2026, 3, 2, 15), utc(2026, 3, 2, 15, 45), False),
                          (utc(2026, 3, 10, 9), utc(2026, 3, 10, 9, 45), False)]


# --- time zones, all-day and floating times ----------------------------------------------


@pytest.mark.parametrize(("day", "hours", "offset"), [
    (date(2026, 3, 8), 23, 5),  # midnight EST, then clocks go forward
    (date(2026, 11, 1), 25, 4),  # midnight EDT, then clocks go back
    (date(2026, 6, 1), 24, 4),
])
def test_all_day_events_block_the_local_day_in_the_reps_zone(day: date, hours: int,
                                                             offset: int) -> None:
    text = calendar(f"""
        DTSTART;VALUE=DATE:{day:%Y%m%d}
        DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}
        SUMMARY:Conference
    """)
    [(start, end, all_day)] = busy(text, (utc(2026, 1, 1), utc(2027, 1, 1)),
                                   default_tz="America/New_York")
    assert all_day
    assert end - start == timedelta(hours=hours)
    assert start == datetime(day.year, day.month, day.day, offset, tzinfo=UTC)


def test_an_all_day_event_without_an_end_lasts_one_day() -> None:
    text = calendar("DTSTART;VALUE=DATE:20260310")
    assert busy(text, default_tz="Europe/Berlin") == [
        (utc(2026, 3, 9, 23), utc(2026, 3, 10, 23), True)]


def test_a_timed_event_without_an_end_blocks_nothing() -> None:
    assert busy(calendar("DTSTART:20260310T090000Z")) == []


def test_tzid_times_are_converted_to_utc() -> None:
    text = calendar("""
        DTSTART;TZID=Europe/Berlin:20260115T093000
        DTEND;TZID=Europe/Berlin:20260115T103000
    """)
    assert busy(text, (utc(2026, 1, 1), utc(2026, 2, 1))) == [
        (utc(2026, 1, 15, 8, 30), utc(2026, 1, 15, 9, 30), False)]


def test_floating_times_are_read_in_the_reps_zone() -> None:
    text = calendar("""
        DTSTART:20260310T090000
        DTEND:20260310T100000
    """)
    assert busy(text, default_tz="America/New_York") == [
        (utc(2026, 3, 10, 13), utc(2026, 3, 10, 14), False)]
    assert busy(text, default_tz="Asia/Tokyo") == [
        (utc(2026, 3, 10, 0), utc(2026, 3, 10, 1), False)]


def test_an_unknown_tzid_falls_back_to_the_reps_zone() -> None:
    text = calendar("""
        DTSTART;TZID=Mars/Olympus_Mons:20260310T090000
        DTEND;TZID=Mars/Olympus_Mons:20260310T100000
    """)
    assert busy(text, default_tz="Europe/Paris") == [
        (utc(2026, 3, 10, 8), utc(2026, 3, 10, 9), False)]


def test_a_windows_zone_name_from_outlook_is_understood() -> None:
    text = calendar("""
        DTSTART;TZID=Pacific Standard Time:20260310T090000
        DTEND;TZID=Pacific Standard Time:20260310T100000
    """)
    assert busy(text) == [(utc(2026, 3, 10, 16), utc(2026, 3, 10, 17), False)]


# --- what does not block time -----------------------------------------------------------


def test_transparent_and_cancelled_events_are_skipped() -> None:
    text = calendar(
        "DTSTART:20260310T090000Z\nDTEND:20260310T100000Z\nTRANSP:TRANSPARENT",
        "DTSTART:20260311T090000Z\nDTEND:20260311T100000Z\nSTATUS:CANCELLED",
        "DTSTART:20260312T090000Z\nDTEND:20260312T100000Z\nSTATUS:TENTATIVE",
        "DTSTART:20260313T090000Z\nDTEND:20260313T100000Z\nTRANSP:OPAQUE",
    )
    assert [start.day for start, _, _ in busy(text)] == [12, 13]


def test_todos_and_journal_entries_are_skipped() -> None:
    text = calendar("DTSTART:20260312T090000Z\nDTEND:20260312T100000Z").replace(
        "END:VCALENDAR",
        "BEGIN:VTODO\r\nUID:t\r\nDTSTART:20260310T090000Z\r\nDUE:20260310T100000Z\r\nEND:VTODO"
        "\r\nBEGIN:VJOURNAL\r\nUID:j\r\nDTSTART:20260311T090000Z\r\nEND:VJOURNAL\r\n"
        "END:VCALENDAR")
    assert [start.day for start, _, _ in busy(text)] == [12]


# --- clipping, ordering and merging -----------------------------------------------------


def test_busy_times_are_clipped_to_the_window() -> None:
    text = calendar(
        "DTSTART:20260228T220000Z\nDTEND:20260301T020000Z",  # straddles the start
        "DTSTART:20260331T230000Z\nDTEND:20260401T010000Z",  # straddles the end
        "DTSTART:20260215T090000Z\nDTEND:20260215T100000Z",  # before
        "DTSTART:20260401T090000Z\nDTEND:20260401T100000Z",  # after (the end is exclusive)
        "DTSTART;VALUE=DATE:20260201\nDTEND;VALUE=DATE:20260501",  # covers it all
    )
    assert busy(text) == [
        (utc(2026, 3, 1), utc(2026, 3, 1, 2), False),
        (utc(2026, 3, 1), utc(2026, 4, 1), True),
        (utc(2026, 3, 31, 23), utc(2026, 4, 1), False),
    ]


def test_overlapping_and_touching_times_merge_only_with_their_own_kind() -> None:
    text = calendar(
        "DTSTART:20260310T100000Z\nDTEND:20260310T110000Z",
        "DTSTART:20260310T090000Z\nDTEND:20260310T100000Z",  # touches the one above
        "DTSTART:20260310T103000Z\nDTEND:20260310T120000Z",  # overlaps
        "DTSTART:20260310T150000Z\nDTEND:20260310T160000Z",  # apart
        "DTSTART;VALUE=DATE:20260310\nDTEND;VALUE=DATE:20260311",
        "DTSTART;VALUE=DATE:20260311\nDTEND;VALUE=DATE:20260312",
    )
    assert busy_times(text, *MARCH) == [
        BusyTime(utc(2026, 3, 10), utc(2026, 3, 12), True),
        BusyTime(utc(2026, 3, 10, 9), utc(2026, 3, 10, 12), False),
        BusyTime(utc(2026, 3, 10, 15), utc(2026, 3, 10, 16), False),
    ]


def test_an_empty_calendar_is_no_busy_time() -> None:
    assert busy(calendar()) == []


def test_a_broken_event_is_skipped_and_the_others_kept() -> None:
    text = calendar("DTSTART:not-a-time\nDTEND:20260310T100000Z",
                    "SUMMARY:no start at all",
                    "DTSTART:20260312T090000Z\nDTEND:20260312T100000Z")
    assert [start.day for start, _, _ in busy(text)] == [12]


def test_bytes_with_a_byte_order_mark_are_read() -> None:
    text = calendar("DTSTART:20260312T090000Z\nDTEND:20260312T100000Z\nSUMMARY:Café")
    assert len(busy("\ufeff".encode() + text.encode())) == 1


# --- refusing what cannot be read -------------------------------------------------------


@pytest.mark.parametrize("junk", [
    "", "hello", "<!DOCTYPE html><html><body>Sign in</body></html>", "BEGIN:VCALENDAR",
    "BEGIN:VEVENT\r\nDTSTART:20260310T090000Z\r\nEND:VEVENT\r\n", b"\x00\xff\xfe",
    "BEGIN:VCALENDAR\r\nCALSCALE:HEBREW\r\nEND:VCALENDAR\r\n",
])
def test_what_is_not_a_calendar_is_a_feed_error(junk: str | bytes) -> None:
    with pytest.raises(FeedError, match="The calendar file could not be read"):
        busy_times(junk, *MARCH)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_junk_raises_nothing_but_feed_error(junk: str | bytes) -> None:
    try:
        busy_times(junk, *MARCH)
    except FeedError:
        pass


LINES = st.sampled_from([
    "DTSTART:20260310T090000Z", "DTSTART;VALUE=DATE:20260310", "DTSTART:2026", "DTEND:x",
    "DTEND:20260301T000000Z", "DURATION:P1D", "DURATION:-PT1H", "DURATION:nope",
    "RRULE:FREQ=DAILY;COUNT=3", "RRULE:FREQ=WEEKLY;UNTIL=20260320", "RRULE:FREQ=;;",
    "RRULE:FREQ=YEARLY;BYMONTH=13", "RDATE:20260311T090000Z", "RDATE;VALUE=PERIOD:x/y",
    "EXDATE:20260311", "RECURRENCE-ID:20260311T090000Z", "DTSTART;TZID=Nowhere:20260310T09",
    "STATUS:CANCELLED", "TRANSP:TRANSPARENT", "BEGIN:VALARM", "END:VALARM", "BEGIN:VEVENT",
    "END:VEVENT", "UID:x", "X-WR-TIMEZONE:Mars/Base", "SUMMARY:a\\,b", " folded",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(LINES, max_size=8), max_size=4))
def test_broken_events_inside_a_calendar_raise_nothing_but_feed_error(
        events: list[list[str]]) -> None:
    try:
        result = busy_times(calendar(*("\n".join(lines) for lines in events)), *MARCH)
    except FeedError:
        return
    assert all(MARCH[0] <= b.start < b.end <= MARCH[1] for b in result)


# --- limits -----------------------------------------------------------------------------


def test_more_expanded_events_than_the_limit_is_a_feed_error() -> None:
    text = calendar("DTSTART:20260301T090000Z\nDTEND:20260301T093000Z\nRRULE:FREQ=DAILY")
    assert len(busy(text, max_events=31)) == 31
    with pytest.raises(FeedError, match="more than 30 events"):
        busy_times(text, *MARCH, max_events=30)


def test_the_limit_counts_single_events_too() -> None:
    events = [f"DTSTART:202603{day:02d}T090000Z\nDTEND:202603{day:02d}T093000Z"
              for day in range(1, 12)]
    with pytest.raises(FeedError, match="more than 10 events"):
        busy_times(calendar(*events), *MARCH, max_events=10)


def test_events_outside_the_window_do_not_count_against_the_limit() -> None:
    text = calendar("DTSTART:20200101T090000Z\nDTEND:20200101T100000Z\n"
                    "RRULE:FREQ=DAILY;UNTIL=20251231T000000Z")
    assert busy(text, max_events=5) == []


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=5"])
def test_rules_repeating_every_second_or_minute_are_refused_at_once(rule: str) -> None:
    text = calendar(f"DTSTART:20260301T000000Z\nDTEND:20260301T000001Z\nRRULE:{rule}")
    started = time.monotonic()
    with pytest.raises(FeedError, match="every minute or second"):
        busy_times(text, *MARCH)
    assert time.monotonic() - started < 1


def test_an_hourly_rule_from_long_ago_is_refused_rather_than_walked_for_ever() -> None:
    text = calendar("DTSTART:19800101T000000Z\nDTEND:19800101T000100Z\n"
                    "RRULE:FREQ=HOURLY;BYMINUTE=0,15,30,45")
    started = time.monotonic()
    with pytest.raises(FeedError, match="too many occurrences"):
        busy_times(text, *MARCH)
    assert time.monotonic() - started < 5


def test_a_naive_window_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        busy_times(calendar(), datetime(2026, 3, 1), datetime(2026, 4, 1))  # noqa: DTZ001


# --- invitations ------------------------------------------------------------------------

START, END = utc(2026, 3, 10, 14), utc(2026, 3, 10, 14, 30)
NOW = utc(2026, 3, 1, 12)


def invite(**overrides: object) -> bytes:
    options: dict[str, object] = {
        "uid": "bk-42@leadform.test", "sequence": 0, "start": START, "end": END,
        "summary": "Intro call with Acme", "description": "Agenda: pricing",
        "organizer_email": "rita@acme.test", "organizer_name": "Rita Rep",
        "attendee_email": "pat@prospect.test", "attendee_name": "Pat Prospect",
        "location": "Video call", "now": NOW,
    }
    return invitation(**{**options, **overrides})  # type: ignore[arg-type]


def parsed(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_an_invitation_parses_back_with_every_property() -> None:
    data = invite(sequence=2)
    cal, event = parsed(data)

    assert str(cal["PRODID"]) == PRODID == "-//Leadform//Booking//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "bk-42@leadform.test"
    assert event["SEQUENCE"] == 2
    assert event.decoded("DTSTART") == START and event.decoded("DTSTART").utcoffset() == \
        timedelta(0)
    assert event.decoded("DTEND") == END
    assert event.decoded("DTSTAMP") == NOW
    assert b"DTSTART:20260310T140000Z\r\n" in data
    assert str(event["SUMMARY"]) == "Intro call with Acme"
    assert str(event["DESCRIPTION"]) == "Agenda: pricing"
    assert str(event["LOCATION"]) == "Video call"
    assert str(event["STATUS"]) == "CONFIRMED"
    organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
    assert str(organizer) == "mailto:rita@acme.test"
    assert organizer.params["CN"] == "Rita Rep"
    assert str(attendee) == "mailto:pat@prospect.test"
    assert dict(attendee.params) == {"CN": "Pat Prospect", "ROLE": "REQ-PARTICIPANT",
                                     "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}


def test_an_invitation_uses_crlf_line_endings_and_folds_long_lines() -> None:
    data = invite(description="word " * 100)
    assert data.count(b"\n") == data.count(b"\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_times_in_another_zone_are_written_in_utc() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    data = invite(start=datetime(2026, 3, 10, 15, tzinfo=berlin),
                  end=datetime(2026, 3, 10, 15, 30, tzinfo=berlin))
    assert b"DTSTART:20260310T140000Z\r\n" in data
    assert b"DTEND:20260310T143000Z\r\n" in data


def test_a_cancellation_has_method_cancel_and_status_cancelled() -> None:
    cal, event = parsed(invite(method="CANCEL", status="CANCELLED", sequence=3))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert str(event["UID"]) == "bk-42@leadform.test"
    _, forced = parsed(invite(method="CANCEL"))
    assert str(forced["STATUS"]) == "CANCELLED"


def test_an_attendee_without_a_name_and_a_meeting_without_a_location() -> None:
    data = invite(attendee_name=None, location=None)
    _, event = parsed(data)
    assert "CN" not in event["ATTENDEE"].params
    assert "LOCATION" not in event


def test_text_with_commas_semicolons_and_newlines_round_trips() -> None:
    summary = "Call, with; Acme\nand\\friends"
    _, event = parsed(invite(summary=summary, organizer_name='Rep, "Rita"; Sales'))
    assert str(event["SUMMARY"]) == summary
    assert "Rep, " in event["ORGANIZER"].params["CN"]


@pytest.mark.parametrize("field", ["summary", "description", "location", "uid",
                                   "organizer_name", "attendee_name"])
def test_crlf_injection_stays_inside_one_property(field: str) -> None:
    data = invite(**{field: "Hello\r\nATTENDEE:mailto:evil@attacker.test\r\nX-EVIL:1\rY"})
    _, event = parsed(data)
    assert str(event["ATTENDEE"]) == "mailto:pat@prospect.test"
    assert "X-EVIL" not in event
    assert b"\r\nATTENDEE:mailto:evil" not in data
    assert b"\r\nX-EVIL" not in data
    assert all(not line.startswith(b"X-EVIL") for line in data.split(b"\r\n"))


@pytest.mark.parametrize("email", ["pat@prospect.test\r\nX-EVIL:1", "pat prospect@x.test",
                                   "no-at-sign", "<pat@x.test>", ""])
def test_an_address_that_is_not_an_email_is_refused(email: str) -> None:
    with pytest.raises(ValueError, match="e-mail"):
        invite(attendee_email=email)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"method": "PUBLISH"}, "METHOD"),
    ({"status": "CANCELLED"}, "STATUS"),
    ({"end": START}, "end after it starts"),
    ({"start": datetime(2026, 3, 10, 14)}, "aware"),  # noqa: DTZ001
    ({"sequence": -1}, "SEQUENCE"),
])
def test_inconsistent_invitations_are_programming_errors(overrides: dict[str, object],
                                                         message: str) -> None:
    with pytest.raises(ValueError, match=message):
        invite(**overrides)


# --- purity -----------------------------------------------------------------------------


def test_ics_imports_neither_flask_nor_sqlalchemy_nor_the_app() -> None:
    source = Path(__file__).resolve().parents[2] / "app" / "booking" / "ics.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "re", "dataclasses", "datetime", "zoneinfo", "icalendar",
                        "recurring_ical_events", "dateutil"}, imported
