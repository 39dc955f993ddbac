"""Leads made directly in the database, for inbox tests that need many of a known shape."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import Contact, Form, Lead, User, Workspace, utcnow
from app.profiling.contacts import Provenance, record_properties
from tests.web.backoffice import add_user, log_in


def make_lead(app: Flask, email: str, *, workspace: str = "demo", stage: str = "lead",
              fit: float = 0, intent: float = 0, owner: str | None = None,
              form: str | None = "talk-to-sales", source: str | None = None,
              campaign: str | None = None, created_at: datetime | None = None,
              archived: bool = False, properties: dict[str, Any] | None = None,
              sla_due_in: timedelta | None = None, touched: bool = False,
              **columns: Any) -> int:
    """A contact with `properties` and its lead; returns the lead's id."""
    from app.db import write_session

    now = utcnow()
    created = created_at or now
    with app.app_context(), write_session() as session:
        space = session.scalars(select(Workspace).where(Workspace.slug == workspace)).one()
        contact = Contact(workspace_id=space.id, email=email, created_at=created)
        session.add(contact)
        session.flush()
        if properties:
            record_properties(session, contact, properties, Provenance("import"), created)
        owner_id = session.scalar(select(User.id).where(User.email == owner)) if owner else None
        form_id = session.scalar(select(Form.id).where(Form.workspace_id == space.id,
                                                       Form.slug == form)) if form else None
        lead = Lead(workspace_id=space.id, contact_id=contact.id, stage=stage, fit=fit,
                    intent=intent, total=fit + intent, owner_id=owner_id,
                    origin_form_id=form_id, source=source, campaign=campaign,
                    created_at=created, stage_changed_at=created,
                    archived_at=now if archived else None,
                    sla_due_at=now + sla_due_in if sla_due_in is not None else None,
                    sla_stage=stage if sla_due_in is not None else None,
                    first_touch_at=now if touched else None, **columns)
        session.add(lead)
        session.flush()
        return lead.id


INBOX = "/app/demo/leads/"
SAM = "sam@demo.leadform.dev"


def signed_in(app: Flask, email: str, role: str, *, name: str = "") -> FlaskClient:
    """A test client signed in as a new member of the demo workspace with `role`."""
    add_user(app, email, workspace="demo", role=role, name=name)
    client = app.test_client()
    assert log_in(client, email).status_code == 303
    return client


def lead_ids(page: str) -> list[int]:
    """The lead ids of the inbox's result rows, in order."""
    return [int(found) for found in
            re.findall(r'<th scope="row">\s*<a href="/app/demo/leads/(\d+)"', page)]


def listing(client: FlaskClient, query: str = "") -> list[int]:
    reply = client.get(INBOX + query)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:3000]
    return lead_ids(reply.get_data(as_text=True))


def user_id(db_engine: Engine, email: str) -> int:
    with Session(db_engine) as session:
        return session.scalars(select(User.id).where(User.email == email)).one()
