"""What prospects reach: hosted forms, the embed script, public contracts.

Thin views: parse the request, call the response service inside one write
transaction, render or redirect with 303. htmx requests get the fragment
they swap in; the same URLs work without JavaScript.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app import db
from app.analytics.recording import count_view
from app.experiments.serving import serve, start_marker
from app.extensions import csrf, limiter
from app.forms import load_schema
from app.forms.fields import field_type
from app.forms.versions import FormClosed, NotFound
from app.models import Contact, utcnow
from app.models import Response as FormResponse
from app.profiling.contacts import revealable_properties
from app.profiling.identity import (
    Identity,
    LinkRefused,
    forget_visitor,
    identify,
    link_visitor,
    read_link_token,
)
from app.profiling.plan import Plan, make_plan
from app.responses.capture import capture
from app.responses.published import Published, find_published, resumable_response
from app.responses.screens import screens_ahead
from app.responses.service import Outcome, current_outcome, data_of, fresh_outcome, submit
from app.responses.tokens import (
    Submission,
    TamperedToken,
    new_nonce,
    new_visitor_id,
    read_submission,
    read_visitor,
    sign_submission,
    sign_visitor,
)
from app.web.assets import script_response
from app.web.form_page import ending_view, page_theme, screen_view
from app.web.security import form_page_headers

bp = Blueprint("public", __name__)
# Prospects have no session to protect: each POST carries a signed per-render
# token instead (app.responses.tokens), which also works inside third-party iframes.
csrf.exempt(bp)

# URL rules of this blueprint, in one place:
#   GET  /                                   landing page
#   GET  /schema/form-definition.json        the definition JSON Schema
#   GET  /embed.js                           the embed script
#   GET  /f/<workspace>/<form>               the current screen (resumes a response); a
#                                            fresh visit counts a view (app.analytics)
#   POST /f/<workspace>/<form>               answer a screen (or go back)
#   POST /f/<workspace>/<form>/check/<field> re-validate one field (htmx, on blur)
#   GET  /f/<workspace>/<form>/done/<token>  a completed response's ending
#   POST /f/<workspace>/<form>/not-you       forget who this browser is ("Not you?")

VISITOR_COOKIE = "lf_v"
DONE_SALT = "leadform.done"


@bp.get("/")
def index() -> str:
    return render_template("public/index.html")


@bp.get("/schema/form-definition.json")
def definition_schema() -> Response:
    response = jsonify(load_schema())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.mimetype = "application/schema+json"
    return response


@bp.get("/embed.js")
def embed_script() -> Response:
    return script_response("embed.js")


@bp.get("/f/<workspace>/<form>")
def show_form(workspace: str, form: str) -> ResponseReturnValue:
    session = db.session()
    published = _published_or_404(workspace, form)
    if request.args.get("lf"):
        return _accept_personal_link(published)
    visitor = _visitor()
    existing = resumable_response(session, published.form, visitor)
    if existing is not None:
        return _render(published, current_outcome(existing), resumed=True)
    # A new visitor's id is chosen now (the cookie follows), so an A/B test can assign it.
    visitor = g.visitor_id = visitor or new_visitor_id()
    published = serve(session, published, visitor)
    captured = capture(published.version.definition, request.args, url=request.url,
                       referrer=request.referrer)
    start = {**captured.as_dict(), "t": time.time(), **start_marker(published)}
    plan = plan_for(session, published, identify(session, published.workspace.id, visitor))
    outcome = fresh_outcome(published, captured, plan)
    _count_view(published, outcome)
    return _render(published, outcome, start=start)


def _count_view(published: Published, outcome: Outcome) -> None:
    """The top of the funnel: a new visit to the form, counted for the version it shows.

    Its own one-statement transaction, so a read request never upgrades to a writer;
    a database too busy to count it must not keep the form from the visitor.
    """
    try:
        with db.sqlite_writer(db.engine()), db.engine().begin() as connection:
            count_view(connection, workspace_id=published.workspace.id,
                       form_id=published.form.id, version_id=outcome.version.id,
                       day=utcnow().date())
    except OperationalError:
        current_app.logger.warning("a view of form %s was not counted", published.form.id,
                                   exc_info=True)


@bp.post("/f/<workspace>/<form>/not-you")
def not_you(workspace: str, form: str) -> ResponseReturnValue:
    """Forget this browser's identity and start the form afresh, as nobody in particular."""
    published = _published_or_404(workspace, form)
    visitor = _visitor()
    if visitor:
        with db.write_session() as session:
            forget_visitor(session, published.workspace.id, visitor)
    g.visitor_id = new_visitor_id()  # and a new cookie: unfinished answers stay behind
    embed = {"embed": "1"} if request.form.get("_lf_embed") == "1" else {}
    return redirect(url_for("public.show_form", workspace=workspace, form=form, **embed), 303)


