"""An SQL prospect books on the form's last screen; cancels and reschedules by link."""

from __future__ import annotations

import re
from datetime import datetime
from email import message_from_bytes, policy

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Booking, Delivery, Lead, OutboxEvent
from tests.web.hosted import fill_demo

SALES_PATH = ("you", "company", "needs", "details")
TIME_BUTTON = re.compile(r'<button type="submit" name="start" value="([^"]+)">(\d\d:\d\d)</button>')


def sql_ending(client) -> tuple[str, str]:
    """Complete the demo as an SQL; the ending's URL and page."""
    reply = fill_demo(client, *SALES_PATH)
    url = reply.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def bookings(db_engine) -> list[Booking]:
    with Session(db_engine) as session:
        return list(session.scalars(select(Booking).order_by(Booking.id)))


def test_the_ending_offers_times_and_books_one(demo, client, db_engine):
    url, page = sql_ending(client)

    assert "Pick a time for your Intro call" in page
    times = TIME_BUTTON.findall(page)
    assert times, "no free times offered"
    start, label = times[0]
    reply = client.post(f"{url}/book", data={"start": start, "tz": "UTC"})

    assert reply.status_code == 303 and reply.headers["Location"] == url
    done = client.get(url).get_data(as_text=True)
    assert "You're booked" in done and "Intro call" in done and label in done
    (booking,) = bookings(db_engine)
    assert booking.start_at == datetime.fromisoformat(start)
    assert booking.attendee_email == "ada@example.com"
    with Session(db_engine) as session:
        kinds = list(session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.id)))
        lead = session.get(Lead, booking.lead_id)
    assert kinds[-1] == "booking.created"
    assert lead.booked_at is not None and lead.booked_at >= lead.sql_at  # the funnel's step


def test_times_show_in_the_visitors_timezone(demo, client):
    url, _ = sql_ending(client)
    utc = client.get(f"{url}/slots?tz=UTC").get_data(as_text=True)
    tokyo = client.get(f"{url}/slots?tz=Asia/Tokyo").get_data(as_text=True)

    (start, utc_label), *_ = TIME_BUTTON.findall(utc)
    tokyo_times = dict(TIME_BUTTON.findall(tokyo))
    moment = datetime.fromisoformat(start)
    from zoneinfo import ZoneInfo

    assert utc_label == f"{moment:%H:%M}"
    if start in tokyo_times:
        assert tokyo_times[start] == f"{moment.astimezone(ZoneInfo('Asia/Tokyo')):%H:%M}"
    assert 'value="Asia/Tokyo" selected' in tokyo
    assert client.get(f"{url}/slots?tz=Not/AZone").status_code == 200  # falls back, no 500


def test_a_time_taken_a_moment_earlier_gets_a_friendly_message_and_fresh_times(
        demo, client, app, db_engine):
    url, page = sql_ending(client)
    start, _ = TIME_BUTTON.findall(page)[0]
    rival = app.test_client()
    rival_url, _ = sql_ending_for(rival, "grace@example.org")
    # Every rep free at that time gets booked by rivals first.
    booked = 0
    while True:
        reply = rival.post(f"{rival_url}/book", data={"start": start, "tz": "UTC"})
        if reply.status_code != 303:
            break
        booked += 1
        rival = app.test_client()
        rival_url, _ = sql_ending_for(rival, f"rival{booked}@example.org")

    reply = client.post(f"{url}/book", data={"start": start, "tz": "UTC"})

    assert reply.status_code == 409
    page = reply.get_data(as_text=True)
    assert "Sorry about that" in page and start not in dict(TIME_BUTTON.findall(page))
    assert TIME_BUTTON.search(page), "fresh times are offered"


def sql_ending_for(client, email: str) -> tuple[str, str]:
    reply = fill_demo(client, *SALES_PATH, changes={"you": {"email": email}})
    url = reply.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("start", ["", "yesterday", "2020-01-01T10:00:00+00:00",
                                   "2031-01-01T10:07:00"])
def test_a_bad_or_unoffered_time_is_refused_politely(demo, client, start, db_engine):
    url, _ = sql_ending(client)
    reply = client.post(f"{url}/book", data={"start": start})
    assert reply.status_code == 409
    assert "times" in reply.get_data(as_text=True)
    assert bookings(db_engine) == []


