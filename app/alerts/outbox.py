"""Writing events to the outbox, inside the transaction of the change that caused them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models import OutboxEvent

EVENT_KINDS = (
    "response.completed",
    "lead.qualified",
    "lead.stage_changed",
    "route.fallback_hit",
    "booking.created",
    "booking.cancelled",
)


def emit(session: Session, workspace_id: int, kind: str, payload: dict[str, Any],
         now: datetime, contact_id: int | None = None) -> str:
    """Queue an event; its id is stable, so receivers can deduplicate retries on it."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event_id = f"evt_{uuid.uuid4().hex}"
    session.add(OutboxEvent(workspace_id=workspace_id, event_id=event_id, kind=kind,
                            payload={"id": event_id, "type": kind,
                                     "created_at": now.isoformat(), "data": payload},
                            contact_id=contact_id, created_at=now))
    return event_id