@bp.post("/f/<workspace>/<form>")
@limiter.limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"])
def answer_screen(workspace: str, form: str) -> ResponseReturnValue:
    posted = request.form.to_dict(flat=False)
    back = request.form.get("_lf_action") == "back"
    visitor = _visitor() or new_visitor_id()
    try:
        token = read_submission(current_app.config["SECRET_KEY"], request.form.get("_lf_token"))
        published, outcome = _apply(workspace, form, visitor, token, posted, back)
    except FormClosed:
        abort(410)
    except NotFound:
        abort(404)
    except TamperedToken as error:
        _published_or_404(workspace, form)  # an unknown form stays a 404
        return _error_page(400, "This page can't be submitted", str(error)
                           + " Reload the form to continue: your saved answers are kept.")
    if outcome.response is not None and outcome.response.visitor_id:
        g.visitor_id = outcome.response.visitor_id
    if outcome.ending is not None:
        return _finish(published, outcome)
    if _is_htmx() or outcome.errors:
        return _render(published, outcome, status=422 if outcome.errors and not _is_htmx() else 200)
    embed = {"embed": "1"} if request.form.get("_lf_embed") == "1" else {}
    return redirect(url_for("public.show_form", workspace=workspace, form=form, **embed), 303)


@bp.post("/f/<workspace>/<form>/check/<field_id>")
def check_field(workspace: str, form: str, field_id: str) -> ResponseReturnValue:
    """The inline error for one field, re-validated on blur; never touches its input."""
    published = serve(db.session(), _published_or_404(workspace, form), _visitor())
    spec = _field_spec(published, field_id)
    if spec is None:
        abort(404)
    raw: Any = request.form.getlist(field_id) if spec["type"] == "multi_choice" else (
        request.form.get(field_id))
    # An empty field is not an error until the visitor tries to continue.
    error = None if raw in (None, "", []) else field_type(spec["type"]).parse(spec, raw).error
    return render_template("public/_field_error.html", field_id=field_id, error=error)


@bp.get("/f/<workspace>/<form>/done/<token>")
def show_ending(workspace: str, form: str, token: str) -> ResponseReturnValue:
    published = _published_or_404(workspace, form)
    try:
        signer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DONE_SALT)
        response_id = signer.loads(token)
    except BadSignature:
        return _error_page(400, "This link is not valid",
                           "It may have been copied incompletely. Open the form again.")
    response = db.session().get(FormResponse, response_id)
    if response is None or response.form_id != published.form.id or response.state != "completed":
        abort(404)
    return _render(published, current_outcome(response))


def _apply(workspace: str, form: str, visitor: str, token: Submission,
           posted: dict[str, list[str]], back: bool) -> tuple[Published, Outcome]:
    """One write transaction, committed before anything is shown; once more if it lost a
    race (two clicks started one response, or PostgreSQL broke a deadlock by undoing it)."""
    try:
        return _submit_once(workspace, form, visitor, token, posted, back)
    except (IntegrityError, OperationalError) as error:
        if isinstance(error, OperationalError) and not db.lost_a_race(error):
            raise
        return _submit_once(workspace, form, visitor, token, posted, back)


def _submit_once(workspace: str, form: str, visitor: str, token: Submission,
                 posted: dict[str, list[str]], back: bool) -> tuple[Published, Outcome]:
    with db.write_session() as session:
        fresh = find_published(session, workspace, form)
        identity: Identity | Callable[[], Identity]
        if token.response_id is None:  # a start: the plan needs to know who this is
            identity = identify(session, fresh.workspace.id, visitor)
            plan = plan_for(session, fresh, identity)
        else:  # asked for only if this submit completes the response
            identity, plan = partial(identify, session, fresh.workspace.id, visitor), None
        outcome = submit(session, fresh, visitor, token, posted, utcnow(), back=back,
                         min_fill_seconds=float(current_app.config["MIN_FILL_SECONDS"]),
                         identity=identity, plan=plan)
        _load_for_render(outcome)
        _ = (fresh.workspace.settings, fresh.form.slug)
    return fresh, outcome


def _accept_personal_link(published: Published) -> ResponseReturnValue:
    """A signed personal link proves who the visitor is; then drop it from the address."""
    try:
        workspace_id, contact_id = read_link_token(
            current_app.config["SECRET_KEY"], request.args["lf"],
            float(current_app.config["PERSONAL_LINK_DAYS"]))
    except LinkRefused as error:
        return _error_page(400, str(error), "Ask for a new link, or fill in the form as usual: "
                           + url_for("public.show_form", workspace=published.workspace.slug,
                                     form=published.form.slug))
    if workspace_id != published.workspace.id:
        return _error_page(400, "This personal link is not valid.", "It belongs elsewhere.")
    visitor = _visitor() or new_visitor_id()
    with db.write_session() as session:
        if session.get(Contact, contact_id) is None:
            return _error_page(400, "This personal link is no longer valid.",
                               "Please fill in the form as usual.")
        link_visitor(session, workspace_id, visitor, contact_id, "link", utcnow())
    g.visitor_id = visitor
    query = {name: value for name, value in request.args.items() if name != "lf"}
    return redirect(url_for("public.show_form", workspace=published.workspace.slug,
                            form=published.form.slug, **query), 303)


