"""The back office shell: choosing a workspace and its home, the forms list.

Other back office blueprints (builder, sales) hang off `/app/<workspace>/` and
use `app.web.access` for membership checks, headers and the header links.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app import db
from app.accounts import memberships_of
from app.forms.summaries import archived_count, form_summaries
from app.web.access import add_nav_item, protect_backoffice, workspace_member
from app.web.builder import EDITOR_ROLES

bp = Blueprint("backoffice", __name__, url_prefix="/app")
protect_backoffice(bp)
add_nav_item(bp, "Forms", "backoffice.home", order=10)

# URL rules of this blueprint, in one place:
#   GET  /app/               the signed-in user's workspaces (straight in when just one)
#   GET  /app/<workspace>/   the workspace home: its forms (?show=archived: the archived ones)
# Creating, copying and archiving forms are builder views (app/web/builder/forms_list.py).


@bp.get("/")
@login_required
def workspaces() -> ResponseReturnValue:
    memberships = memberships_of(db.session(), int(current_user.id))
    if len(memberships) == 1:
        return redirect(url_for("backoffice.home", workspace=memberships[0].workspace.slug))
    return render_template("backoffice/workspaces.html", memberships=memberships)


@bp.get("/<workspace>/")
@workspace_member()
def home(workspace: str) -> ResponseReturnValue:
    session = db.session()
    archived = request.args.get("show") == "archived"
    forms = form_summaries(session, g.workspace.id, archived=archived)
    return render_template("backoffice/home.html", forms=forms, archived=archived,
                           archived_count=archived_count(session, g.workspace.id),
                           can_edit=g.membership.role in EDITOR_ROLES)
