"""One visitor's pass through one published version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONDocument, UTCDateTime, utcnow
from app.models.form import FormVersion

RESPONSE_STATES = ("in_progress", "completed", "abandoned")


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("state IN ('in_progress', 'completed', 'abandoned')", name="state"),
        Index("ix_response_form_state", "form_id", "state"),
        Index("ix_response_visitor", "workspace_id", "visitor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"))
    # RESTRICT: a version that responses were made against cannot disappear.
    version_id: Mapped[int] = mapped_column(
        ForeignKey("form_version.id", ondelete="RESTRICT"), index=True
    )
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    # The nonce of the page that started it: a double-clicked first step starts one response.
    start_nonce: Mapped[str | None] = mapped_column(String(32), unique=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default="in_progress")
    current_step: Mapped[str | None] = mapped_column(String(63))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    hidden: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    ending: Mapped[str | None] = mapped_column(String(63))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[FormVersion] = relationship()
