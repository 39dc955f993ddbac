"""Behavioural signals (page views) for a visitor and, once known, its contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class Signal(Base):
    __tablename__ = "signal"
    __table_args__ = (
        Index("ix_signal_visitor", "workspace_id", "visitor_token", "occurred_at"),
        Index("ix_signal_contact", "workspace_id", "contact_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    visitor_token: Mapped[str | None] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="page_view")
    path: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(300), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
