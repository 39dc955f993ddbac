"""Analytics: what converts, by source, campaign and form, and how well the score predicts it.

Read only and thin: the query string goes to `app.analytics.reports`, whose
numbers come from aggregate SQL. Every member may look (sales too: the closed
loop is theirs as much as marketing's).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue

from app import db
from app.analytics.conversion import MILESTONES
from app.analytics.figures import number, percent
from app.analytics.ranges import PRESETS
from app.analytics.reports import FilterError, NotInWorkspace, form_report, overview
from app.analytics.speed import duration_text
from app.models import utcnow
from app.web.access import add_nav_item, protect_backoffice, workspace_member

bp = Blueprint("analytics", __name__, url_prefix="/app/<workspace>/analytics")
protect_backoffice(bp)
add_nav_item(bp, "Analytics", "analytics.index", order=40)

# URL rules of this blueprint, in one place (every member of the workspace):
#   GET  /app/<ws>/analytics/               forms, lead conversion by group, speed to lead,
#                                           score calibration (range, from, to, group, form)
#   GET  /app/<ws>/analytics/forms/<form>   one form's funnel (range, from, to, version)


@bp.context_processor
def _formatting() -> dict[str, Any]:
    return {"number": number, "percent": percent, "duration": duration_text,
            "milestones": MILESTONES, "presets": PRESETS}


@bp.get("/")
@workspace_member()
def index(workspace: str) -> ResponseReturnValue:
    try:
        report = overview(db.session(), g.workspace, request.args, utcnow().date())
    except FilterError as error:
        return _bad_filter(str(error))
    except NotInWorkspace:
        abort(404)
    return render_template("backoffice/analytics.html", **report)


@bp.get("/forms/<form>")
@workspace_member()
def form_funnel(workspace: str, form: str) -> ResponseReturnValue:
    try:
        report = form_report(db.session(), g.workspace, form, request.args, utcnow().date())
    except FilterError as error:
        return _bad_filter(str(error))
    except NotInWorkspace:
        abort(404)
    return render_template("backoffice/analytics_form.html", **report)


def _bad_filter(message: str) -> ResponseReturnValue:
    return render_template("backoffice/analytics_error.html", message=message), 400
