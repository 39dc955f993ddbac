"""Behavioural signals from the marketer's own pages: the tracking script and its beacon.

Public audience, like the hosted forms; kept apart so form pages stay small.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, g, make_response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app import db
from app.extensions import csrf, limiter
from app.leads.rescoring import rescore_lead
from app.leads.signals import record_page_view
from app.models import Lead, Workspace, utcnow
from app.responses.tokens import new_visitor_id, read_visitor
from app.web.assets import script_response

bp = Blueprint("tracking", __name__)
csrf.exempt(bp)  # a beacon carries no session; it only records a page view

# URL rules of this blueprint, in one place:
#   GET  /t.js              the tracking script (< 2 KB)
#   POST /t/<workspace>     record a page view for the signed visitor: 204

MAX_BEACON_BYTES = 2048


@bp.get("/t.js")
def tracking_script() -> Response:
    return script_response("t.js")


@bp.post("/t/<workspace>")
@limiter.limit(lambda: current_app.config["BEACON_RATE_LIMIT"])
def beacon(workspace: str) -> ResponseReturnValue:
    """Record a page view; a known lead lifted over SQL by it is routed and alerted."""
    if (request.content_length or 0) > MAX_BEACON_BYTES:
        return "", 413
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except json.JSONDecodeError:
        return "Send a JSON object: {\"p\": path, \"t\": title}.", 400
    if not isinstance(body, dict) or not isinstance(body.get("p", ""), str):
        return "Send a JSON object: {\"p\": path, \"t\": title}.", 400
    secret = current_app.config["SECRET_KEY"]
    visitor = read_visitor(secret, request.cookies.get("lf_v")) or new_visitor_id()
    with db.write_session() as session:
        space = session.scalar(select(Workspace).where(Workspace.slug == workspace))
        if space is None:
            return "", 404
        now = utcnow()
        signal = record_page_view(session, space.id, visitor, body.get("p") or "/",
                                  str(body.get("t") or ""), now)
        # Only a proven browser has a contact, and so maybe a lead (most have neither).
        lead = None if signal.contact_id is None else session.scalar(
            select(Lead).where(Lead.workspace_id == space.id,
                               Lead.contact_id == signal.contact_id))
        if lead is not None:
            rescore_lead(session, space, lead, now, cause="signal")
    g.visitor_id = visitor
    response = make_response("", 204)
    origin = request.headers.get("Origin")
    if origin:  # fetch() fallback with credentials needs an exact origin
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
    return response
