"""Events written in the same transaction as their cause, for delivery later (invariant 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument, UTCDateTime, utcnow


class OutboxEvent(Base):
    """One event (`lead.qualified`, `response.completed`...) with a stable id receivers
    can deduplicate on. The alerts package fans it out into deliveries."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"),
                                                   index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
