"""Responses as the API shows them, filtered and scoped to the caller's workspace."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.forms import filter_form_id
from app.api.pagination import Page, fetch_page
from app.models import Form, FormVersion, Response, Workspace


def _query(workspace: Workspace) -> Any:
    return (select(Response, Form.slug, FormVersion.number)
            .join(Form, Form.id == Response.form_id)
            .join(FormVersion, FormVersion.id == Response.version_id)
            .where(Response.workspace_id == workspace.id))


def response_page(session: Session, workspace: Workspace, args: dict[str, Any]
                  ) -> tuple[list[dict[str, Any]], Page]:
    query = _query(workspace)
    if args.get("form"):
        query = query.where(Response.form_id == filter_form_id(session, workspace, args["form"]))
    if args.get("state"):
        query = query.where(Response.state == args["state"])
    if args.get("contact_id"):
        query = query.where(Response.contact_id == args["contact_id"])
    if args.get("since"):
        query = query.where(Response.updated_at >= args["since"])
    if args.get("until"):
        query = query.where(Response.updated_at < args["until"])
    page = fetch_page(session, query, Response.id, args, lambda row: row[0].id)
    return [describe(response, slug, number) for response, slug, number in page.rows], page


def find_response(session: Session, workspace: Workspace, response_id: int
                  ) -> dict[str, Any] | None:
    row = session.execute(_query(workspace).where(Response.id == response_id)).first()
    return describe(*row) if row else None


def describe(response: Response, form_slug: str, version: int) -> dict[str, Any]:
    hidden = dict(response.hidden or {})
    meta = response.meta or {}
    return {
        "id": response.id, "form": form_slug, "version": version, "state": response.state,
        "current_step": response.current_step, "ending": response.ending,
        "contact_id": response.contact_id, "answers": dict(response.answers or {}),
        "hidden": hidden,
        "utm": {name: value for name, value in hidden.items() if name.startswith("utm_")},
        "landing_page": meta.get("landing_page") or None,
        "referrer": meta.get("referrer") or None,
        "source": response.source, "campaign": response.campaign, "variant": response.variant,
        "erased": bool(meta.get("erased")),
        "started_at": response.started_at, "updated_at": response.updated_at,
        "completed_at": response.completed_at,
    }
