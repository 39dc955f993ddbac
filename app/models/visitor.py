"""Browsers we recognise by their signed cookie, and whom they are proven to be."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow

PROOFS = ("self", "link")


class Visitor(Base):
    """One browser in one workspace.

    `proof` says how the link to a contact was established: `link` (a signed
    personal link: the whole profile may be used) or `self` (this browser
    created the contact: only what it told us may be used).
    """

    __tablename__ = "visitor"
    __table_args__ = (
        UniqueConstraint("workspace_id", "token"),
        CheckConstraint("proof IS NULL OR proof IN ('self', 'link')", name="proof"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), index=True
    )
    proof: Mapped[str | None] = mapped_column(String(10))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
