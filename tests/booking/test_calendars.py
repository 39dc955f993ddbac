"""Reps' hours and feeds: settings refused with reasons, feeds refreshed by the worker's job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.booking.calendars import (
    CalendarError,
    calendar_of,
    refresh_due_feeds,
    set_feed,
    set_hours,
)
from app.booking.feeds import FeedResult
from app.booking.ics import BusyTime as FeedBusy
from app.db import write_session
from app.models import BusyTime, RepCalendar, User
from tests.web.backoffice import add_user, csrf_of, log_in

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("weekly", "message"), [
    ({"mon": [["12:00", "09:00"]]}, "mon"),
    ({"funday": [["09:00", "10:00"]]}, "not a day"),
    ({"tue": [["9am", "10:00"]]}, "not a time"),
])
def test_bad_hours_are_refused_with_the_reason(app, solo, weekly, message):
    with app.app_context(), write_session() as session:
        rita = session.get(User, solo.rep_id)
        with pytest.raises(CalendarError, match=message):
            set_hours(session, solo.workspace_id, rita, timezone="UTC", weekly=weekly)


def test_an_unknown_timezone_or_a_private_feed_is_refused(app, solo):
    with app.app_context(), write_session() as session:
        rita = session.get(User, solo.rep_id)
        with pytest.raises(CalendarError, match="timezone"):
            set_hours(session, solo.workspace_id, rita, timezone="Mars/Olympus", weekly={})
        with pytest.raises(CalendarError, match="private"):
            set_feed(session, solo.workspace_id, rita, "https://10.0.0.3/cal.ics")


def test_the_worker_job_stores_busy_times_and_keeps_them_when_a_fetch_fails(
        app, db_engine, solo):
    with app.app_context(), write_session() as session:
        rita = session.get(User, solo.rep_id)
        row = calendar_of(session, solo.workspace_id, rita.id)
        row.feed_url = "https://calendar.example.com/secret.ics"  # as if it had passed the guard
    busy = [FeedBusy(NOW + timedelta(hours=2), NOW + timedelta(hours=3), False)]
    answers = iter([FeedResult(busy, None, '"v1"', False),
                    FeedResult([], "Your calendar address answered 404", None, False)])
    seen: list[dict] = []

    def fetch(url, start, end, **options):
        seen.append({"url": url, **options})
        return next(answers)

    assert refresh_due_feeds(db_engine, NOW, every=timedelta(minutes=15), fetch=fetch) == 1
    assert refresh_due_feeds(db_engine, NOW + timedelta(minutes=5),
                             every=timedelta(minutes=15), fetch=fetch) == 0  # not due yet
    assert refresh_due_feeds(db_engine, NOW + timedelta(minutes=20),
                             every=timedelta(minutes=15), fetch=fetch) == 1

    assert seen[1]["etag"] == '"v1"' and seen[0]["tz"] == "UTC"
    with Session(db_engine) as session:
        stored = list(session.scalars(select(BusyTime)))
        row = session.scalars(select(RepCalendar)).one()
    assert [(b.start_at, b.end_at) for b in stored] == [(busy[0].start, busy[0].end)]
    assert row.feed_error == "Your calendar address answered 404"
    assert row.feed_fetched_at == NOW + timedelta(minutes=20)


def test_a_rep_sets_hours_and_sees_the_feed_status_in_the_back_office(app, client, db_engine):
    add_user(app, "sam@acme.example", workspace="acme", role="sales")
    log_in(client, "sam@acme.example")
    page = client.get("/app/acme/calendar/").get_data(as_text=True)
    assert "My calendar" in page and 'value="09:00-17:00"' in page

    data = {"csrf_token": csrf_of(page), "timezone": "Europe/Berlin",
            "mon": "09:00-12:00, 13:00-17:00", "tue": "off", "wed": "10:00-16:00",
            "thu": "", "fri": "09:00-13:00", "sat": "off", "sun": "off",
            "overrides": "2026-12-24: off\n2026-12-27: 10:00-14:00", "feed_url": ""}
    reply = client.post("/app/acme/calendar/", data=data)
    assert reply.status_code == 303
    with Session(db_engine) as session:
        row = session.scalars(select(RepCalendar)).one()
    assert row.timezone == "Europe/Berlin"
    assert row.weekly_hours == {"0": [["09:00", "12:00"], ["13:00", "17:00"]],
                                "2": [["10:00", "16:00"]], "4": [["09:00", "13:00"]]}
    assert row.overrides == {"2026-12-24": [], "2026-12-27": [["10:00", "14:00"]]}

    bad = client.post("/app/acme/calendar/", data={**data, "mon": "17:00-09:00"})
    assert bad.status_code == 422 and "Monday" in bad.get_data(as_text=True)
    assert 'value="17:00-09:00"' in bad.get_data(as_text=True)  # what was typed stays
    with Session(db_engine) as session:
        assert session.scalars(select(RepCalendar)).one().weekly_hours == row.weekly_hours
