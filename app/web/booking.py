"""Prospects book, cancel and reschedule meetings; a JSON endpoint for headless use.

The picker lives on the ending of a response routed to `book`: the ending's
signed token (the done link) is the capability. Cancel and reschedule links are
signed separately and expire when the meeting starts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from app import db
from app.alerts.channels import calendar_attachment
from app.booking.picker import describe_time, known_zone, picker_view, zone_choices
from app.booking.service import (
    Context,
    NotBookable,
    SlotTaken,
    active_booking,
    book,
    booking_context,
    booking_data,
    cancel,
    context_for,
    offered_slots,
    reschedule,
)
from app.extensions import csrf, limiter
from app.models import Booking, Response, User, Workspace, utcnow
from app.web.security import form_page_headers

bp = Blueprint("booking", __name__)
csrf.exempt(bp)  # the prospect's capability is the signed link, as on the form itself

# URL rules of this blueprint, in one place:
#   GET  /f/<ws>/<form>/done/<token>/slots     the picker (htmx partial or a full page)
#   POST /f/<ws>/<form>/done/<token>/book      book a time (start=ISO UTC, tz=IANA)
#   GET  /api/v1/responses/<token>/slots       the routed team's free slots as JSON
#   GET  /b/<manage>                           a booking: time, cancel, reschedule
#   POST /b/<manage>/cancel                    cancel it
#   GET  /b/<manage>/reschedule                the picker for a new time
#   POST /b/<manage>/reschedule                move it
#   GET  /b/<manage>/invite.ics                the invitation, for any calendar

DONE_SALT = "leadform.done"
MANAGE_SALT = "leadform.booking"
TZ_COOKIE = "lf_tz"


def _response_for_done(token: str) -> Response:
    try:
        response_id = URLSafeSerializer(current_app.config["SECRET_KEY"],
                                        salt=DONE_SALT).loads(token)
    except BadSignature:
        abort(404)
    response = db.session().get(Response, response_id)
    if response is None or response.state != "completed":
        abort(404)
    return response


def _context(token: str, workspace: str | None = None, form: str | None = None) -> Context:
    response = _response_for_done(token)
    try:
        context = context_for(db.session(), response)
    except NotBookable:
        abort(404)
    if workspace is not None and context.workspace.slug != workspace:
        abort(404)
    if form is not None and response.version.form.slug != form:
        abort(404)
    return context


def viewer_zone() -> str:
    """The timezone asked for (?tz=), else remembered, else UTC (the page detects the real one)."""
    return (known_zone(request.values.get("tz")) or known_zone(request.cookies.get(TZ_COOKIE))
            or "UTC")


def _selected_day() -> date | None:
    try:
        return date.fromisoformat(request.values.get("day", ""))
    except ValueError:
        return None


def manage_token(booking: Booking) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=MANAGE_SALT).dumps(
        {"b": booking.id, "u": booking.uid})


def manage_url(booking: Booking) -> str:
    return url_for("booking.manage", token=manage_token(booking), _external=True)


def picker_context(context: Context, *, post_url: str, slots_url: str, message: str = "",
                   ) -> dict[str, Any]:
    """Everything the picker partial shows, for the viewer's timezone and chosen day."""
    zone = viewer_zone()
    view = picker_view(offered_slots(db.session(), context, utcnow()), zone, _selected_day())
    chosen = request.values.get("tz") or request.cookies.get(TZ_COOKIE)
    return {"picker": view, "zones": zone_choices(zone), "meeting": context.meeting,
            "tz_is_default": not known_zone(chosen),
            "post_url": post_url, "slots_url": slots_url, "message": message}


def _done_urls(workspace: str, form: str, token: str) -> dict[str, str]:
    return {"post_url": url_for("booking.book_slot", workspace=workspace, form=form, token=token),
            "slots_url": url_for("booking.slots", workspace=workspace, form=form, token=token)}


