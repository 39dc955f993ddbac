"""Managing where alerts go: webhook and Slack endpoints, their secrets, dead letters.

URLs pass the SSRF guard when saved (and again at every connection, in `net`).
A dead delivery can be replayed: it keeps its event, so the receiver sees the
same `webhook-id` and can deduplicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.alerts.addresses import Network
from app.alerts.net import UnsafeURL, check_url
from app.alerts.outbox import EVENT_KINDS
from app.alerts.signing import new_secret
from app.audit import record
from app.models import AlertEndpoint, Delivery, OutboxEvent, Workspace

SLACK_DEFAULT_EVENTS = ["lead.qualified", "booking.created", "booking.cancelled"]
MAX_ENDPOINTS = 20


class EndpointError(ValueError):
    """A refused endpoint setting; the message is for the person who typed it."""


@dataclass(frozen=True)
class EndpointInput:
    kind: str
    name: str
    url: str
    events: Sequence[str] = ()


def validate(data: EndpointInput, allow: Sequence[Network] = ()) -> dict[str, str]:
    """Errors by field name; empty when the endpoint can be saved."""
    errors: dict[str, str] = {}
    if data.kind not in ("webhook", "slack"):
        errors["kind"] = "Choose a webhook or a Slack incoming webhook."
    name = data.name.strip()
    if not name:
        errors["name"] = "Give the endpoint a name, such as \"CRM sync\"."
    elif len(name) > 100:
        errors["name"] = "Keep the name under 100 characters."
    unknown = [kind for kind in data.events if kind not in EVENT_KINDS]
    if unknown:
        errors["events"] = (f"Unknown event {unknown[0][:40]!r}; choose from "
                            f"{', '.join(EVENT_KINDS)}.")
    try:
        check_url(data.url.strip(), allow)
    except UnsafeURL as error:
        errors["url"] = str(error)
    return errors


def create_endpoint(session: Session, workspace: Workspace, data: EndpointInput,
                    allow: Sequence[Network] = (), now: datetime | None = None
                    ) -> AlertEndpoint:
    errors = validate(data, allow)
    count = session.scalar(select(func.count()).select_from(AlertEndpoint)
                           .where(AlertEndpoint.workspace_id == workspace.id)) or 0
    if count >= MAX_ENDPOINTS:
        errors.setdefault("name", f"A workspace can have at most {MAX_ENDPOINTS} endpoints.")
    if errors:
        raise EndpointError("; ".join(errors.values()))
    events = list(dict.fromkeys(data.events))
    if data.kind == "slack" and not events:
        events = list(SLACK_DEFAULT_EVENTS)
    endpoint = AlertEndpoint(
        workspace_id=workspace.id, kind=data.kind, name=data.name.strip(), url=data.url.strip(),
        events=events, secret=new_secret() if data.kind == "webhook" else None, enabled=True)
    if now is not None:
        endpoint.created_at = now
    session.add(endpoint)
    session.flush()
    record(session, workspace.id, "alert_endpoint.create", target_type="alert_endpoint",
           target_id=endpoint.id, summary=f"Added {endpoint.kind} endpoint {endpoint.name!r}",
           details={"kind": endpoint.kind, "events": events})
    return endpoint


def update_endpoint(session: Session, endpoint: AlertEndpoint, data: EndpointInput,
                    allow: Sequence[Network] = ()) -> AlertEndpoint:
    errors = validate(EndpointInput(endpoint.kind, data.name, data.url, data.events), allow)
    if errors:
        raise EndpointError("; ".join(errors.values()))
    endpoint.name, endpoint.url = data.name.strip(), data.url.strip()
    endpoint.events = list(dict.fromkeys(data.events))
    session.flush()
    record(session, endpoint.workspace_id, "alert_endpoint.change",
           target_type="alert_endpoint", target_id=endpoint.id,
           summary=f"Changed endpoint {endpoint.name!r}", details={"events": endpoint.events})
    return endpoint


def set_enabled(session: Session, endpoint: AlertEndpoint, enabled: bool) -> None:
    endpoint.enabled = enabled
    if enabled:
        endpoint.disabled_reason = None
    session.flush()
    record(session, endpoint.workspace_id, "alert_endpoint.change",
           target_type="alert_endpoint", target_id=endpoint.id,
           summary=f"{'Resumed' if enabled else 'Paused'} endpoint {endpoint.name!r}",
           details={"enabled": enabled})


def rotate_secret(session: Session, endpoint: AlertEndpoint, now: datetime,
                  grace: timedelta = timedelta(hours=24)) -> str:
    """A new secret signs from now on; the old one also signs until the grace period ends."""
    if endpoint.kind != "webhook":
        raise EndpointError("Only webhooks have a signing secret.")
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + grace
    endpoint.secret = new_secret()
    session.flush()
    record(session, endpoint.workspace_id, "alert_endpoint.rotate_secret",
           target_type="alert_endpoint", target_id=endpoint.id,
           summary=f"Rotated the signing secret of {endpoint.name!r}",
           details={"grace_hours": grace.total_seconds() / 3600})
    return endpoint.secret


def find_endpoint(session: Session, workspace_id: int, endpoint_id: int) -> AlertEndpoint | None:
    """Scoped to the workspace: another workspace's id is simply not found (invariant 8)."""
    endpoint = session.get(AlertEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.workspace_id == workspace_id else None


def list_endpoints(session: Session, workspace_id: int) -> list[AlertEndpoint]:
    return list(session.scalars(select(AlertEndpoint)
                                .where(AlertEndpoint.workspace_id == workspace_id)
                                .order_by(AlertEndpoint.id)))


def delivery_counts(session: Session, workspace_id: int) -> dict[tuple[int | None, str], int]:
    """(endpoint id or None for email, status) → number of deliveries."""
    rows = session.execute(
        select(Delivery.endpoint_id, Delivery.status, func.count())
        .where(Delivery.workspace_id == workspace_id)
        .group_by(Delivery.endpoint_id, Delivery.status)
    )
    return {(endpoint_id, status): count for endpoint_id, status, count in rows}


def dead_deliveries(session: Session, workspace_id: int, endpoint_id: int | None = None,
                    *, email: bool = False, limit: int = 200) -> list[tuple[Delivery, OutboxEvent]]:
    """Dead deliveries, newest first, for one endpoint (or the email channel)."""
    query = (select(Delivery, OutboxEvent).join(OutboxEvent, Delivery.event_id == OutboxEvent.id)
             .where(Delivery.workspace_id == workspace_id, Delivery.status == "dead"))
    if email:
        query = query.where(Delivery.channel == "email")
    elif endpoint_id is not None:
        query = query.where(Delivery.endpoint_id == endpoint_id)
    rows = session.execute(query.order_by(Delivery.id.desc()).limit(limit))
    return [(delivery, event) for delivery, event in rows]


def replay(session: Session, workspace_id: int, now: datetime, *,
           delivery_ids: Iterable[int] | None = None, endpoint_id: int | None = None) -> int:
    """Send dead deliveries again from the start of the schedule, same event id."""
    query = update(Delivery).where(Delivery.workspace_id == workspace_id,
                                   Delivery.status == "dead")
    if delivery_ids is not None:
        query = query.where(Delivery.id.in_(list(delivery_ids)))
    if endpoint_id is not None:
        query = query.where(Delivery.endpoint_id == endpoint_id)
    # Erased contacts' emails have no recipient any more: they stay dead.
    query = query.where((Delivery.channel != "email") | Delivery.recipient.is_not(None))
    result = session.execute(query.values(status="pending", attempts=0, next_attempt_at=now,
                                          lease_until=None, claimed_by=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def describe(endpoint: AlertEndpoint) -> dict[str, Any]:
    """For listings: the URL without its path, so a Slack URL (a secret) is not shown."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint.url)
    return {"id": endpoint.id, "kind": endpoint.kind, "name": endpoint.name,
            "host": parts.hostname or "", "events": endpoint.events or ["all events"],
            "enabled": endpoint.enabled, "disabled_reason": endpoint.disabled_reason}
