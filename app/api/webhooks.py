"""Webhooks through the API: endpoints (with the SSRF guard of `app.alerts.endpoints`),
deliveries, and replaying dead ones with their original event ids."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.pagination import Page, fetch_page
from app.models import AlertEndpoint, Delivery, OutboxEvent, Workspace


def endpoint_page(session: Session, workspace: Workspace, args: dict[str, Any]
                  ) -> tuple[list[dict[str, Any]], Page]:
    query = select(AlertEndpoint).where(AlertEndpoint.workspace_id == workspace.id)
    page = fetch_page(session, query, AlertEndpoint.id, args, lambda row: row[0].id)
    return [describe_endpoint(row[0]) for row in page.rows], page


def describe_endpoint(endpoint: AlertEndpoint) -> dict[str, Any]:
    return {"id": endpoint.id, "kind": endpoint.kind, "name": endpoint.name,
            "host": urlsplit(endpoint.url).hostname or "", "events": list(endpoint.events or []),
            "enabled": endpoint.enabled, "disabled_reason": endpoint.disabled_reason,
            "created_at": endpoint.created_at}


def delivery_page(session: Session, workspace: Workspace, args: dict[str, Any]
                  ) -> tuple[list[dict[str, Any]], Page]:
    query = (select(Delivery, OutboxEvent).join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
             .where(Delivery.workspace_id == workspace.id))
    if args.get("status"):
        query = query.where(Delivery.status == args["status"])
    if args.get("endpoint_id"):
        query = query.where(Delivery.endpoint_id == args["endpoint_id"])
    if args.get("event"):
        query = query.where(OutboxEvent.kind == args["event"])
    page = fetch_page(session, query, Delivery.id, args, lambda row: row[0].id)
    return [describe_delivery(delivery, event) for delivery, event in page.rows], page


def find_delivery(session: Session, workspace: Workspace, delivery_id: int
                  ) -> tuple[Delivery, OutboxEvent] | None:
    row = session.execute(
        select(Delivery, OutboxEvent).join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .where(Delivery.workspace_id == workspace.id, Delivery.id == delivery_id)).first()
    return (row[0], row[1]) if row else None


def describe_delivery(delivery: Delivery, event: OutboxEvent) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event": {"id": event.event_id, "kind": event.kind, "created_at": event.created_at},
        "endpoint_id": delivery.endpoint_id, "channel": delivery.channel,
        "status": delivery.status, "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at, "last_status": delivery.last_status,
        "last_error": delivery.last_error, "last_attempt_at": delivery.last_attempt_at,
        "delivered_at": delivery.delivered_at, "created_at": delivery.created_at,
    }
