"""Fixtures for SLA tests: the demo workspace, and leads made to order with their clocks."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import Contact, Lead, Team, User, Workspace

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday, 09:00 UTC


@dataclass
class World:
    """The demo workspace as the tests use it: a session, the team and people by first name."""

    session: Session
    workspace: Workspace
    team: Team
    people: dict[str, User]

    def refresh(self) -> None:
        """See what other sessions committed: end this session's transaction, reload."""
        self.session.commit()
        self.session.expire_all()


@pytest.fixture
def world(demo: Flask, db_engine: Engine) -> Iterator[World]:
    with Session(db_engine, expire_on_commit=False) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        team = session.scalars(select(Team).where(Team.workspace_id == workspace.id)).one()
        people = {user.email.split("@")[0]: user for user in session.scalars(select(User))}
        yield World(session, workspace, team, people)


@pytest.fixture
def make_lead(world: World) -> Callable[..., Lead]:
    """A lead with a running clock (or as told), committed; `minutes` is its target."""
    count = iter(range(1, 10_000))

    def make(*, stage: str = "sql", owner: str | None = "jordan", started: datetime = T0,
             minutes: int | None = 15, touched: datetime | None = None,
             touched_by: str | None = None, workspace: Workspace | None = None,
             no_team: bool = False, **fields: Any) -> Lead:
        session = world.session
        space = workspace or world.workspace
        contact = Contact(workspace_id=space.id, email=f"prospect{next(count)}@example.com")
        session.add(contact)
        session.flush()
        lead = Lead(
            workspace_id=space.id, contact_id=contact.id, stage=stage, reasons=[],
            destination={},
            team_id=None if no_team or space is not world.workspace else world.team.id,
            owner_id=world.people[owner].id if owner else None,
            created_at=started, stage_changed_at=started,
            sla_stage=stage if minutes else None, sla_started_at=started if minutes else None,
            sla_due_at=started + timedelta(minutes=minutes) if minutes else None,
            first_touch_at=touched,
            first_touch_by_id=world.people[touched_by or owner].id if touched and (
                touched_by or owner) else None,
            **fields)
        session.add(lead)
        session.commit()
        return lead

    return make


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_inbox(demo: Flask) -> Iterator[Inbox]:
    """A real SMTP server on a free port; the app sends email to it."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    demo.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none",
                       SMTP_FROM="Leadform <alerts@demo.example>", ALERTS_FAST_PATH=False,
                       BASE_URL="https://leads.example")
    try:
        yield inbox
    finally:
        controller.stop()
