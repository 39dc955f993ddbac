"""Workspace admins: tokens for the REST API (name, scopes, expiry), listed and revoked.

A token's secret is shown once, on the page that answers the POST that made it
(never in a flash message, which would put it in the session cookie); only its
hash is stored. See docs/api.md.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app import db
from app.api.tokens import (
    NAME_MAX,
    SCOPES,
    TokenError,
    create_token,
    find_token,
    list_tokens,
    revoke_token,
    status,
)
from app.models import User, utcnow
from app.web.access import add_nav_item, protect_backoffice, workspace_member

bp = Blueprint("api_tokens", __name__, url_prefix="/app/<workspace>/api-tokens")
protect_backoffice(bp)
add_nav_item(bp, "API", "api_tokens.index", roles=("admin",), order=85)

# URL rules of this blueprint, in one place (admins only):
#   GET  /app/<ws>/api-tokens/                  tokens: prefix, scopes, last use, status
#   POST /app/<ws>/api-tokens/                  create one (its secret is shown once)
#   POST /app/<ws>/api-tokens/<id>/revoke       stop it working at once

EXPIRY_CHOICES = [SelectChoice("", "Never"), SelectChoice("30", "In 30 days"),
                  SelectChoice("90", "In 90 days"), SelectChoice("365", "In a year")]


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the token a name."),
                                           Length(max=NAME_MAX)])
    scopes = SelectMultipleField(
        "Scopes", choices=[SelectChoice(scope, f"{scope}: {label}")
                           for scope, label in SCOPES.items()],
        validators=[DataRequired("Choose at least one scope.")],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    expires = SelectField("Expires", choices=EXPIRY_CHOICES, default="")


class ActionForm(FlaskForm):
    """Buttons that change something: only the CSRF token."""


def _index(form: TokenForm, status_code: int = 200) -> ResponseReturnValue:
    now = utcnow()
    rows = [{"token": token, "status": status(token, now)}
            for token in list_tokens(db.session(), g.workspace.id)]
    return render_template("backoffice/api_tokens.html", form=form, rows=rows,
                           action=ActionForm(), scopes=SCOPES), status_code


@bp.get("/")
@workspace_member("admin")
def index(workspace: str) -> ResponseReturnValue:
    return _index(TokenForm(formdata=None))


@bp.post("/")
@workspace_member("admin")
def create(workspace: str) -> ResponseReturnValue:
    form = TokenForm()
    if not form.validate():
        return _index(form, 422)
    now = utcnow()
    days = int(form.expires.data) if form.expires.data else None
    session = db.session()
    try:
        issued = create_token(session, g.workspace, name=form.name.data or "",
                              scopes=form.scopes.data or (), now=now,
                              expires_at=now + timedelta(days=days) if days else None,
                              created_by=session.get(User, int(current_user.id)))
    except TokenError as error:
        session.rollback()
        form.name.errors = [*form.name.errors, str(error)]
        return _index(form, 422)
    session.commit()
    return render_template("backoffice/api_token_created.html", token=issued.token,
                           secret=issued.secret)


@bp.post("/<int:token_id>/revoke")
@workspace_member("admin")
def revoke(workspace: str, token_id: int) -> ResponseReturnValue:
    session = db.session()
    token = find_token(session, g.workspace.id, token_id)
    if token is None:
        abort(404)
    if ActionForm().validate():
        revoke_token(session, token, utcnow())
        session.commit()
        flash(f"{token.name} is revoked: it stops working at once.", "success")
    return redirect(url_for(".index", workspace=workspace), 303)
