"""Writing and reading the audit log.

`record` is called by the services that own back office changes, inside their
transaction, so an action and its entry commit together. The actor, the request
id and the client address come from the request when there is one (a CLI run has
none: its actor is given or empty). Details name things by id: a key that looks
like a secret is refused, so a token or password never reaches the log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, utcnow

ACTIONS = (
    "auth.sign_in", "auth.sign_out", "auth.sign_in_failed",
    "member.invite", "member.role_change", "member.remove",
    # A form is never deleted; archiving it takes it off line (restoring puts it back).
    "form.publish", "form.archive", "form.restore",
    "scoring.change", "routing.change",
    "lead.stage", "lead.disposition", "lead.reassign", "lead.outcome",
    "alert_endpoint.create", "alert_endpoint.change", "alert_endpoint.rotate_secret",
    "api_token.create", "api_token.revoke",
    "contact.erase", "export.download", "retention.change",
)
SECRET_WORDS = ("secret", "token", "password", "hash")
PAGE_SIZE = 50


class UnknownAction(ValueError):
    pass


def record(session: Session, workspace_id: int | None, action: str, *,
           target_type: str | None = None, target_id: int | str | None = None,
           summary: str = "", details: dict[str, Any] | None = None,
           actor_id: int | None = None, now: datetime | None = None) -> AuditEntry:
    """Add one entry to the session (the caller's transaction commits it)."""
    if action not in ACTIONS:
        raise UnknownAction(f"unknown audit action {action!r}")
    details = dict(details or {})
    secret_keys = [key for key in details if any(word in key.lower() for word in SECRET_WORDS)]
    if secret_keys:
        raise ValueError(f"audit details must not hold secrets: {secret_keys}")
    context = _request_context()
    if context["api_client"] is not None:
        details.setdefault("api_client", context["api_client"])  # the API token's id
    entry = AuditEntry(
        workspace_id=workspace_id, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), summary=summary[:300],
        details=details, actor_id=actor_id if actor_id is not None else context["actor_id"],
        request_id=context["request_id"], ip=context["ip"], created_at=now or utcnow())
    session.add(entry)
    return entry


def _request_context() -> dict[str, Any]:
    """Who and where, when inside a Flask request (imported lazily: services run without one)."""
    from flask import g, has_request_context, request

    if not has_request_context():
        return {"actor_id": None, "request_id": None, "ip": None, "api_client": None}
    from flask_login import current_user

    if "audit_request_id" not in g:
        given = request.headers.get("X-Request-Id", "")[:64]
        g.audit_request_id = given or uuid.uuid4().hex
    actor = int(current_user.id) if current_user and current_user.is_authenticated else None
    api_token = g.get("api_token")
    return {"actor_id": actor, "request_id": g.audit_request_id,
            "ip": (request.remote_addr or "")[:45] or None,
            "api_client": getattr(api_token, "id", None)}


@dataclass(frozen=True)
class AuditQuery:
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int


def _filtered(workspace_id: int, query: AuditQuery) -> Select[Any]:
    statement = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if query.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == query.actor_id)
    if query.action:
        statement = statement.where(AuditEntry.action == query.action)
    if query.since is not None:
        statement = statement.where(AuditEntry.created_at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEntry.created_at < query.until)
    return statement


def search_entries(session: Session, workspace_id: int, query: AuditQuery,
                   page_size: int = PAGE_SIZE) -> AuditPage:
    """One page of a workspace's entries, newest first."""
    statement = _filtered(workspace_id, query)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(query.page, 1), pages)
    entries = list(session.scalars(
        statement.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(page_size).offset((page - 1) * page_size)))
    return AuditPage(entries, total, page, pages)
