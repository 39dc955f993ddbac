"""Erasure leaves nothing: a person's values are planted everywhere the app can put them,
the person is erased (CLI or API), and every text and JSON column of every table in
`Base.metadata` is scanned for them, case-folded (a new table is covered by itself)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, String, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from app.db import write_session
from app.forms.versions import get_workspace
from app.models import (
    AuditEntry,
    Base,
    Booking,
    Contact,
    Delivery,
    Lead,
    MeetingType,
    OutboxEvent,
    Response,
    Signal,
    TeamMember,
    utcnow,
)
from tests.web.backoffice import log_in
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, token_of

EMAIL = "Zq.Erase-Me@Example.com"
NAME = "Quixotlwena"
COMPANY = "Zzyzx Quillworks"
NOTES = "Ask about the Xylophagous plan"
PHONE = "+1 555 0199 8877"
DISTINCTIVE = (EMAIL, NAME, COMPANY, "Xylophagous", "555 0199 8877")


def text_columns() -> list[tuple[str, Any]]:
    """(table.column, column) for every string, text and JSON column of every table."""
    return [(f"{table.name}.{column.name}", column)
            for table in Base.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, String | Text | JSON)
            or isinstance(getattr(column.type, "impl", None), JSON)]


def leftovers(session: Session) -> list[str]:
    """Where any distinctive value still is (case-folded, inside JSON too)."""
    found = []
    for name, column in text_columns():
        as_text = func.lower(cast(column, Text))
        hits = session.scalar(select(func.count()).select_from(column.table).where(
            or_(*[as_text.contains(value.lower(), autoescape=True)
                  for value in DISTINCTIVE])))
        if hits:
            found.append(f"{name} ({hits})")
    return found


def plant_everywhere(api_app, api) -> dict[str, int]:
    """The person in every table that can hold them; returns the ids the test needs."""
    added = api.post("/api/v1/webhooks/endpoints", json={
        "name": "CRM", "url": "http://127.0.0.1:9/hook", "events": []})
    assert added.status_code == 201, added.get_json()
    person = api_app.test_client()
    person.post("/t/demo", data=f'{{"p": "/pricing", "t": "Welcome back {NAME}"}}',
                content_type="text/plain")
    page = person.get(f"{DEMO_URL}?utm_source=newsletter&utm_campaign={NAME}-list"
                      f"&utm_content={EMAIL}")
    first = {**STEP_ANSWERS["you"], "first_name": NAME, "email": EMAIL}
    reply = person.post(DEMO_URL, data={"_lf_token": token_of(page.get_data(as_text=True)),
                                        **first})
    assert reply.status_code == 303
    fill_demo(person, "company", "needs", "details",
              changes={"company": {"company": COMPANY}, "details": {"notes": NOTES}})
    person.post("/t/demo", data='{"p": "/docs", "t": "Docs"}', content_type="text/plain")
    assert api.put("/api/v1/contacts", json={"email": EMAIL, "properties": {
        "phone": PHONE}}).status_code == 200
    with api_app.app_context(), write_session() as session:
        lead_id = session.scalar(select(Lead.id))
        contact_id = session.scalar(select(Contact.id))
    reply = api.post(f"/api/v1/leads/{lead_id}/disposition",
                     json={"code": "not_now", "note": f"{NAME} wants a call in spring"})
    assert reply.status_code == 200, reply.get_json()
    with api_app.app_context(), write_session() as session:
        meeting = session.scalars(select(MeetingType)).first()
        rep_id = session.scalar(select(TeamMember.user_id)
                                .where(TeamMember.team_id == meeting.team_id))
        start = utcnow().replace(microsecond=0) + timedelta(days=3)
        session.add(Booking(
            workspace_id=meeting.workspace_id, meeting_type_id=meeting.id, rep_id=rep_id,
            lead_id=lead_id, contact_id=contact_id, start_at=start,
            end_at=start + timedelta(minutes=30), status="cancelled", uid="erase-scan@test",
            attendee_email=EMAIL.lower(), attendee_name=f"{NAME} Zzyzx",
            cancel_reason=f"{NAME} is travelling"))
        event = session.scalars(select(OutboxEvent)
                                .where(OutboxEvent.contact_id == contact_id)).first()
        session.add(Delivery(workspace_id=meeting.workspace_id, event_id=event.id,
                             channel="email", recipient=EMAIL, template="prospect_confirmation",
                             status="dead", last_error=f"550 <{EMAIL.lower()}>: no such user"))
    admin = api_app.test_client()
    assert log_in(admin, "admin@demo.example", "leadform-demo").status_code == 303
    exported = admin.get(f"/app/demo/leads/export.csv?q={NAME}")
    assert exported.status_code == 200
    return {"contact_id": contact_id, "lead_id": lead_id}


def erase_by_cli(api_app, _api) -> None:
    result = api_app.test_cli_runner().invoke(
        args=["contacts", "erase", EMAIL.upper(), "--workspace", "demo"])
    assert result.exit_code == 0, result.output


def erase_by_api(_api_app, api) -> None:
    reply = api.post("/api/v1/contacts/erase", json={"email": EMAIL.upper()})
    assert reply.status_code == 200, reply.get_json()


@pytest.mark.parametrize("erase", [erase_by_cli, erase_by_api], ids=["cli", "api"])
def test_erasure_leaves_none_of_the_persons_values_in_any_table(api_app, api, db_engine,
                                                               erase):
    ids = plant_everywhere(api_app, api)
    with Session(db_engine) as session:
        planted = leftovers(session)
    # The plant reached the tables the scan is about (else the scan proves nothing).
    for table in ("contact.", "contact_property.", "response.answers", "response.hidden",
                  "response.campaign", "signal.title", "booking.attendee_email",
                  "outbox_event.payload", "delivery.recipient", "delivery.last_error",
                  "lead.disposition_note", "lead_event.details"):
        assert any(hit.startswith(table) for hit in planted), (table, planted)

    erase(api_app, api)

    with Session(db_engine) as session:
        assert leftovers(session) == []
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
        assert session.scalar(select(func.count()).select_from(Signal)) == 0
        responses = session.scalars(select(Response)).all()
        booking = session.scalars(select(Booking)).one()
        erased = session.scalars(select(AuditEntry)
                                 .where(AuditEntry.action == "contact.erase")).one()
    assert [response.state for response in responses] == ["completed"]
    assert responses[0].source == "newsletter"  # the marketer's label, kept for attribution
    assert booking.status == "cancelled" and booking.attendee_email is None
    assert erased.target_type == "contact" and erased.target_id == str(ids["contact_id"])
    # Through the API, the token that asked is named by id; from the CLI, nobody is.
    assert ("api_client" in erased.details) is (erase is erase_by_api)


def test_an_erased_workspace_still_counts_its_completed_response(api_app, api, db_engine):
    plant_everywhere(api_app, api)
    erase_by_api(api_app, api)

    with api_app.app_context(), write_session() as session:
        workspace = get_workspace(session, "demo")
        completed = session.scalar(select(func.count()).select_from(Response).where(
            Response.workspace_id == workspace.id, Response.state == "completed"))
    assert completed == 1
