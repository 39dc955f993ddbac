"""Workspace admins: how long data is kept (retention), and the audit log.

Thin views: flask-wtf parses, `app.retention.settings` and `app.audit` decide and
write; the audit log is read-only here and only ever shows this workspace's entries.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from app import db
from app.audit import ACTIONS, AuditQuery, search_entries
from app.models import Membership, User, Workspace
from app.retention.policy import (
    KINDS,
    MAX_DAYS,
    RetentionInputError,
    check_days,
    defaults_from_config,
    effective_periods,
)
from app.retention.settings import save_overrides
from app.web.access import add_nav_item, protect_backoffice, workspace_member

bp = Blueprint("data_settings", __name__, url_prefix="/app/<workspace>")
protect_backoffice(bp)
add_nav_item(bp, "Data retention", "data_settings.retention", roles=("admin",), order=88)
add_nav_item(bp, "Audit log", "data_settings.audit_log", roles=("admin",), order=89)

# URL rules of this blueprint, in one place (admins only):
#   GET  /app/<ws>/data/retention   how long each kind of data is kept, app default or own
#   POST /app/<ws>/data/retention   save this workspace's periods (blank: the app default)
#   GET  /app/<ws>/audit/           the audit log (?actor=&action=&from=&to=&page=)


def _days(_form: FlaskForm, field: Field) -> None:
    try:
        check_days((field.data or "").strip())
    except RetentionInputError as error:
        raise ValidationError(str(error)) from None


class RetentionForm(FlaskForm):
    partial_responses = StringField("Unfinished responses (days)", validators=[_days])
    delivery_logs = StringField("Delivered alerts (days)", validators=[_days])
    signals = StringField("Behaviour signals (days)", validators=[_days])
    audit_log = StringField("Audit log entries (days)", validators=[_days])


def _page(form: RetentionForm, status: int = 200) -> ResponseReturnValue:
    defaults = defaults_from_config(current_app.config)
    periods = effective_periods(defaults, g.workspace.settings)
    rows = [{"field": getattr(form, kind), "label": label, "default": defaults[kind],
             "period": periods[kind]} for kind, (_key, _default, label) in KINDS.items()]
    return render_template("backoffice/retention.html", form=form, rows=rows,
                           max_days=MAX_DAYS), status


@bp.get("/data/retention")
@workspace_member("admin")
def retention(workspace: str) -> ResponseReturnValue:
    periods = effective_periods(defaults_from_config(current_app.config), g.workspace.settings)
    form = RetentionForm(formdata=None, data={
        kind: str(period.days or 0) for kind, period in periods.items() if period.overridden})
    return _page(form)


@bp.post("/data/retention")
@workspace_member("admin")
def save_retention(workspace: str) -> ResponseReturnValue:
    form = RetentionForm()
    if not form.validate():
        return _page(form, 422)
    chosen = {kind: _typed(getattr(form, kind).data) for kind in KINDS}
    with db.write_session() as write:
        workspace = write.get(Workspace, g.workspace.id)
        assert workspace is not None  # workspace_member just found it
        changes = save_overrides(write, workspace, chosen)
    flash("Retention periods saved." if changes else "Nothing changed.",
          "success" if changes else "info")
    return redirect(url_for(".retention", workspace=g.workspace.slug), 303)


def _typed(value: str | None) -> int | None:
    """Blank: the app default (None); otherwise the days, 0 meaning forever."""
    text = (value or "").strip()
    return int(text) if text else None


@bp.get("/audit/")
@workspace_member("admin")
def audit_log(workspace: str) -> ResponseReturnValue:
    session = db.session()
    members = session.execute(
        select(User.id, User.name, User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == g.workspace.id).order_by(User.email)).all()
    problems: list[str] = []
    query = _audit_query({member.id for member in members}, problems)
    page = search_entries(session, g.workspace.id, query)
    actor_ids = {entry.actor_id for entry in page.entries if entry.actor_id is not None}
    names = dict(session.execute(select(User.id, User.email).where(User.id.in_(actor_ids))
                                 .where(User.id.in_({member.id for member in members})))
                 .all()) if actor_ids else {}
    return render_template("backoffice/audit_log.html", page=page, members=members,
                           actions=ACTIONS, names=names, problems=problems,
                           args=request.args, page_url=_page_url), 400 if problems else 200


def _audit_query(member_ids: set[int], problems: list[str]) -> AuditQuery:
    args = request.args
    actor = args.get("actor", "")
    actor_id = int(actor) if actor.isdigit() else None
    if actor and (actor_id is None or actor_id not in member_ids):
        problems.append("Choose a member of this workspace as the actor.")
        actor_id = -1  # nobody: a foreign id shows nothing (invariant 8)
    action = args.get("action") or None
    if action is not None and action not in ACTIONS:
        problems.append("Choose one of the listed actions.")
        action = "(none)"
    since = _day(args.get("from"), problems, "from")
    until = _day(args.get("to"), problems, "to")
    page = args.get("page", "1")
    return AuditQuery(actor_id=actor_id, action=action, since=since,
                      until=until + timedelta(days=1) if until else None,
                      page=int(page) if page.isdigit() else 1)


def _day(value: str | None, problems: list[str], name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), UTC)
    except ValueError:
        problems.append(f"The '{name}' date is not a date (YYYY-MM-DD).")
        return None


def _page_url(number: int) -> str:
    args: dict[str, Any] = {key: value for key, value in request.args.items() if key != "page"}
    return url_for(".audit_log", workspace=g.workspace.slug, page=number, **args)
