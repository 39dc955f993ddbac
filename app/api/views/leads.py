"""/api/v1/leads: read leads, and the CRM's closed loop (stage, disposition, outcome)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g
from flask.typing import ResponseReturnValue

from app import db
from app.api import leads as service
from app.api.auth import workspace
from app.api.blueprint import ID, ApiBlueprint
from app.api.errors import api_abort
from app.api.pagination import PageArgs, envelope
from app.api.schemas.leads import (
    DispositionArgs,
    LeadEventPageSchema,
    LeadListArgs,
    LeadPageSchema,
    LeadSchema,
    OutcomeArgs,
    OwnerArgs,
    StageArgs,
)
from app.models import Lead, utcnow
from app.sales.actions import LeadActionError

blp = ApiBlueprint("leads", __name__,
                   description="Leads: score and reasons, stage, owner, milestones; the "
                               "closed loop from your CRM.")

# URL rules of this blueprint, in one place:
#   GET  /api/v1/leads                     filtered by stage, owner, form, source...  leads:read
#   GET  /api/v1/leads/<id>                one lead                                    leads:read
#   POST /api/v1/leads/<id>/stage          move it to a stage                          leads:write
#   POST /api/v1/leads/<id>/disposition    accept, or reject with a reason and note    leads:write
#   POST /api/v1/leads/<id>/outcome        won or lost                                 leads:write
#   POST /api/v1/leads/<id>/owner          give it to another member                   leads:write
#   GET  /api/v1/leads/<id>/events         its history, newest first                   leads:read


def _lead(lead_id: int) -> Lead:
    lead = service.find_lead(db.session(), workspace(), lead_id)
    if lead is None:
        api_abort(404, f"No lead {lead_id} in this workspace.")
    return lead


def _change(lead_id: int, change: Callable[[Lead], None]) -> dict[str, Any]:
    """Apply one sales action and commit; a refused one is a 422 with its message."""
    session = db.session()
    lead = _lead(lead_id)
    try:
        change(lead)
    except LeadActionError as error:
        session.rollback()
        api_abort(422, str(error))
    session.commit()
    found = service.lead_view(session, workspace(), lead_id)
    assert found is not None
    return found


@blp.get("/leads")
@blp.scoped("leads:read")
@blp.query(LeadListArgs)
@blp.response(200, LeadPageSchema)
def list_leads(args: dict[str, Any]) -> ResponseReturnValue:
    """List leads, newest first, filtered by stage, owner, origin form, source, campaign,
    outcome and creation time."""
    data, page = service.lead_page(db.session(), workspace(), args)
    return envelope(data, page)


@blp.get(f"/leads/<{ID}:lead_id>")
@blp.scoped("leads:read")
@blp.response(200, LeadSchema)
def get_lead(lead_id: int) -> dict[str, Any]:
    """One lead: score with reasons, stage, owner, milestones, SLA and attribution."""
    found = service.lead_view(db.session(), workspace(), lead_id)
    if found is None:
        api_abort(404, f"No lead {lead_id} in this workspace.")
    return found


@blp.post(f"/leads/<{ID}:lead_id>/stage")
@blp.scoped("leads:write")
@blp.body(StageArgs)
@blp.response(200, LeadSchema)
def set_stage(args: dict[str, Any], lead_id: int) -> dict[str, Any]:
    """Move the lead to a stage (the CRM has the last word); history says why."""
    return _change(lead_id, lambda lead: service.set_stage(
        db.session(), workspace(), lead, g.api_token, args["stage"], args["reason"], utcnow()))


@blp.post(f"/leads/<{ID}:lead_id>/disposition")
@blp.scoped("leads:write")
@blp.body(DispositionArgs)
@blp.response(200, LeadSchema)
def dispose(args: dict[str, Any], lead_id: int) -> dict[str, Any]:
    """Accept the lead, or reject it with a reason: it is recycled into that reason's
    nurture track for a limited time (competitor and spam close it)."""
    return _change(lead_id, lambda lead: service.dispose(
        db.session(), workspace(), lead, args["code"], args["note"], utcnow()))


@blp.post(f"/leads/<{ID}:lead_id>/outcome")
@blp.scoped("leads:write")
@blp.body(OutcomeArgs)
@blp.response(200, LeadSchema)
def record_outcome(args: dict[str, Any], lead_id: int) -> dict[str, Any]:
    """Won or lost: closes the loop, so reports can show what converts."""
    return _change(lead_id, lambda lead: service.record_outcome(
        db.session(), workspace(), lead, args["outcome"], args["note"], utcnow()))


@blp.post(f"/leads/<{ID}:lead_id>/owner")
@blp.scoped("leads:write")
@blp.body(OwnerArgs)
@blp.response(200, LeadSchema)
def reassign(args: dict[str, Any], lead_id: int) -> dict[str, Any]:
    """Give the lead to another member of the workspace (the CRM's owner)."""
    return _change(lead_id, lambda lead: service.reassign(
        db.session(), workspace(), lead, g.api_token, args["owner_id"], args["reason"],
        utcnow()))


@blp.get(f"/leads/<{ID}:lead_id>/events")
@blp.scoped("leads:read")
@blp.query(PageArgs)
@blp.response(200, LeadEventPageSchema)
def list_events(args: dict[str, Any], lead_id: int) -> ResponseReturnValue:
    """The lead's history, newest first: scores, stage changes, routes, sales actions."""
    data, page = service.event_page(db.session(), _lead(lead_id), args)
    return envelope(data, page)
