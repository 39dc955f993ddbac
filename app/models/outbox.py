"""Events written in the same transaction as their cause, for delivery later (invariant 3).

An `OutboxEvent` is what happened; a `Delivery` is one destination's copy of it
(a webhook endpoint, a Slack channel, an email recipient), with its own status,
attempts and schedule. Both are written in the transaction of the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONDocument, UTCDateTime, utcnow

ENDPOINT_KINDS = ("webhook", "slack")
CHANNELS = ("webhook", "slack", "email")
DELIVERY_STATUSES = ("pending", "delivered", "dead")


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


class AlertEndpoint(Base):
    """A workspace's webhook or Slack incoming-webhook URL and the events it wants.

    `events` empty means every event. A webhook signs with `secret`; during a
    rotation the previous secret also signs until `previous_secret_until`.
    """

    __tablename__ = "alert_endpoint"
    __table_args__ = (CheckConstraint("kind IN ('webhook', 'slack')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """One destination's copy of an event: attempts, schedule, lease and outcome.

    A worker claims a due row by setting `lease_until`; if it dies, the lease
    runs out and another worker takes the row again (at least once delivery).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        CheckConstraint("channel IN ('webhook', 'slack', 'email')", name="channel"),
        CheckConstraint("status IN ('pending', 'delivered', 'dead')", name="status"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_endpoint_status", "endpoint_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"),
                                              index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id", ondelete="CASCADE"),
                                          index=True)
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_endpoint.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    # Email only: who gets it and which message (`sales_alert`, `prospect_confirmation`).
    recipient: Mapped[str | None] = mapped_column(String(320))
    template: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[OutboxEvent] = relationship()
    endpoint: Mapped[AlertEndpoint | None] = relationship()
