"""What a lead alert says: who, how good, why, what they answered, where they came from.

Built once per qualification from data already in the transaction, and
shared by every event it emits, so a rep reads the whole story in one message
and a webhook receiver needs no second call.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Contact, FormVersion, Lead, Response, Signal, Team, User, Workspace

MAX_PAGES = 5
NAME_PROPERTIES = ("first_name", "last_name")
TITLE_PROPERTIES = ("job_title", "job_level")


def lead_alert_data(session: Session, workspace: Workspace, contact: Contact, lead: Lead,
                    *, known: dict[str, Any], destination: dict[str, Any] | None,
                    top_reasons: list[dict[str, Any]], stage: str,
                    response: Response | None) -> dict[str, Any]:
    """The `data` of lead events; `known` is the contact's fresh properties."""
    return {
        "workspace": {"slug": workspace.slug, "name": workspace.name},
        "lead": {
            "id": lead.id, "stage": stage, "fit": lead.fit, "intent": lead.intent,
            "total": lead.total, "top_reasons": top_reasons,
            "owner": _person(session.get(User, lead.owner_id) if lead.owner_id else None),
            "team": _team(session.get(Team, lead.team_id) if lead.team_id else None),
            "assignment_reason": lead.assignment_reason,
            "url": lead_url(workspace.slug, lead.id),
        },
        "contact": _contact(contact, known),
        "destination": destination,
        "response": _response(session, response) if response is not None else None,
        "pages_viewed": pages_viewed(session, workspace.id, contact.id,
                                     response.visitor_id if response else None),
    }


def lead_url(workspace_slug: str, lead_id: int) -> str | None:
    """Absolute link to the lead in the back office, when the public base URL is known."""
    base = current_app.config.get("BASE_URL") if has_app_context() else None
    if not base:
        return None
    return f"{str(base).rstrip('/')}/app/{workspace_slug}/leads/{lead_id}"


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name or user.email, "email": user.email}


def _team(team: Team | None) -> dict[str, Any] | None:
    return {"slug": team.slug, "name": team.name} if team is not None else None


def _contact(contact: Contact, known: dict[str, Any]) -> dict[str, Any]:
    name = " ".join(str(known[key]) for key in NAME_PROPERTIES if known.get(key))
    title = next((str(known[key]) for key in TITLE_PROPERTIES if known.get(key)), None)
    return {"id": contact.id, "email": contact.email, "name": name or None,
            "company": known.get("company"), "job_title": title}


def _response(session: Session, response: Response) -> dict[str, Any]:
    version = session.get(FormVersion, response.version_id)
    definition = version.definition if version else {}
    return {
        "id": response.id,
        "form": {"slug": version.form.slug if version else None,
                 "title": definition.get("title"),
                 "version": version.number if version else None},
        "answers": labelled_answers(definition, response.answers),
        "hidden": dict(response.hidden or {}),
        "referrer": (response.meta or {}).get("referrer"),
        "landing_page": (response.meta or {}).get("landing_page"),
    }


def labelled_answers(definition: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Answers in form order, each with its question and the option labels shown."""
    result = []
    for step in definition.get("steps", []):
        for spec in step.get("fields", []):
            if spec.get("id") not in answers or spec.get("type") == "hidden":
                continue
            labels = {option.get("value"): option.get("label") or option.get("value")
                      for option in spec.get("options") or [] if isinstance(option, dict)}
            value = answers[spec["id"]]
            shown = ([labels.get(item, item) for item in value] if isinstance(value, list)
                     else labels.get(value, value) if labels else value)
            result.append({"field": spec["id"], "label": spec.get("label", spec["id"]),
                           "value": shown})
    return result


def pages_viewed(session: Session, workspace_id: int, contact_id: int,
                 visitor_token: str | None) -> list[dict[str, Any]]:
    """The latest tracked page views of this person, most recent first."""
    owners = [Signal.contact_id == contact_id]
    if visitor_token:
        owners.append(Signal.visitor_token == visitor_token)
    rows = session.scalars(
        select(Signal).where(Signal.workspace_id == workspace_id, Signal.kind == "page_view",
                             or_(*owners))
        .order_by(Signal.occurred_at.desc(), Signal.id.desc()).limit(MAX_PAGES)
    )
    return [{"url": row.path, "title": row.title or None, "at": row.occurred_at.isoformat()}
            for row in rows]
