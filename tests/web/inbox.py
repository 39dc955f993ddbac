"""Leads made directly in the database, for inbox tests that need many of a known shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.models import Contact, Form, Lead, User, Workspace, utcnow
from app.profiling.contacts import Provenance, record_properties


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
