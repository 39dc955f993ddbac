"""A/B tests: a form serving two published versions with a traffic split."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class Experiment(Base):
    """Version A against version B of one form; `split_b` percent of visitors get B.

    A visitor's variant sticks (it is derived from the visitor and the experiment).
    At most one experiment per form runs at a time (a partial unique index).
    """

    __tablename__ = "experiment"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'stopped')", name="status"),
        CheckConstraint("split_b >= 0 AND split_b <= 100", name="split_b"),
        Index("uq_experiment_running_form", "form_id", unique=True,
              sqlite_where=text("status = 'running'"),
              postgresql_where=text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    version_a_id: Mapped[int] = mapped_column(ForeignKey("form_version.id", ondelete="RESTRICT"))
    version_b_id: Mapped[int] = mapped_column(ForeignKey("form_version.id", ondelete="RESTRICT"))
    split_b: Mapped[int] = mapped_column(Integer, default=50)
    status: Mapped[str] = mapped_column(String(20), default="running")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