def _load_for_render(outcome: Outcome) -> None:
    """Touch what templates read, so rendering after commit needs no session."""
    _ = outcome.version.definition
    if outcome.response is not None:
        _ = (outcome.response.answers, outcome.response.hidden, outcome.response.meta)


def _finish(published: Published, outcome: Outcome) -> ResponseReturnValue:
    assert outcome.ending is not None and outcome.response is not None
    done_token = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DONE_SALT).dumps(
        outcome.response.id
    )
    done_url = url_for("public.show_ending", workspace=published.workspace.slug,
                       form=published.form.slug, token=done_token)
    if outcome.ending.get("type") == "redirect" and outcome.ending.get("url"):
        if _is_htmx():
            response = make_response("", 200)
            response.headers["HX-Redirect"] = outcome.ending["url"]
            return response
        return redirect(outcome.ending["url"], 303)
    if _is_htmx():
        response = make_response(_render(published, outcome))
        response.headers["HX-Push-Url"] = done_url
        return response
    return redirect(done_url, 303)


def _render(published: Published, outcome: Outcome, *, status: int = 200,
            start: dict[str, Any] | None = None, resumed: bool = False) -> ResponseReturnValue:
    definition = outcome.definition
    context: dict[str, Any] = {
        "workspace": published.workspace.slug,
        "form_slug": published.form.slug,
        "form_title": definition.get("title", ""),
        "embedded": request.args.get("embed") == "1" or request.form.get("_lf_embed") == "1",
        "resumed": resumed,
        "theme": page_theme(definition),
    }
    response = outcome.response
    answers = dict(response.answers) if response else {}
    hidden = dict(response.hidden) if response else {}
    if outcome.ending is not None:
        tracks = (published.workspace.settings or {}).get("nurture_tracks", {})
        context["ending"] = ending_view(outcome.ending, answers, hidden, tracks)
        if outcome.ending.get("type") == "book" and response is not None:
            from app.web.booking import ending_panel

            panel = ending_panel(response.id, published.workspace.slug, published.form.slug)
            if panel is not None:
                context.update(panel, booking_template=panel["template"])
        template = "public/_ending.html" if _is_htmx() else "public/ending.html"
    else:
        assert outcome.screen is not None
        token = Submission(
            version_id=outcome.version.id,
            response_id=response.id if response else None,
            screen=outcome.screen.key,
            nonce=new_nonce(),
            start=start if response is None else None,
        )
        context["token"] = sign_submission(current_app.config["SECRET_KEY"], token)
        context["screen"] = screen_view(outcome, is_last=_is_last(outcome))
        context["step_key"] = outcome.screen.key
        template = "public/_screen.html" if _is_htmx() else "public/form.html"
    http_response = make_response(render_template(template, **context), status)
    form_page_headers(http_response, definition)
    return http_response


def _is_last(outcome: Outcome) -> bool:
    assert outcome.screen is not None
    return screens_ahead(outcome.definition, outcome.screen, data_of(outcome.response)) == 0


def plan_for(session: Session, published: Published, identity: Identity) -> Plan:
    """The profiling plan for a visitor starting this form now (empty if unproven)."""
    known = revealable_properties(session, published.workspace, identity, utcnow())
    return make_plan(published.version.definition, known) if known else Plan()


def _published_or_404(workspace: str, form: str) -> Published:
    try:
        return find_published(db.session(), workspace, form)
    except FormClosed:
        abort(410)
    except NotFound:
        abort(404)


def _field_spec(published: Published, field_id: str) -> dict[str, Any] | None:
    definition = published.version.definition
    queued = (definition.get("profiling") or {}).get("queue", [])
    for spec in [*(f for step in definition["steps"] for f in step["fields"]), *queued]:
        if spec["id"] == field_id:
            return dict(spec)
    return None


def _visitor() -> str | None:
    return read_visitor(current_app.config["SECRET_KEY"], request.cookies.get(VISITOR_COOKIE))


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _error_page(status: int, title: str, message: str) -> ResponseReturnValue:
    return render_template("public/error.html", title=title, message=message), status


@bp.after_app_request
def _set_visitor_cookie(response: Response) -> Response:
    """Give every form visitor a signed id; keep the one a response already has."""
    if not request.path.startswith(("/f/", "/t/")):
        return response
    wanted = g.get("visitor_id") or _visitor() or new_visitor_id()
    if wanted != _visitor():
        secure = request.is_secure
        response.set_cookie(
            VISITOR_COOKIE,
            sign_visitor(current_app.config["SECRET_KEY"], wanted),
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            secure=secure,
            # Embedded on another site, the cookie must be sent cross-site (HTTPS only).
            samesite="None" if secure else "Lax",
            partitioned=secure,
        )
    return response

