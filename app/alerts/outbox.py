"""Writing events to the outbox, inside the transaction of the change that caused them.

`emit` stores the event once and one `Delivery` row per destination that wants
it: every enabled webhook or Slack endpoint subscribed to the kind, the sales
alert email to the lead's rep (or team), the escalation email to the team lead when
a first-touch SLA runs out, and the prospect's confirmation when the route asked for
one. Nothing leaves the process here; the dispatcher and the worker deliver after
commit (invariant 3).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    AlertEndpoint,
    Delivery,
    Lead,
    Membership,
    OutboxEvent,
    Team,
    TeamMember,
    User,
    Workspace,
)

EVENT_KINDS = (
    "response.completed",
    "lead.qualified",
    "lead.stage_changed",
    "route.fallback_hit",
    "booking.created",
    "booking.cancelled",
    "lead.accepted",
    "lead.disposition",
    "lead.reassigned",
    "lead.outcome",
    "lead.sla_overdue",
)
SALES_ALERT_KINDS = frozenset({"lead.qualified", "booking.created", "booking.cancelled"})
BOOKING_KINDS = frozenset({"booking.created", "booking.cancelled"})
DEFAULT_MAX_PAYLOAD_BYTES = 64_000


def emit(session: Session, workspace_id: int, kind: str, payload: dict[str, Any],
         now: datetime, contact_id: int | None = None) -> str:
    """Queue an event and its deliveries; its id is stable, so receivers can deduplicate."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event_id = f"evt_{uuid.uuid4().hex}"
    envelope = {"id": event_id, "type": kind, "created_at": now.isoformat(),
                "data": fit_payload(payload, _max_payload_bytes())}
    event = OutboxEvent(workspace_id=workspace_id, event_id=event_id, kind=kind,
                        payload=envelope, contact_id=contact_id, created_at=now)
    session.add(event)
    for delivery in plan_deliveries(session, workspace_id, kind, envelope["data"], now):
        delivery.event = event
        session.add(delivery)
    return event_id


def plan_deliveries(session: Session, workspace_id: int, kind: str, data: dict[str, Any],
                    now: datetime) -> list[Delivery]:
    """One pending row per destination subscribed to this kind of event."""
    rows = [
        Delivery(workspace_id=workspace_id, endpoint=endpoint, channel=endpoint.kind,
                 next_attempt_at=now, created_at=now)
        for endpoint in subscribed_endpoints(session, workspace_id, kind)
    ]
    if email_enabled(session, workspace_id):
        rows += [
            Delivery(workspace_id=workspace_id, channel="email", recipient=recipient,
                     template=template, next_attempt_at=now, created_at=now)
            for template, recipient in _emails(session, workspace_id, kind, data)
        ]
    return rows


ENDPOINTS_CACHE = "leadform.enabled_endpoints"


def subscribed_endpoints(session: Session, workspace_id: int, kind: str) -> list[AlertEndpoint]:
    """Enabled endpoints wanting `kind`; read once per transaction (a submit emits 3 events)."""
    cache = session.info.setdefault(ENDPOINTS_CACHE, {})
    if workspace_id not in cache:
        cache[workspace_id] = list(session.scalars(
            select(AlertEndpoint).where(AlertEndpoint.workspace_id == workspace_id,
                                        AlertEndpoint.enabled.is_(True))
            .order_by(AlertEndpoint.id)
        ))
    return [endpoint for endpoint in cache[workspace_id]
            if not endpoint.events or kind in endpoint.events]


def email_enabled(session: Session, workspace_id: int) -> bool:
    """Email needs an SMTP server (app setting) and is on unless the workspace turns it off."""
    if not (has_app_context() and current_app.config.get("SMTP_HOST")):
        return False
    workspace = session.get(Workspace, workspace_id)
    settings = (workspace.settings or {}).get("alerts") if workspace else None
    return not (isinstance(settings, dict) and settings.get("email") is False)


