"""Sales: the leads of a workspace and one lead's story (the page alerts link to).

The full inbox (dispositions, filters, closed-loop reporting) comes with the sales
issue; this is the read-only start of it.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template
from flask.typing import ResponseReturnValue

from app import db
from app.leads.inbox import lead_story, recent_leads
from app.models import utcnow
from app.web.access import add_nav_item, protect_backoffice, workspace_member

bp = Blueprint("sales", __name__, url_prefix="/app/<workspace>/leads")
protect_backoffice(bp)
add_nav_item(bp, "Leads", "sales.leads", order=20)

# URL rules of this blueprint, in one place (every member of the workspace):
#   GET  /app/<ws>/leads/          the most recent leads
#   GET  /app/<ws>/leads/<id>      one lead: score and reasons, answers, source, history


@bp.get("/")
@workspace_member()
def leads(workspace: str) -> ResponseReturnValue:
    return render_template("backoffice/leads.html", leads=recent_leads(db.session(),
                                                                       g.workspace.id))


@bp.get("/<int:lead_id>")
@workspace_member()
def lead(workspace: str, lead_id: int) -> ResponseReturnValue:
    story = lead_story(db.session(), g.workspace, lead_id, utcnow())
    if story is None:
        abort(404)
    return render_template("backoffice/lead.html", **story)
