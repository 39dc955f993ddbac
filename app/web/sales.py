"""Sales: the inbox of leads (filters in the URL, live SLA timers, CSV export), one lead's
whole story, and what sales does about it (accept, reject, reassign, contacted, outcome).

Every member may read leads; admins and sales may act (marketers get 403). Views
parse and call app.sales.actions inside one write transaction per request, then
303 to the lead; a refused action re-renders the page with the reason next to the
input and what was typed kept. htmx swaps only the results (list) or `main` (lead).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from app import db
from app.audit import record
from app.leads.inbox import export_records, inbox_choices, search_leads
from app.leads.lead_export import leads_csv
from app.leads.lead_page import find_lead, lead_story
from app.models import Lead, User, Workspace, utcnow
from app.qualify.dispositions import DISPOSITION_LABELS
from app.sales import actions
from app.sales.countdown import sla_timer
from app.sales.inbox_filters import (
    ARCHIVED,
    SORTS,
    STAGE_LABELS,
    InboxQuery,
    InboxQueryError,
    parse_inbox_query,
)
from app.web.access import add_nav_item, protect_backoffice, workspace_member
from app.web.sales_forms import ACTION_FORMS, NOTE_HELP
from app.web.viewer_time import LocalTime, viewer_zone_name

bp = Blueprint("sales", __name__, url_prefix="/app/<workspace>/leads")
protect_backoffice(bp)
add_nav_item(bp, "Leads", "sales.leads", order=20)

# URL rules of this blueprint, in one place. GET: every member; POST: admin and sales.
#   GET  /app/<ws>/leads/                     the inbox (?stage=&owner=&form=&source=&from=
#                                             &to=&archived=&q=&sort=&page=); htmx: results
#   GET  /app/<ws>/leads/export.csv           the same filters as CSV (?bom=1 for Excel)
#   GET  /app/<ws>/leads/<id>                 one lead's story, and the actions
#   POST /app/<ws>/leads/<id>/accept          sales takes the lead
#   POST /app/<ws>/leads/<id>/reject          a disposition code and a note: recycle or close
#   POST /app/<ws>/leads/<id>/reassign        to another member
#   POST /app/<ws>/leads/<id>/contacted       a call or an email happened (stops the SLA clock)
#   POST /app/<ws>/leads/<id>/outcome         won or lost

ACTING_ROLES = ("admin", "sales")
DONE = {
    "accept": "Lead accepted.",
    "reject": "Lead rejected: {detail}.",
    "reassign": "Lead given to {detail}.",
    "contacted": "Marked as contacted.",
    "outcome": "Outcome recorded: {detail}.",
}


@bp.context_processor
def _inbox_globals() -> dict[str, Any]:
    return {"stage_labels": STAGE_LABELS, "disposition_labels": DISPOSITION_LABELS,
            "can_act": g.get("membership") is not None
            and g.membership.role in ACTING_ROLES}


def _local_time(session: Session) -> LocalTime:
    return LocalTime(viewer_zone_name(session, g.workspace.id, int(current_user.id)))


def _is_htmx_fragment() -> bool:
    """An htmx request for a part of the page (a history restore wants the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


# --- the inbox ----------------------------------------------------------------------------

@bp.get("/")
@workspace_member()
def leads(workspace: str) -> ResponseReturnValue:
    session = db.session()
    local = _local_time(session)
    now = utcnow()
    query: InboxQuery | None = None
    problems: list[str] = []
    found = None
    try:
        query = parse_inbox_query(request.args.getlist)
        found = search_leads(session, g.workspace.id, query, viewer_id=int(current_user.id),
                             zone=local.zone, now=now)
    except InboxQueryError as error:
        problems = error.problems
    context = {
        "query": query, "found": found, "problems": problems, "args": request.args,
        "choices": inbox_choices(session, g.workspace.id), "local": local, "now": now,
        "sorts": SORTS, "archived_choices": ARCHIVED, "inbox_url": _inbox_url(query),
        "export_url": _export_url(query),
    }
    template = "backoffice/_leads_results.html" if _is_htmx_fragment() else "backoffice/leads.html"
    response = make_response(render_template(template, **context), 400 if problems else 200)
    response.vary.add("HX-Request")
    if query is not None and _is_htmx_fragment():
        response.headers["HX-Push-Url"] = context["inbox_url"]()  # the tidy shareable URL
    return response


def _inbox_url(query: InboxQuery | None) -> Callable[..., str]:
    base = url_for("sales.leads", workspace=g.workspace.slug)

    def link(**changes: object) -> str:
        if query is None:
            return base
        params = query.params(**changes)
        return f"{base}?{urlencode(params)}" if params else base

    return link


def _export_url(query: InboxQuery | None) -> Callable[..., str]:
    base = url_for("sales.export", workspace=g.workspace.slug)

    def link(*, bom: bool = False) -> str:
        params = (query.params(page=1) if query else []) + ([("bom", "1")] if bom else [])
        return f"{base}?{urlencode(params)}" if params else base

    return link


@bp.get("/export.csv")
@workspace_member()
def export(workspace: str) -> ResponseReturnValue:
    """Every lead the filters match, in their order, as CSV; the page number is ignored."""
    session = db.session()
    local = _local_time(session)
    try:
        query = parse_inbox_query(lambda name: [] if name == "page"
                                  else request.args.getlist(name))
        records = export_records(session, g.workspace.id, query,
                                 viewer_id=int(current_user.id), zone=local.zone,
                                 now=utcnow())
        first = next(records, None)  # runs the query now: a bad filter is a 400, not a cut file
    except InboxQueryError as error:
        return Response(" ".join(error.problems) + "\n", status=400,
                        mimetype="text/plain")

    def rows() -> Any:
        if first is not None:
            yield first
            yield from records

    bom = request.args.get("bom") in ("1", "true", "yes")
    with db.write_session() as write:
        record(write, g.workspace.id, "export.download", target_type="leads",
               summary="Downloaded leads as CSV",
               # The free-text search may be someone's name: only whether there was one.
               details={"filters": [[name, value if name != "q" else "(text)"]
                                    for name, value in query.params(page=1)]})
    name = f"leads-{g.workspace.slug}-{utcnow().strftime('%Y%m%d-%H%M')}.csv"
    response = Response(stream_with_context(leads_csv(rows(), bom=bom)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- one lead -----------------------------------------------------------------------------

@bp.get("/<int:lead_id>")
@workspace_member()
def lead(workspace: str, lead_id: int) -> ResponseReturnValue:
    return _lead_page(lead_id, {})


def _lead_page(lead_id: int, posted: dict[str, FlaskForm], status: int = 200
               ) -> ResponseReturnValue:
    session = db.session()
    now = utcnow()
    story = lead_story(session, g.workspace, lead_id, now)
    if story is None:
        abort(404)
    forms = {name: posted.get(name) or form(formdata=None, prefix=name)
             for name, form in ACTION_FORMS.items()}
    members = inbox_choices(session, g.workspace.id).members
    forms["reassign"].owner.choices = [SelectChoice("", "Choose a member…"),
                                       *(SelectChoice(choice.value, choice.label)
                                         for choice in members)]
    lead_row: Lead = story["lead"]
    return render_template(
        "backoffice/lead.html", **story, forms=forms, refused=bool(posted), note_help=NOTE_HELP,
        local=_local_time(session),
        sla=sla_timer(lead_row.sla_due_at, lead_row.first_touch_at, now),
    ), status


def _act(lead_id: int, name: str,
         apply: Callable[[Session, Workspace, Lead, User | None, FlaskForm], str]
         ) -> ResponseReturnValue:
    """Check the form, run one action in one transaction, then 303 to the lead (or the page
    again with the reason, keeping what was typed)."""
    form = ACTION_FORMS[name](prefix=name)
    if find_lead(db.session(), g.workspace.id, lead_id) is None:
        abort(404)
    if name == "reassign":
        form.owner.choices = [SelectChoice(choice.value, choice.label) for choice in
                              inbox_choices(db.session(), g.workspace.id).members]
    if not form.validate():
        return _lead_page(lead_id, {name: form}, 422)
    try:
        with db.write_session() as write:
            workspace = write.get(Workspace, g.workspace.id)
            assert workspace is not None  # workspace_member just found it
            target = write.scalar(find_lead_statement(workspace.id, lead_id))
            if target is None:
                abort(404)
            user = write.get(User, int(current_user.id))
            detail = apply(write, workspace, target, user, form)
    except actions.LeadActionError as error:
        form.form_errors.append(str(error))
        return _lead_page(lead_id, {name: form}, 422)
    flash(DONE[name].format(detail=detail), "success")
    return redirect(url_for("sales.lead", workspace=g.workspace.slug, lead_id=lead_id), 303)


def find_lead_statement(workspace_id: int, lead_id: int) -> Any:
    """The lead, locked until the action commits (two reps acting at once queue)."""
    return (select(Lead).where(Lead.id == lead_id, Lead.workspace_id == workspace_id)
            .with_for_update())


@bp.post("/<int:lead_id>/accept")
@workspace_member(*ACTING_ROLES)
def accept(workspace: str, lead_id: int) -> ResponseReturnValue:
    def apply(write: Session, space: Workspace, target: Lead, user: User | None,
              form: Any) -> str:
        actions.accept(write, space, target, user, utcnow())
        return ""

    return _act(lead_id, "accept", apply)


@bp.post("/<int:lead_id>/reject")
@workspace_member(*ACTING_ROLES)
def reject(workspace: str, lead_id: int) -> ResponseReturnValue:
    def apply(write: Session, space: Workspace, target: Lead, user: User | None,
              form: Any) -> str:
        code = str(form.code.data or "")
        actions.dispose(write, space, target, user, code, str(form.note.data or ""),
                        utcnow())
        label = DISPOSITION_LABELS.get(code, code).lower()
        return f"{label}, recycled into {target.nurture_track}" if target.nurture_track \
            else f"{label}, closed"

    return _act(lead_id, "reject", apply)


@bp.post("/<int:lead_id>/reassign")
@workspace_member(*ACTING_ROLES)
def reassign(workspace: str, lead_id: int) -> ResponseReturnValue:
    def apply(write: Session, space: Workspace, target: Lead, user: User | None,
              form: Any) -> str:
        owner = str(form.owner.data or "")
        if not owner.isdigit():
            raise actions.LeadActionError("Choose a member of this workspace to give the lead to.")
        member = actions.reassign(write, space, target, user, int(owner), utcnow())
        return member.name or member.email

    return _act(lead_id, "reassign", apply)


@bp.post("/<int:lead_id>/contacted")
@workspace_member(*ACTING_ROLES)
def contacted(workspace: str, lead_id: int) -> ResponseReturnValue:
    def apply(write: Session, space: Workspace, target: Lead, user: User | None,
              form: Any) -> str:
        actions.mark_contacted(write, space, target, user, utcnow(),
                               note=str(form.note.data or ""))
        return ""

    return _act(lead_id, "contacted", apply)


@bp.post("/<int:lead_id>/outcome")
@workspace_member(*ACTING_ROLES)
def outcome(workspace: str, lead_id: int) -> ResponseReturnValue:
    def apply(write: Session, space: Workspace, target: Lead, user: User | None,
              form: Any) -> str:
        result = str(form.outcome.data or "")
        actions.record_outcome(write, space, target, user, result, utcnow(),
                               note=str(form.note.data or ""))
        return result

    return _act(lead_id, "outcome", apply)