def _emails(session: Session, workspace_id: int, kind: str,
            data: dict[str, Any]) -> Iterable[tuple[str, str]]:
    booking = data.get("booking") if kind in BOOKING_KINDS else None
    if isinstance(booking, dict):
        # Both sides of a meeting get the invitation (or its cancellation).
        rep_email = (booking.get("rep") or {}).get("email")
        attendee = (booking.get("attendee") or {}).get("email")
        if rep_email:
            yield "sales_alert", rep_email
        if attendee:
            yield "booking_invite", attendee
        return
    if kind in SALES_ALERT_KINDS:
        for recipient in sales_recipients(session, workspace_id, data):
            yield "sales_alert", recipient
    if kind == "lead.sla_overdue":
        for recipient in escalation_recipients(session, workspace_id, data):
            yield "sla_escalation", recipient
    destination = data.get("destination") or {}
    email = (data.get("contact") or {}).get("email")
    if kind == "response.completed" and destination.get("confirm") and email:
        yield "prospect_confirmation", email


def sales_recipients(session: Session, workspace_id: int, data: dict[str, Any]) -> list[str]:
    """The lead's rep; else the active reps of its team; else the workspace's sales inbox."""
    lead_id = (data.get("lead") or {}).get("id")
    lead = session.get(Lead, lead_id) if isinstance(lead_id, int) else None
    if lead is not None and lead.workspace_id == workspace_id:
        if lead.owner_id is not None:
            owner = session.get(User, lead.owner_id)
            if owner is not None:
                return [owner.email]
        if lead.team_id is not None:
            team_emails = session.scalars(
                select(User.email).join(TeamMember, TeamMember.user_id == User.id)
                .where(TeamMember.team_id == lead.team_id, TeamMember.active.is_(True))
                .order_by(User.email)
            ).all()
            if team_emails:
                return list(team_emails)
    workspace = session.get(Workspace, workspace_id)
    settings = (workspace.settings or {}).get("alerts") if workspace else None
    fallback = settings.get("sales_emails") if isinstance(settings, dict) else None
    return [email for email in fallback or [] if isinstance(email, str) and "@" in email]


def escalation_recipients(session: Session, workspace_id: int, data: dict[str, Any]
                          ) -> list[str]:
    """An overdue lead: its team's lead, else the workspace's admins; plus the rep who got it.

    Only people still in the workspace are written to.
    """
    lead_id = (data.get("lead") or {}).get("id")
    lead = session.get(Lead, lead_id) if isinstance(lead_id, int) else None
    if lead is None or lead.workspace_id != workspace_id:
        return []
    members = (select(User.email).join(Membership, Membership.user_id == User.id)
               .where(Membership.workspace_id == workspace_id))
    team_lead = session.scalar(select(Team.lead_user_id).where(Team.id == lead.team_id)
                               ) if lead.team_id is not None else None
    emails = list(session.scalars(members.where(User.id == team_lead))) if team_lead else []
    if not emails:
        emails = list(session.scalars(members.where(Membership.role == "admin")
                                      .order_by(User.email)))
    sla = data.get("sla") or {}
    if sla.get("reassigned") and lead.owner_id is not None:
        emails += session.scalars(members.where(User.id == lead.owner_id))
    return list(dict.fromkeys(emails))


def _max_payload_bytes() -> int:
    if has_app_context():
        return int(current_app.config.get("ALERTS_MAX_PAYLOAD_BYTES",
                                          DEFAULT_MAX_PAYLOAD_BYTES))
    return DEFAULT_MAX_PAYLOAD_BYTES


def fit_payload(data: dict[str, Any], limit: int) -> dict[str, Any]:
    """Keep an event under `limit` bytes of JSON without ever dropping the event.

    Long strings are cut first, then the bulky optional parts (answers, pages),
    and as a last resort only the ids and the kind of outcome remain.
    """
    if _size(data) <= limit:
        return data
    trimmed = _truncate_strings(data, 500)
    if _size(trimmed) <= limit:
        return {**trimmed, "truncated": True}
    for bulky in ("pages_viewed", "response"):
        if bulky in trimmed:
            trimmed = {key: value for key, value in trimmed.items() if key != bulky}
            if _size(trimmed) <= limit:
                return {**trimmed, "truncated": True}
    minimal: dict[str, Any] = {"truncated": True}
    for part in ("lead", "contact", "destination", "booking"):
        value = data.get(part)
        if isinstance(value, dict):
            minimal[part] = {key: value[key] for key in ("id", "stage", "kind", "target")
                             if key in value}
    return minimal


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str).encode())


def _truncate_strings(value: Any, length: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= length else value[: length - 1] + "…"
    if isinstance(value, dict):
        return {key: _truncate_strings(item, length) for key, item in value.items()}
    if isinstance(value, list):
        return [_truncate_strings(item, length) for item in value[:100]]
    return value
