"""A one-rep team that works around the clock, and completed responses to book for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.booking.calendars import MeetingInput, save_meeting_type, set_hours
from app.booking.service import Context
from app.db import write_session
from app.forms.versions import ensure_workspace, publish, save_draft
from app.leads.teams import add_member
from app.models import (
    Booking,
    MeetingType,
    Response,
    Team,
    User,
    Workspace,
)

ALL_DAY = [["00:00", "24:00"]]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Solo:
    workspace_id: int
    team_id: int
    meeting_id: int
    rep_id: int
    response_ids: tuple[int, ...]


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(days=1, hours=hour, minutes=minute)


@pytest.fixture
def solo(app, portable_definition) -> Solo:
    """Rita, alone in team `solo`, free every hour of every day (UTC); 60 finished responses."""
    with app.app_context(), write_session() as session:
        workspace = ensure_workspace(session, "acme", "Acme")
        rita = User(email="rita@acme.example", name="Rita")
        session.add(rita)
        team = Team(workspace_id=workspace.id, slug="solo", name="Solo", territories=[])
        session.add(team)
        session.flush()
        add_member(session, team, rita, today=datetime.now(UTC).date())
        set_hours(session, workspace.id, rita, timezone="UTC",
                  weekly={day: ALL_DAY for day in DAYS})
        meeting = save_meeting_type(session, team, "call", MeetingInput(
            "Call", duration=30, notice=0, horizon=14, step=15))
        form, _ = save_draft(session, workspace, "book-me", portable_definition)
        version = publish(session, form).version
        responses = [Response(workspace_id=workspace.id, form_id=form.id,
                              version_id=version.id, state="completed", ending="sales",
                              answers={}, hidden={}, meta={}) for _ in range(60)]
        session.add_all(responses)
        session.flush()
        return Solo(workspace.id, team.id, meeting.id, rita.id,
                    tuple(response.id for response in responses))


def context_in(session: Session, solo: Solo, index: int) -> Context:
    return Context(session.get(Workspace, solo.workspace_id),
                   session.get(Response, solo.response_ids[index]),
                   session.get(Team, solo.team_id), session.get(MeetingType, solo.meeting_id),
                   None, None)


def raw_booking(solo: Solo, start: datetime, minutes: int) -> Booking:
    return Booking(workspace_id=solo.workspace_id, meeting_type_id=solo.meeting_id,
                   rep_id=solo.rep_id, start_at=start, end_at=start + timedelta(minutes=minutes),
                   timezone="UTC", status="active", uid=f"{uuid.uuid4().hex}@test")


OVERLAPS = """
SELECT count(*) FROM booking a JOIN booking b
  ON a.rep_id = b.rep_id AND a.id < b.id AND a.status = 'active' AND b.status = 'active'
 AND a.start_at < b.end_at AND b.start_at < a.end_at
"""
