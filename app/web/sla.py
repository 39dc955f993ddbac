"""First-touch SLAs in the back office: the compliance report, and the admins' settings.

Views parse (flask-wtf, or the report's query string) and call `app.sales.sla` and
`app.sales.sla_report`; bad report filters answer 400 with the reason on the page.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app import db
from app.booking.calendars import calendar_of
from app.booking.picker import known_zone
from app.models import Membership, Team, User, utcnow
from app.qualify.sla import (
    SLA_STAGES,
    STAGE_LABELS,
    SlaError,
    SlaPolicy,
    format_minutes,
    parse_target,
    report_period,
)
from app.sales.sla import save_policy, set_team_people, workspace_policy
from app.sales.sla_report import ReportFilter, compliance_report
from app.web.access import add_nav_item, protect_backoffice, workspace_member

bp = Blueprint("sla", __name__, url_prefix="/app/<workspace>/sla")
protect_backoffice(bp)
add_nav_item(bp, "SLA", "sla.report", roles=("admin", "sales"), order=25)

# URL rules of this blueprint, in one place:
#   GET  /app/<ws>/sla/                  compliance report (admin, sales):
#                                        ?from=YYYY-MM-DD&to=YYYY-MM-DD&stage=sql&team=<slug>
#   GET  /app/<ws>/sla/settings          targets per stage, overdue handling, team leads (admin)
#   POST /app/<ws>/sla/settings          save the targets
#   POST /app/<ws>/sla/teams/<team_id>   a team's lead and fallback rep (admin)

TARGET_HELP = {
    "lead": "Any new lead; often left blank.",
    "mql": "For example 240 (4 hours).",
    "sql": "For example 15: sooner wins more deals.",
}


def _minutes(_form: FlaskForm, field: Field) -> None:
    try:
        parse_target(field.data)
    except SlaError as error:
        raise ValidationError(str(error)) from None


class TargetsForm(FlaskForm):
    lead = StringField("New lead (minutes)", validators=[_minutes])
    mql = StringField("MQL (minutes)", validators=[_minutes])
    sql = StringField("SQL (minutes)", validators=[_minutes])
    reassign_overdue = BooleanField("Give an overdue lead to its team's fallback rep")


class TeamForm(FlaskForm):
    lead_user = SelectField("Team lead", description="Gets an email for every overdue lead.")
    fallback_user = SelectField("Fallback rep",
                                description="Takes overdue leads when that is switched on.")


# --- the report -----------------------------------------------------------------------------

@bp.get("/")
@workspace_member("admin", "sales")
def report(workspace: str) -> ResponseReturnValue:
    session = db.session()
    zone_name = _viewer_zone()
    teams = _teams()
    chosen = {key: (request.args.get(key) or "").strip()
              for key in ("from", "to", "stage", "team")}
    problems: list[str] = []
    period = None
    try:
        period = report_period(chosen["from"], chosen["to"], ZoneInfo(zone_name),
                               utcnow().astimezone(ZoneInfo(zone_name)).date())
    except SlaError as error:
        problems.append(str(error))
    if chosen["stage"] and chosen["stage"] not in SLA_STAGES:
        problems.append("Choose a stage from the list: lead, mql or sql.")
    team = next((team for team in teams if team.slug == chosen["team"]), None)
    if chosen["team"] and team is None:
        problems.append("There is no such team in this workspace.")
    context: dict[str, Any] = {
        "chosen": chosen, "zone": zone_name, "teams": teams, "problems": problems,
        "stages": [(stage, STAGE_LABELS[stage]) for stage in SLA_STAGES],
        "targets": _target_lines(workspace_policy(g.workspace)),
        "format_minutes": format_minutes, "result": None, "period": period,
    }
    if problems or period is None:
        return render_template("backoffice/sla_report.html", **context), 400
    window = ReportFilter(period.start, period.end, stage=chosen["stage"] or None,
                          team_id=team.id if team else None)
    context["result"] = compliance_report(session, g.workspace.id, window, utcnow())
    context["chosen"] = {**chosen, "from": period.first.isoformat(),
                         "to": period.last.isoformat()}
    return render_template("backoffice/sla_report.html", **context)


def _viewer_zone() -> str:
    """The viewer's own timezone (their calendar's), else UTC."""
    row = calendar_of(db.session(), g.workspace.id, int(current_user.id))
    return known_zone(row.timezone if row else None) or "UTC"


def _teams() -> list[Team]:
    return list(db.session().scalars(select(Team).where(Team.workspace_id == g.workspace.id)
                                     .order_by(Team.name, Team.id)))


def _target_lines(policy: SlaPolicy) -> list[tuple[str, str]]:
    return [(STAGE_LABELS[stage], format_minutes(policy.target(stage))
             if policy.target(stage) else "no target") for stage in SLA_STAGES]


# --- settings -------------------------------------------------------------------------------

@bp.get("/settings")
@workspace_member("admin")
def settings(workspace: str) -> ResponseReturnValue:
    policy = workspace_policy(g.workspace)
    data: dict[str, Any] = {stage: str(policy.target(stage) or "") for stage in SLA_STAGES}
    form = TargetsForm(formdata=None, data={**data,
                                            "reassign_overdue": policy.reassign_overdue})
    return _settings_page(form)


@bp.post("/settings")
@workspace_member("admin")
def save_settings(workspace: str) -> ResponseReturnValue:
    form = TargetsForm()
    if not form.validate():
        return _settings_page(form, status=422)
    targets = {stage: minutes for stage in SLA_STAGES
               if (minutes := parse_target(getattr(form, stage).data)) is not None}
    session = db.session()
    changed = save_policy(session, g.workspace, SlaPolicy(targets,
                                                          bool(form.reassign_overdue.data)))
    session.commit()
    moved = f" {changed} running {'clock follows' if changed == 1 else 'clocks follow'} " \
            "the new targets." if changed else ""
    flash(f"The SLA targets are saved.{moved}", "success")
    return redirect(url_for(".settings", workspace=workspace), 303)


@bp.post("/teams/<int:team_id>")
@workspace_member("admin")
def save_team(workspace: str, team_id: int) -> ResponseReturnValue:
    session = db.session()
    team = session.scalar(select(Team).where(Team.id == team_id,
                                             Team.workspace_id == g.workspace.id))
    if team is None:
        abort(404)
    form = _team_form(team, formdata=request.form)
    if not form.validate():
        return _settings_page(None, failed=(team.id, form), status=422)
    try:
        set_team_people(session, g.workspace, team,
                        lead_user_id=_user_id(form.lead_user.data),
                        fallback_user_id=_user_id(form.fallback_user.data))
    except SlaError as error:  # a member removed meanwhile
        form.lead_user.errors = [str(error)]
        return _settings_page(None, failed=(team.id, form), status=422)
    session.commit()
    flash(f"{team.name} is saved.", "success")
    return redirect(url_for(".settings", workspace=workspace, _anchor=f"team-{team.id}"), 303)


def _user_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _member_choices() -> list[SelectChoice]:
    rows = db.session().execute(
        select(User.id, User.name, User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == g.workspace.id).order_by(User.name, User.email))
    return [SelectChoice("", "Nobody")] + [
        SelectChoice(str(user_id), f"{name or email} ({role})")
        for user_id, name, email, role in rows]


def _team_form(team: Team, *, formdata: Any = None,
               choices: list[SelectChoice] | None = None) -> TeamForm:
    form = TeamForm(formdata=formdata, prefix=f"team-{team.id}",
                    data={"lead_user": str(team.lead_user_id or ""),
                          "fallback_user": str(team.fallback_user_id or "")})
    form.lead_user.choices = form.fallback_user.choices = choices or _member_choices()
    return form


def _settings_page(form: TargetsForm | None, *, failed: tuple[int, TeamForm] | None = None,
                   status: int = 200) -> ResponseReturnValue:
    if form is None:
        policy = workspace_policy(g.workspace)
        form = TargetsForm(formdata=None, data={
            **{stage: str(policy.target(stage) or "") for stage in SLA_STAGES},
            "reassign_overdue": policy.reassign_overdue})
    choices = _member_choices()
    teams = [(team, failed[1] if failed and failed[0] == team.id
              else _team_form(team, choices=choices)) for team in _teams()]
    fields = [(getattr(form, stage), TARGET_HELP[stage]) for stage in SLA_STAGES]
    return render_template("backoffice/sla_settings.html", form=form, fields=fields,
                           teams=teams), status
