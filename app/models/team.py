"""Sales teams, their reps' round-robin counters, and account ownership."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument, UTCDateTime, utcnow


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    # Ordered territory rules: [{"name", "if": JsonLogic, "reps": [user ids]}].
    territories: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    fallback_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Who hears about leads whose first-touch SLA ran out (escalation).
    lead_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMember(Base):
    """A rep in a team, with the counters that keep round robin fair across restarts."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    calibration: Mapped[float] = mapped_column(Float, default=0.0)
    meetings_assigned: Mapped[int] = mapped_column(Integer, default=0)
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    cancellations: Mapped[int] = mapped_column(Integer, default=0)
    max_per_day: Mapped[int | None] = mapped_column(Integer)
    load_day: Mapped[date | None] = mapped_column(Date)
    assigned_on_load_day: Mapped[int] = mapped_column(Integer, default=0)


class AccountOwner(Base):
    """Which rep owns an account, by company domain: their leads go to them first."""

    __tablename__ = "account_owner"
    __table_args__ = (UniqueConstraint("workspace_id", "company_domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    company_domain: Mapped[str] = mapped_column(String(253))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
