"""Calendars and meetings: reps' availability, meeting types, bookings (invariant 4).

On PostgreSQL an exclusion constraint (btree_gist) forbids two active bookings
of one rep whose times overlap. SQLite has no such constraint, so each booking
also claims the 5-minute cells it covers (`booking_claim`, unique per rep and
cell) inside a `BEGIN IMMEDIATE` transaction: the same guarantee.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONDocument, UTCDateTime, utcnow

CLAIM_MINUTES = 5  # the SQLite claim grid; meeting times and steps are multiples of it


class RepCalendar(Base):
    """A rep's working hours in their own timezone, date overrides, and a busy feed."""

    __tablename__ = "rep_calendar"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # {"0": [["09:00", "12:00"], ["13:00", "17:00"]], ...}: 0 = Monday.
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # {"2026-12-24": [], "2026-12-27": [["10:00", "14:00"]]}: replaces that day's hours.
    overrides: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # The secret iCal address of the rep's own calendar: its events are busy times.
    feed_url: Mapped[str | None] = mapped_column(String(2000))
    feed_etag: Mapped[str | None] = mapped_column(String(200))
    feed_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feed_error: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BusyTime(Base):
    """A busy interval from a rep's calendar feed (replaced at every fetch)."""

    __tablename__ = "busy_time"
    __table_args__ = (Index("ix_busy_time_user_start", "user_id", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)


class MeetingType(Base):
    """What a team offers: `intro-30` is 30 minutes, with buffers, notice and a horizon."""

    __tablename__ = "meeting_type"
    __table_args__ = (UniqueConstraint("team_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=240)
    horizon_days: Mapped[int] = mapped_column(Integer, default=14)
    slot_step_minutes: Mapped[int] = mapped_column(Integer, default=30)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class Booking(Base):
    """A meeting on a rep's calendar. Never two active ones of a rep at once."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
        CheckConstraint("end_at > start_at", name="positive_length"),
        Index("ix_booking_rep_start", "rep_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    meeting_type_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_type.id", ondelete="CASCADE"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  # the prospect's
    status: Mapped[str] = mapped_column(String(20), default="active")
    uid: Mapped[str] = mapped_column(String(100), unique=True)  # the invitation's iCal UID
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    attendee_email: Mapped[str | None] = mapped_column(String(320))
    attendee_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    meeting_type: Mapped[MeetingType] = relationship()


class BookingClaim(Base):
    """SQLite's double-booking guard: one row per rep per 5-minute cell of an active booking."""

    __tablename__ = "booking_claim"
    __table_args__ = (UniqueConstraint("rep_id", "cell_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"),
                                            index=True)
    rep_id: Mapped[int] = mapped_column(Integer)
    cell_start: Mapped[datetime] = mapped_column(UTCDateTime)
