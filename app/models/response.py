"""One visitor's pass through one published version."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
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
        # INCLUDE: the analytics funnel's cohort join reads these from the index alone.
        Index("ix_response_form_started", "form_id", "started_at",
              postgresql_include=["id", "version_id"]),
        CheckConstraint("variant IS NULL OR variant IN ('a', 'b')", name="variant"),
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
    state: Mapped[str] = mapped_column(String(20), default="in_progress", active_history=True)
    current_step: Mapped[str | None] = mapped_column(String(63), active_history=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    hidden: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    ending: Mapped[str | None] = mapped_column(String(63))
    # Where it came from, read once from the UTM values or the referrer, for reporting.
    source: Mapped[str | None] = mapped_column(String(100))
    campaign: Mapped[str | None] = mapped_column(String(200))
    # The A/B test this response was part of, and the variant the visitor was given.
    experiment_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiment.id", ondelete="SET NULL"), index=True)
    variant: Mapped[str | None] = mapped_column(String(1))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                 active_history=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[FormVersion] = relationship()


class ResponseStep(Base):
    """A step a response got past: the funnel counts these per step (one row per step)."""

    __tablename__ = "response_step"
    __table_args__ = (
        UniqueConstraint("response_id", "step_id"),
        Index("ix_response_step_form_at", "form_id", "at",
              postgresql_include=["response_id", "version_id", "step_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(63))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FormView(Base):
    """Views of a published version per UTC day: the top of the funnel, one counter row."""

    __tablename__ = "form_view"
    __table_args__ = (
        UniqueConstraint("version_id", "day"),
        Index("ix_form_view_form_day", "form_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    views: Mapped[int] = mapped_column(Integer, default=0)
