"""Qualification state: the workspace's scoring model versions, leads and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONDocument, UTCDateTime, utcnow


class ScoringModel(Base):
    """One version of a workspace's shared scoring model; the newest is in force."""

    __tablename__ = "scoring_model"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    model: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                 active_history=True)


class Lead(Base):
    """A contact's qualification: score with reasons, stage, destination and owner."""

    __tablename__ = "lead"
    __table_args__ = (
        CheckConstraint(
            "stage IN ('lead', 'mql', 'sql', 'disqualified', 'recycled')", name="stage"
        ),
        CheckConstraint("outcome IS NULL OR outcome IN ('won', 'lost')", name="outcome"),
        Index("ix_lead_workspace_stage", "workspace_id", "stage"),
        Index("ix_lead_workspace_created", "workspace_id", "created_at"),
        Index("ix_lead_workspace_origin_form", "workspace_id", "origin_form_id"),
        Index("ix_lead_sla_due", "sla_due_at"),
        # Speed to lead's percentiles read the touched leads' waits from this index alone.
        Index("ix_lead_workspace_touched", "workspace_id", "created_at",
              postgresql_include=["first_touch_at", "sla_started_at", "origin_form_id"],
              postgresql_where=text("first_touch_at IS NOT NULL"),
              sqlite_where=text("first_touch_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), unique=True
    )
    stage: Mapped[str] = mapped_column(String(20), default="lead")
    fit: Mapped[float] = mapped_column(Float, default=0)
    intent: Mapped[float] = mapped_column(Float, default=0)
    total: Mapped[float] = mapped_column(Float, default=0, active_history=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    scoring_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("scoring_model.id", ondelete="SET NULL")
    )
    last_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL")
    )
    destination: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    assignment_reason: Mapped[str] = mapped_column(String(300), default="")
    nurture_track: Mapped[str | None] = mapped_column(String(63))
    disposition: Mapped[str | None] = mapped_column(String(40))
    disposition_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Recycled leads wait in their nurture track until then; the worker archives them after.
    nurture_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Attribution: the first completed response made this lead (first touch).
    origin_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"))
    origin_form_id: Mapped[int | None] = mapped_column(
        ForeignKey("form.id", ondelete="SET NULL"), active_history=True)
    origin_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_version.id", ondelete="SET NULL"), active_history=True)
    source: Mapped[str | None] = mapped_column(String(100), active_history=True)
    campaign: Mapped[str | None] = mapped_column(String(200), active_history=True)

    # Milestones of the funnel lead -> mql -> sql -> booked -> accepted -> won: when each was
    # first reached. They stay set when the stage moves back, so conversion counts hold.
    mql_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    sql_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    outcome: Mapped[str | None] = mapped_column(String(10), active_history=True)  # won | lost
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Speed to lead: the first touch by sales, and the SLA clock that runs until it.
    first_touch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    first_touch_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    sla_stage: Mapped[str | None] = mapped_column(String(20))
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeadEvent(Base):
    """History: every stage change, score, route and assignment, with its cause and time."""

    __tablename__ = "lead_event"
    __table_args__ = (Index("ix_lead_event_lead", "lead_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"))
    # stage | route | assignment | error | accepted | disposition | reassigned | contacted
    # | outcome | sla | archived
    kind: Mapped[str] = mapped_column(String(20))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str | None] = mapped_column(String(20))
    cause: Mapped[str] = mapped_column(String(20))  # response | signal | disposition | ...
    cause_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # Who did it, for actions taken in the inbox or through the API (None: the system).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Lets history be written for a lead that is not flushed yet (one INSERT per lead).
    lead: Mapped[Lead] = relationship()
