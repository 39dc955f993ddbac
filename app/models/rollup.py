"""Daily rollups of the analytics: counts per UTC day, kept in step with the raw rows.

The analytics pages read these instead of a year of responses and leads. Each row is
a counter that the writes add to or take from in their own transaction
(app/analytics/rollups.py); `flask analytics rebuild` recounts them from the raw rows.
Keys never hold NULL (a unique key would not match it on conflict): a response's
missing screen is '', a lead's missing form or version is 0, its missing source or
campaign ''. Leads never have '' as source or campaign (capture stores None instead).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

WAIT_COLUMNS = ("wait_lt5m", "wait_5to15m", "wait_15to60m", "wait_1to4h", "wait_4to24h",
                "wait_gt1d", "wait_untouched")


class ResponseDay(Base):
    """Responses per form, version, UTC day they started, state and screen they are on."""

    __tablename__ = "analytics_response_day"
    __table_args__ = (Index("ix_analytics_response_day_workspace", "workspace_id", "day"),)

    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("form_version.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    screen: Mapped[str] = mapped_column(String(63), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    responses: Mapped[int] = mapped_column(Integer, default=0)


class StepDay(Base):
    """Responses that got past each step, per form, version and UTC day they started."""

    __tablename__ = "analytics_step_day"

    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("form_version.id", ondelete="CASCADE"), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    passed: Mapped[int] = mapped_column(Integer, default=0)


class LeadDay(Base):
    """Leads per UTC day created, origin form and version, and one attribution dimension.

    Each lead is counted twice: once under `dimension` 'source' (its source as `value`)
    and once under 'campaign'; conversion by form or version sums the 'source' rows.
    """

    __tablename__ = "analytics_lead_day"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    form_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leads: Mapped[int] = mapped_column(Integer, default=0)
    mql: Mapped[int] = mapped_column(Integer, default=0)
    sql: Mapped[int] = mapped_column(Integer, default=0)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    won: Mapped[int] = mapped_column(Integer, default=0)


class LeadScoreDay(Base):
    """Leads per UTC day created, origin form and whole score: calibration and speed to lead.

    The wait columns count the leads handed to sales by their wait for a first touch
    (the buckets of app/analytics/speed.py); the median and 90th percentile are read from
    the leads themselves, since a count per bucket cannot give them exactly.
    """

    __tablename__ = "analytics_lead_score_day"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    form_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    leads: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    won: Mapped[int] = mapped_column(Integer, default=0)
    wait_lt5m: Mapped[int] = mapped_column(Integer, default=0)
    wait_5to15m: Mapped[int] = mapped_column(Integer, default=0)
    wait_15to60m: Mapped[int] = mapped_column(Integer, default=0)
    wait_1to4h: Mapped[int] = mapped_column(Integer, default=0)
    wait_4to24h: Mapped[int] = mapped_column(Integer, default=0)
    wait_gt1d: Mapped[int] = mapped_column(Integer, default=0)
    wait_untouched: Mapped[int] = mapped_column(Integer, default=0)