def test_the_json_endpoint_lists_the_routed_teams_slots(demo, client):
    url, page = sql_ending(client)
    token = url.rsplit("/", 1)[1]
    data = client.get(f"/api/v1/responses/{token}/slots?tz=Europe/Berlin").get_json()
    assert data["team"] == "ae-team" and data["meeting_type"] == "intro-30"
    assert data["duration_minutes"] == 30 and data["timezone"] == "Europe/Berlin"
    offered = {start for start, _ in TIME_BUTTON.findall(page)}
    assert offered <= {slot["start"] for slot in data["slots"]}
    assert client.get("/api/v1/responses/forged/slots").status_code == 404


def manage_link(page: str) -> str:
    match = re.search(r'href="(http://localhost/b/[^"/]+)"', page)
    assert match, "no manage link"
    return match.group(1).removeprefix("http://localhost")


def test_cancel_and_reschedule_by_link(demo, client, db_engine):
    url, _page = sql_ending(client)
    # Two free times from the team's list (late in a rep's day the page's first day may
    # offer only one).
    token = url.rsplit("/", 1)[1]
    slots = client.get(f"/api/v1/responses/{token}/slots?tz=UTC").get_json()["slots"]
    first, second = slots[0]["start"], slots[1]["start"]
    client.post(f"{url}/book", data={"start": first, "tz": "UTC"})
    manage = manage_link(client.get(url).get_data(as_text=True))

    picker = client.get(f"{manage}/reschedule?tz=UTC").get_data(as_text=True)
    assert second in dict(TIME_BUTTON.findall(picker))
    moved = client.post(f"{manage}/reschedule", data={"start": second, "tz": "UTC"})
    assert moved.status_code == 303
    (booking,) = bookings(db_engine)
    assert booking.start_at == datetime.fromisoformat(second) and booking.sequence == 1

    invite = client.get(f"{manage}/invite.ics")
    calendar = icalendar.Calendar.from_ical(invite.data)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["UID"]) == booking.uid and int(event["SEQUENCE"]) == 1

    client.post(f"{manage}/cancel", data={"reason": "Found another tool"})
    (booking,) = bookings(db_engine)
    assert booking.status == "cancelled" and booking.cancel_reason == "Found another tool"
    assert "Meeting cancelled" in client.get(manage).get_data(as_text=True)
    with Session(db_engine) as session:
        kinds = list(session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.id)))
    assert kinds[-3:] == ["booking.created", "booking.created", "booking.cancelled"]
    # The freed time is offered again, on the same ending.
    again = client.get(f"{url}/slots?tz=UTC").get_data(as_text=True)
    assert "Pick a time" in again and second in dict(TIME_BUTTON.findall(again))


def test_forged_links_are_404(demo, client):
    assert client.get("/b/not-a-token").status_code == 404
    assert client.post("/b/not-a-token/cancel").status_code == 404
    url, _ = sql_ending(client)
    assert client.post(url.rsplit("/", 1)[0] + "/forged/book",
                       data={"start": "2031-01-01T10:00:00+00:00"}).status_code == 404


def test_both_sides_get_an_invitation_email_with_the_ics(demo, app, client, db_engine):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=2525, SMTP_SECURITY="none")
    url, page = sql_ending(client)
    start, _ = TIME_BUTTON.findall(page)[0]
    client.post(f"{url}/book", data={"start": start, "tz": "UTC"})

    with Session(db_engine) as session:
        event = session.scalars(select(OutboxEvent).where(
            OutboxEvent.kind == "booking.created")).one()
        rows = list(session.scalars(select(Delivery).where(Delivery.event_id == event.id)))
    assert sorted(row.template for row in rows) == ["booking_invite", "sales_alert"]
    from app.alerts.channels import calendar_attachment
    from app.alerts.messages import prospect_confirmation_email

    method, body = calendar_attachment(event.payload)
    assert method == "REQUEST"
    invite = icalendar.Calendar.from_ical(body)
    vevent = next(iter(invite.walk("VEVENT")))
    assert "ada@example.com" in str(vevent["ATTENDEE"]).lower()
    message = prospect_confirmation_email(event.payload, sender="a@b.example",
                                          to="ada@example.com")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert "Confirmed" in parsed["Subject"]


def test_booking_posts_are_rate_limited_with_a_friendly_page(demo, app, client):
    url, page = sql_ending(client)
    app.config["SUBMIT_RATE_LIMIT"] = "2 per minute"
    replies = [client.post(f"{url}/book", data={"start": "nonsense"}) for _ in range(3)]
    assert [reply.status_code for reply in replies] == [409, 409, 429]
