"""Creating a workspace: any signed-in person may start one, and becomes its admin."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app import db
from app.accounts.workspaces import NAME_MAX, InvalidWorkspaceName, create_workspace
from app.models import User
from app.web.access import protect_backoffice

bp = Blueprint("workspaces", __name__)
protect_backoffice(bp)

# URL rules of this blueprint, in one place:
#   GET  /workspaces/new    the form: a name
#   POST /workspaces/new    create it (slug from the name, made unique) and open it


class WorkspaceForm(FlaskForm):
    name = StringField("Workspace name", validators=[
        DataRequired("Give the workspace a name."),
        Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters.")])


@bp.route("/workspaces/new", methods=["GET", "POST"])
@login_required
def create() -> ResponseReturnValue:
    form = WorkspaceForm()
    if form.validate_on_submit():
        try:
            with db.write_session() as write:
                owner = write.get(User, int(current_user.id))
                assert owner is not None  # the user loader just found it
                workspace = create_workspace(write, form.name.data or "", owner)
                slug, name = workspace.slug, workspace.name
        except InvalidWorkspaceName as error:
            form.name.errors = [str(error)]
        else:
            flash(f"{name} is ready, and you are its admin. Invite your team from Members.",
                  "success")
            return redirect(url_for("backoffice.home", workspace=slug), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("backoffice/workspace_new.html", form=form), status