def _page(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    full = request.headers.get("HX-Request") != "true"
    html = render_template(template, full_page=full, **context)
    response = make_response(html, status)
    form_page_headers(response, {})
    if request.values.get("tz") and known_zone(request.values.get("tz")):
        response.set_cookie(TZ_COOKIE, viewer_zone(), max_age=365 * 86400, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


@bp.get("/f/<workspace>/<form>/done/<token>/slots")
def slots(workspace: str, form: str, token: str) -> ResponseReturnValue:
    context = _context(token, workspace, form)
    booked = active_booking(db.session(), context.response.id)
    if booked is not None:
        return _page("public/booking_done.html", **_booked(booked))
    return _page("public/booking_picker.html", **picker_context(
        context, **_done_urls(workspace, form, token)))


def _submit_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


@bp.post("/f/<workspace>/<form>/done/<token>/book")
@limiter.limit(_submit_limit)
def book_slot(workspace: str, form: str, token: str) -> ResponseReturnValue:
    context = _context(token, workspace, form)
    start = _posted_start()
    try:
        with db.write_session() as session:
            fresh = context_for(session, session.get(Response, context.response.id))
            booking = book(session, fresh, start, viewer_zone(), utcnow(),
                           manage_url=manage_url) if start else None
            if booking is None:
                raise SlotTaken("Choose one of the times shown.")
            shown = _booked(booking)
    except SlotTaken as taken:
        db.session().expire_all()
        message = (f"{taken} Sorry about that: here are the times still free."
                   if start else str(taken))
        return _page("public/booking_picker.html", 409, **picker_context(
            context, message=message, **_done_urls(workspace, form, token)))
    if request.headers.get("HX-Request") == "true":
        return _page("public/booking_done.html", **shown)
    return redirect(url_for("public.show_ending", workspace=workspace, form=form, token=token),
                    303)


def _posted_start() -> datetime | None:
    try:
        start = datetime.fromisoformat(request.form.get("start", ""))
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


def _booked(booking: Booking) -> dict[str, Any]:
    zone = known_zone(booking.timezone) or "UTC"
    rep = db.session().get(User, booking.rep_id)
    return {"booking": booking, "when": describe_time(booking.start_at, booking.end_at, zone),
            "rep_name": (rep.name or rep.email) if rep else "", "manage": manage_url(booking),
            "invites": bool(current_app.config.get("SMTP_HOST")),
            "meeting": booking.meeting_type}


@bp.get("/api/v1/responses/<token>/slots")
def slots_json(token: str) -> ResponseReturnValue:
    context = _context(token)
    zone = viewer_zone()
    found = offered_slots(db.session(), context, utcnow())
    return jsonify({
        "team": context.team.slug, "meeting_type": context.meeting.slug,
        "duration_minutes": context.meeting.duration_minutes, "timezone": zone,
        "slots": [{"start": slot.start.isoformat(), "end": slot.end.isoformat()}
                  for slot in found],
    })


# --- managing a booking ------------------------------------------------------------------


def _booking_for(token: str) -> Booking:
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=MANAGE_SALT).loads(
            token, max_age=int(current_app.config.get("BOOKING_LINK_DAYS", 60)) * 86400)
    except SignatureExpired:
        abort(410)
    except BadSignature:
        abort(404)
    booking = db.session().get(Booking, data.get("b")) if isinstance(data, dict) else None
    if booking is None or booking.uid != data.get("u"):
        abort(404)
    return booking


@bp.get("/b/<token>")
def manage(token: str) -> ResponseReturnValue:
    booking = _booking_for(token)
    return _page("public/booking_manage.html", token=token, past=booking.start_at <= utcnow(),
                 **_booked(booking))


@bp.post("/b/<token>/cancel")
@limiter.limit(_submit_limit)
def cancel_booking(token: str) -> ResponseReturnValue:
    booking = _booking_for(token)
    if booking.start_at <= utcnow():
        return _page("public/booking_manage.html", 409, token=token, past=True,
                     **_booked(booking))
    with db.write_session() as session:
        fresh = session.get(Booking, booking.id)
        cancel(session, fresh, utcnow(), reason=request.form.get("reason", "")[:300],
               manage_url=manage_url)
    return redirect(url_for("booking.manage", token=token), 303)


@bp.route("/b/<token>/reschedule", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def reschedule_booking(token: str) -> ResponseReturnValue:
    booking = _booking_for(token)
    if booking.status != "active" or booking.start_at <= utcnow():
        return redirect(url_for("booking.manage", token=token), 303)
    session = db.session()
    context = booking_context(session, booking)
    urls = {"post_url": url_for("booking.reschedule_booking", token=token),
            "slots_url": url_for("booking.reschedule_booking", token=token)}
    if request.method == "GET":
        return _page("public/booking_picker.html", **picker_context(context, **urls))
    start = _posted_start()
    try:
        if start is None:
            raise SlotTaken("Choose one of the times shown.")
        with db.write_session() as write:
            reschedule(write, write.get(Booking, booking.id), start, utcnow(),
                       manage_url=manage_url)
    except SlotTaken as taken:
        session.expire_all()
        return _page("public/booking_picker.html", 409, **picker_context(
            context, message=f"{taken} Here are the times still free.", **urls))
    return redirect(url_for("booking.manage", token=token), 303)


@bp.get("/b/<token>/invite.ics")
def invite(token: str) -> ResponseReturnValue:
    booking = _booking_for(token)
    session = db.session()
    workspace = session.get(Workspace, booking.workspace_id)
    event = {"type": "booking.created" if booking.status == "active" else "booking.cancelled",
             "created_at": booking.created_at.isoformat(),
             "data": {"workspace": {"name": workspace.name if workspace else ""},
                      "booking": booking_data(session, booking, None)}}
    attachment = calendar_attachment(event)
    if attachment is None:
        abort(404)
    response = make_response(attachment[1])
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={attachment[0]}"
    response.headers["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


def ending_panel(response_id: int, workspace: str, form: str) -> dict[str, Any] | None:
    """For a `book` ending: the picker, or the booked meeting; None when nothing to book."""
    response = db.session().get(Response, response_id)
    if response is None:
        return None
    try:
        context = context_for(db.session(), response)
    except NotBookable:
        return None
    token = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DONE_SALT).dumps(
        response.id)
    booked = active_booking(db.session(), response.id)
    if booked is not None:
        return {"template": "public/booking_done.html", "booking_styles": True,
                **_booked(booked)}
    return {"template": "public/booking_picker.html", "booking_styles": True,
            **picker_context(context, **_done_urls(workspace, form, token))}
