"""Workspace admins: where alerts go (webhooks, Slack), their secrets, and dead deliveries.

Views parse with flask-wtf and call `app.alerts.endpoints`; a secret is shown
once, on the page that answers the POST that made it (never in a flash message,
which would put it in the session cookie).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app import db
from app.alerts.endpoints import (
    EndpointInput,
    create_endpoint,
    dead_deliveries,
    delivery_counts,
    describe,
    find_endpoint,
    list_endpoints,
    replay,
    rotate_secret,
    set_enabled,
    validate,
)
from app.alerts.outbox import EVENT_KINDS
from app.alerts.settings import AlertSettings
from app.models import AlertEndpoint, utcnow
from app.web.access import add_nav_item, protect_backoffice, workspace_member

bp = Blueprint("alert_settings", __name__, url_prefix="/app/<workspace>/alerts")
protect_backoffice(bp)
add_nav_item(bp, "Alerts", "alert_settings.index", roles=("admin",), order=80)

# URL rules of this blueprint, in one place (admins only):
#   GET  /app/<ws>/alerts/                    endpoints, their delivery counts, the email channel
#   POST /app/<ws>/alerts/                    add an endpoint (a webhook's secret is shown once)
#   POST /app/<ws>/alerts/<id>/enabled        pause or resume an endpoint
#   POST /app/<ws>/alerts/<id>/rotate         new signing secret (the old one signs a while)
#   POST /app/<ws>/alerts/<id>/delete         remove an endpoint and its deliveries
#   GET  /app/<ws>/alerts/<id>/dead           dead deliveries of an endpoint ("email" for email)
#   POST /app/<ws>/alerts/<id>/replay         send one (delivery_id) or all of them again

EVENT_LABELS = {
    "lead.qualified": "A lead becomes SQL",
    "lead.stage_changed": "A lead changes stage",
    "response.completed": "A form is completed",
    "route.fallback_hit": "A respondent falls through to the catch-all route",
    "booking.created": "A meeting is booked",
    "booking.cancelled": "A meeting is cancelled",
    "lead.accepted": "Sales accepts a lead",
    "lead.disposition": "Sales rejects a lead (with a disposition)",
    "lead.reassigned": "A lead is given to another rep",
    "lead.outcome": "A lead is won or lost",
    "lead.sla_overdue": "A lead's first-touch SLA runs out",
}


class EndpointForm(FlaskForm):
    kind = SelectField("Kind", choices=[
        SelectChoice("webhook", "Webhook (signed, Standard Webhooks)"),
        SelectChoice("slack", "Slack incoming webhook")])
    name = StringField("Name", validators=[DataRequired("Give the endpoint a name."),
                                           Length(max=100)])
    url = StringField("URL", validators=[DataRequired("Enter the URL to send to."),
                                         Length(max=2000)])
    events = SelectMultipleField(
        "Events", choices=[SelectChoice(kind, EVENT_LABELS[kind]) for kind in EVENT_KINDS],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class ActionForm(FlaskForm):
    """Buttons that change something: only the CSRF token."""


def _settings() -> AlertSettings:
    return AlertSettings.from_config(current_app.config)


def _endpoint(endpoint_id: int) -> AlertEndpoint:
    endpoint = find_endpoint(db.session(), g.workspace.id, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def _index(form: EndpointForm, status: int = 200) -> ResponseReturnValue:
    session = db.session()
    endpoints = list_endpoints(session, g.workspace.id)
    counts = delivery_counts(session, g.workspace.id)
    rows = [{**describe(endpoint),
             "pending": counts.get((endpoint.id, "pending"), 0),
             "delivered": counts.get((endpoint.id, "delivered"), 0),
             "dead": counts.get((endpoint.id, "dead"), 0)} for endpoint in endpoints]
    email = {"configured": bool(current_app.config.get("SMTP_HOST")),
             "pending": counts.get((None, "pending"), 0),
             "delivered": counts.get((None, "delivered"), 0),
             "dead": counts.get((None, "dead"), 0)}
    return render_template("backoffice/alerts.html", form=form, endpoints=rows, email=email,
                           action=ActionForm(), labels=EVENT_LABELS), status


@bp.get("/")
@workspace_member("admin")
def index(workspace: str) -> ResponseReturnValue:
    return _index(EndpointForm(formdata=None))


@bp.post("/")
@workspace_member("admin")
def add(workspace: str) -> ResponseReturnValue:
    form = EndpointForm()
    if not form.validate():
        return _index(form, 422)
    data = EndpointInput(form.kind.data, form.name.data, form.url.data, form.events.data or ())
    settings = _settings()
    problems = validate(data, settings.allow)
    if problems:
        for name, message in problems.items():
            getattr(form, name, form.url).errors.append(message)
        return _index(form, 422)
    session = db.session()
    endpoint = create_endpoint(session, g.workspace, data, settings.allow, utcnow())
    session.commit()
    return render_template("backoffice/alert_secret.html", endpoint=describe(endpoint),
                           secret=endpoint.secret, created=True)


@bp.post("/<int:endpoint_id>/enabled")
@workspace_member("admin")
def toggle(workspace: str, endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint(endpoint_id)
    if ActionForm().validate():
        session = db.session()
        set_enabled(session, endpoint, not endpoint.enabled)
        session.commit()
        flash(f"{endpoint.name} is {'on' if endpoint.enabled else 'paused'}.", "success")
    return redirect(url_for(".index", workspace=workspace), 303)


@bp.post("/<int:endpoint_id>/rotate")
@workspace_member("admin")
def rotate(workspace: str, endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint(endpoint_id)
    if endpoint.kind != "webhook" or not ActionForm().validate():
        return redirect(url_for(".index", workspace=workspace), 303)
    from datetime import timedelta

    hours = int(current_app.config["ALERTS_SECRET_ROTATION_HOURS"])
    session = db.session()
    secret = rotate_secret(session, endpoint, utcnow(), timedelta(hours=hours))
    session.commit()
    return render_template("backoffice/alert_secret.html", endpoint=describe(endpoint),
                           secret=secret, created=False, grace_hours=hours)


@bp.post("/<int:endpoint_id>/delete")
@workspace_member("admin")
def delete(workspace: str, endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint(endpoint_id)
    if ActionForm().validate():
        session = db.session()
        session.delete(endpoint)
        session.commit()
        flash(f"{endpoint.name} was removed.", "success")
    return redirect(url_for(".index", workspace=workspace), 303)


@bp.get("/<target>/dead")
@workspace_member("admin")
def dead(workspace: str, target: str) -> ResponseReturnValue:
    endpoint, rows = _dead_rows(target)
    return render_template("backoffice/alert_dead.html", endpoint=endpoint, rows=rows,
                           target=target, action=ActionForm())


@bp.post("/<target>/replay")
@workspace_member("admin")
def replay_dead(workspace: str, target: str) -> ResponseReturnValue:
    from flask import request

    endpoint, rows = _dead_rows(target)
    if ActionForm().validate():
        chosen = request.form.get("delivery_id", "")
        ids = [delivery.id for delivery, _ in rows]
        if chosen:
            if not chosen.isdigit() or int(chosen) not in ids:
                abort(404)
            ids = [int(chosen)]
        session = db.session()
        count = replay(session, g.workspace.id, utcnow(), delivery_ids=ids)
        session.commit()
        flash(f"{count} {'delivery' if count == 1 else 'deliveries'} queued again, with "
              "the same event ids.", "success")
    return redirect(url_for(".dead", workspace=workspace, target=target), 303)


def _dead_rows(target: str) -> tuple[dict[str, object] | None, list]:
    session = db.session()
    if target == "email":
        return None, dead_deliveries(session, g.workspace.id, email=True)
    if not target.isdigit():
        abort(404)
    endpoint = _endpoint(int(target))
    return describe(endpoint), dead_deliveries(session, g.workspace.id, endpoint.id)
