"""A rep's own calendar settings: timezone, weekly hours, days off, and a busy feed.

The feed's last fetch and its error are shown here, so a rep can fix a wrong
address; the address itself is a secret and is never shown back in full.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app import db
from app.alerts.settings import AlertSettings
from app.booking.calendars import (
    DAY_NAMES,
    CalendarError,
    calendar_of,
    parse_intervals,
    set_feed,
    set_hours,
)
from app.booking.picker import zone_choices
from app.models import User
from app.web.access import add_nav_item, protect_backoffice, workspace_member

bp = Blueprint("calendar", __name__, url_prefix="/app/<workspace>/calendar")
protect_backoffice(bp)
add_nav_item(bp, "My calendar", "calendar.index", order=60)

# URL rules of this blueprint, in one place (every member: reps set their own):
#   GET  /app/<ws>/calendar/     hours, days off, feed status
#   POST /app/<ws>/calendar/     save them

DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarForm(FlaskForm):
    timezone = SelectField("Your timezone")
    mon = StringField("Monday", validators=[Length(max=200)])
    tue = StringField("Tuesday", validators=[Length(max=200)])
    wed = StringField("Wednesday", validators=[Length(max=200)])
    thu = StringField("Thursday", validators=[Length(max=200)])
    fri = StringField("Friday", validators=[Length(max=200)])
    sat = StringField("Saturday", validators=[Length(max=200)])
    sun = StringField("Sunday", validators=[Length(max=200)])
    overrides = TextAreaField("Days off and special hours", validators=[Length(max=4000)])
    feed_url = StringField("Your calendar's secret iCal address", validators=[Length(max=2000)])
    remove_feed = BooleanField("Stop using my calendar feed")


def _form(**data: object) -> CalendarForm:
    form = CalendarForm(**data)
    zone = str(form.timezone.data or "UTC")
    form.timezone.choices = [SelectChoice(name, name.replace("_", " "))
                             for name in zone_choices(zone)]
    return form


def _as_text(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals) or "off"


@bp.get("/")
@workspace_member()
def index(workspace: str) -> ResponseReturnValue:
    row = calendar_of(db.session(), g.workspace.id, int(current_user.id))
    data: dict[str, object] = {"timezone": row.timezone if row else "UTC"}
    for index, name in enumerate(DAY_NAMES):
        data[name] = _as_text((row.weekly_hours or {}).get(str(index), [])) if row else (
            "09:00-17:00" if index < 5 else "off")
    if row:
        data["overrides"] = "\n".join(f"{day}: {_as_text(hours)}"
                                      for day, hours in sorted((row.overrides or {}).items()))
    return _page(_form(formdata=None, data=data), row)


@bp.post("/")
@workspace_member()
def save(workspace: str) -> ResponseReturnValue:
    form = _form()
    if not form.validate():
        return _page(form, None, 422)
    session = db.session()
    user = session.get(User, int(current_user.id))
    assert user is not None
    try:
        weekly = {name: _field_intervals(form, name) for name in DAY_NAMES}
        overrides = _parse_overrides(form.overrides.data or "")
        row = set_hours(session, g.workspace.id, user, timezone=str(form.timezone.data),
                        weekly={name: hours for name, hours in weekly.items() if hours},
                        overrides=overrides)
        new_feed = (form.feed_url.data or "").strip()
        if new_feed:
            set_feed(session, g.workspace.id, user, new_feed,
                     AlertSettings.from_config(current_app.config).allow)
        elif form.remove_feed.data and row.feed_url:
            set_feed(session, g.workspace.id, user, None)
    except CalendarError as error:
        session.rollback()
        form.form_errors.append(str(error))
        return _page(form, calendar_of(session, g.workspace.id, user.id), 422)
    session.commit()
    flash("Your calendar is saved.", "success")
    return redirect(url_for(".index", workspace=workspace), 303)


def _field_intervals(form: CalendarForm, name: str) -> list[list[str]]:
    try:
        return parse_intervals(getattr(form, name).data or "")
    except CalendarError as error:
        raise CalendarError(f"{DAY_LABELS[DAY_NAMES.index(name)]}: {error}") from None


def _parse_overrides(text: str) -> dict[str, list[list[str]]]:
    overrides = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        day, colon, hours = line.partition(":")
        if not colon:
            raise CalendarError(f"Line {number}: write it as 2026-12-24: off, or "
                                "2026-12-27: 10:00-14:00")
        overrides[day.strip()] = parse_intervals(hours)
    return overrides


def _page(form: CalendarForm, row: object, status: int = 200) -> ResponseReturnValue:
    feed = None
    if row is not None and getattr(row, "feed_url", None):
        url = str(row.feed_url).replace("webcal://", "https://")
        feed = {"host": urlsplit(url).hostname, "fetched_at": row.feed_fetched_at,
                "error": row.feed_error}
    return render_template("backoffice/calendar.html", form=form, feed=feed,
                           days=list(zip(DAY_NAMES, DAY_LABELS, strict=True))), status
