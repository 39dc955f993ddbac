"""Downloading a form's responses as CSV (admins and marketers), and the page that asks how.

    GET /app/<ws>/forms/<form>/export          choose states, a date range, timezone, Excel
    GET /app/<ws>/forms/<form>/responses.csv   the file (?state=&from=&to=&tz=&bom=1);
                                               a bad filter is a 400 with the page and why
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, request, stream_with_context
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import db
from app.audit import record
from app.booking.picker import zone_choices
from app.models import Form, utcnow
from app.models import Response as FormResponse
from app.responses.export import export_filename, export_responses
from app.responses.export_filters import STATES, ExportFilters, FilterError, parse_filters
from app.responses.export_layout import STATE_LABELS
from app.web.builder import bp, editor_view, form_or_404, render_editor


@bp.get("/forms/<form>/export")
@editor_view
def export_page(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    return _page(target, _form_values(zone=_viewer_zone()))


@bp.get("/forms/<form>/responses.csv")
@editor_view
def responses_csv(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    args = request.args
    try:
        filters = parse_filters(args.getlist("state"), args.get("from"), args.get("to"),
                                args.get("tz"), args.get("bom"))
    except FilterError as error:
        return _page(target, _form_values(
            states=args.getlist("state"), first_day=args.get("from", ""),
            last_day=args.get("to", ""), zone=args.get("tz", ""),
            bom=args.get("bom", "")), error=str(error), status=400)
    filename = export_filename(target, utcnow())
    with db.write_session() as write:
        record(write, target.workspace_id, "export.download", target_type="form",
               target_id=target.id, summary=f"Downloaded the responses of {target.slug}",
               details={"states": list(args.getlist("state")), "from": args.get("from"),
                        "to": args.get("to")})
    return Response(stream_with_context(_streamed(target.workspace_id, target.id, filters)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Content-Type-Options": "nosniff"})


def _streamed(workspace_id: int, form_id: int, filters: ExportFilters) -> Iterator[bytes]:
    """The file's bytes, read in a session of its own that ends with the download.

    The request's session is closed at teardown, which comes before the body is sent.
    """
    with Session(db.engine(), expire_on_commit=False) as session:
        form = session.scalars(select(Form).where(Form.workspace_id == workspace_id,
                                                  Form.id == form_id)).one()
        for piece in export_responses(session, form, filters):
            yield piece.encode("utf-8", errors="replace")  # never a broken download


def _viewer_zone() -> str:
    """?tz= if given, else UTC; the page then starts on the browser's zone (static/export.js)."""
    return request.args.get("tz") or "UTC"


def _form_values(*, states: list[str] | None = None, first_day: str = "", last_day: str = "",
                 zone: str = "UTC", bom: str = "") -> dict[str, Any]:
    picked = {part.strip() for word in (states or []) for part in word.split(",")}
    return {"states": set(STATES) if not picked or picked == {"all"} else picked,
            "first_day": first_day[:40], "last_day": last_day[:40], "zone": zone[:64] or "UTC",
            "bom": bom.strip().lower() in ("1", "true", "yes", "on")}


def _page(form: Form, values: dict[str, Any], *, error: str = "",
          status: int = 200) -> ResponseReturnValue:
    return render_editor(
        "builder/export.html", form, values=values, error=error,
        counts=_counts(form), state_labels=STATE_LABELS, states=STATES,
        zones=zone_choices(values["zone"]), defaults=ExportFilters(),
    ), status


def _counts(form: Form) -> dict[str, int]:
    rows = db.session().execute(
        select(FormResponse.state, func.count()).where(
            FormResponse.workspace_id == form.workspace_id, FormResponse.form_id == form.id)
        .group_by(FormResponse.state))
    counts = {state: 0 for state in STATES}
    counts.update({state: count for state, count in rows})
    return counts
