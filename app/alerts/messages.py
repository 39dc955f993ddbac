"""Lead alerts as people read them: the event read once, the sales email, the prospect's
confirmation (Slack blocks are in `app.alerts.slack`).

Pure: an event envelope (a dict from the outbox) in, a payload or an `EmailMessage` out.
Every value in the event may be missing, None or of an odd type; the renderers never raise
on that, they leave the line out (reading odd values: `app.alerts.display`). Respondent
text is escaped for each medium.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.alerts.display import (
    _fmt_num,
    _http_url,
    _items,
    _num,
    _obj,
    _parse_time,
    _text,
    _token,
    clip,
    format_when,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "alerts"

MAX_REASONS = 3
MAX_ANSWERS = 8
MAX_PAGES = 5
VALUE_MAX = 300
LABEL_MAX = 120
SOURCE_KEYS = (("utm_source", "Source"), ("utm_medium", "Medium"), ("utm_campaign", "Campaign"))
ROUTE_VERBS = {"book": "Book", "nurture": "Nurture", "disqualify": "Disqualify",
               "redirect": "Redirect", "none": "No route"}
HEADLINES = {  # event type -> (emoji, headline prefix)
    "lead.qualified": ("🔥", "New {stage}"),
    "lead.stage_changed": ("📈", "Now {stage}"),
    "response.completed": ("📝", "New response"),
    "booking.created": ("📅", "Meeting booked"),
    "booking.cancelled": ("❌", "Meeting cancelled"),
    "route.fallback_hit": ("⚠️", "Fallback route used"),
    "lead.accepted": ("✅", "Accepted"),
    "lead.disposition": ("↩️", "Rejected"),
    "lead.reassigned": ("🔀", "Reassigned"),
    "lead.outcome": ("🏁", "Outcome"),
    "lead.sla_overdue": ("⏰", "First touch overdue"),
}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)



# -- the facts every renderer shows ------------------------------------------------------------

@dataclass(frozen=True)
class Alert:
    """What an event says, as display strings; templates and blocks only arrange it."""

    kind: str
    event_id: str
    created: datetime | None
    emoji: str
    headline: str
    subject: str
    workspace: str
    lead_id: str
    stage: str
    stage_from: str
    change_reason: str
    score: str
    score_line: str
    reasons: list[tuple[str, str]] = field(default_factory=list)
    owner: str = ""
    owner_email: str = ""
    team: str = ""
    owner_line: str = ""
    assignment_reason: str = ""
    url: str = ""
    name: str = ""
    first_name: str = ""
    email: str = ""
    company: str = ""
    job_title: str = ""
    contact_line: str = ""
    destination: str = ""
    route: str = ""
    form: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)
    answers_more: int = 0
    source: list[tuple[str, str]] = field(default_factory=list)
    pages: list[tuple[str, str]] = field(default_factory=list)
    pages_more: int = 0
    when: str = ""
    when_local: str = ""
    meeting: str = ""
    booking_rep: str = ""
    booking_rep_email: str = ""


def _reasons(lead: dict[Any, Any]) -> list[tuple[str, str]]:
    rows = []
    for item in _items(lead.get("top_reasons"))[:MAX_REASONS]:
        reason = _obj(item)
        text = _text(reason.get("reason"), 200) or _text(reason.get("rule"), 200)
        points = _num(reason.get("points"))
        if not text and points is None:
            continue
        sign = "" if points is None else ("+" if points >= 0 else "-") + _fmt_num(abs(points))
        dimension = _text(reason.get("dimension"), 20)
        rows.append((sign, f"{text} ({dimension})" if dimension and text else text))
    return rows


def _answers(response: dict[Any, Any]) -> tuple[list[tuple[str, str]], int]:
    rows = []
    for item in _items(response.get("answers")):
        answer = _obj(item)
        value = _text(answer.get("value"), VALUE_MAX)
        label = _text(answer.get("label"), LABEL_MAX) or _text(answer.get("field"), LABEL_MAX)
        if value:
            rows.append((label or "Answer", value))
    return rows[:MAX_ANSWERS], max(0, len(rows) - MAX_ANSWERS)


def _source(response: dict[Any, Any]) -> list[tuple[str, str]]:
    hidden = _obj(response.get("hidden"))
    rows = [(label, _text(hidden.get(key), 200)) for key, label in SOURCE_KEYS]
    rows += [("Referrer", _text(response.get("referrer"), 300)),
             ("Landing page", _text(response.get("landing_page"), 300))]
    return [(label, value) for label, value in rows if value]


def _pages(pages_viewed: Any) -> tuple[list[tuple[str, str]], int]:
    rows = []
    for item in _items(pages_viewed):
        page = _obj(item)
        url, title = _text(page.get("url"), 300), _text(page.get("title"), 150)
        if url or title:
            rows.append((title or url, url if title else ""))
    return rows[:MAX_PAGES], max(0, len(rows) - MAX_PAGES)


def _route(destination: dict[Any, Any]) -> str:
    kind = _text(destination.get("kind"), 30)
    if not kind:
        return ""
    target = _text(destination.get("target"), 200)
    route = ROUTE_VERBS.get(kind, kind.capitalize()) + (f" → {target}" if target else "")
    return route + (" (fallback)" if destination.get("fallback") is True else "")


def read_event(event: Any) -> Alert:
    """Everything the renderers show, read defensively from an event envelope."""
    event = _obj(event)
    data = _obj(event.get("data"))
    lead, contact = _obj(data.get("lead")), _obj(data.get("contact"))
    owner, team = _obj(lead.get("owner")), _obj(lead.get("team"))
    destination, response = _obj(data.get("destination")), _obj(data.get("response"))
    booking, change = _obj(data.get("booking")), _obj(data.get("change"))
    booking_rep = _obj(booking.get("rep"))
    kind = _text(event.get("type"), 40)

    name, email = _text(contact.get("name"), 100), _text(contact.get("email"), 200)
    company, job_title = _text(contact.get("company"), 100), _text(contact.get("job_title"), 100)
    who = name or email or "Unknown contact"
    stage = (_text(change.get("to"), 20) or _text(lead.get("stage"), 20)).upper()
    if kind == "lead.qualified":
        stage = stage or "SQL"
    fit, intent, total = (_fmt_num(lead.get(k)) for k in ("fit", "intent", "total"))
    parts = [f"fit {fit}" if fit else "", f"intent {intent}" if intent else ""]
    breakdown = " · ".join(p for p in parts if p)
    score_line = f"{total} ({breakdown})" if total and breakdown else total or breakdown
    owner_name, team_name = _text(owner.get("name"), 100), _text(team.get("name"), 100)
    when = format_when(booking.get("start"), booking.get("end"), booking.get("timezone"))

    emoji, prefix = HEADLINES.get(kind, ("🔔", "Leadform"))
    prefix = prefix.format(stage=stage or "stage")
    headline = f"{prefix}: {who}" + (f", {company}" if company else "")
    subject = f"{prefix}: {who}" + (f" ({company})" if company else "")
    if kind.startswith("booking.") and when:
        subject += f", {when}"
    elif total:
        subject += f", score {total}"
    title_at = " at ".join(p for p in (job_title, company) if p)
    answers, answers_more = _answers(response)
    pages, pages_more = _pages(data.get("pages_viewed"))
    return Alert(
        kind=kind, event_id=_text(event.get("id"), 100),
        created=_parse_time(event.get("created_at")), emoji=emoji,
        headline=headline, subject=subject,
        workspace=_text(_obj(data.get("workspace")).get("name"), 100),
        lead_id=_fmt_num(lead.get("id")), stage=stage,
        stage_from=_text(change.get("from"), 20).upper(),
        change_reason=_text(change.get("reason"), 200),
        score=total, score_line=score_line, reasons=_reasons(lead),
        owner=owner_name, owner_email=_text(owner.get("email"), 200), team=team_name,
        owner_line=" · ".join(p for p in (owner_name, team_name) if p) or "Unassigned",
        assignment_reason=_text(lead.get("assignment_reason"), 150),
        url=_http_url(lead.get("url")),
        name=name, first_name=name.split(" ")[0] if name else "", email=email,
        company=company, job_title=job_title,
        contact_line=" · ".join(p for p in (who, title_at) if p) if name or email else title_at,
        destination=_text(destination.get("kind"), 30), route=_route(destination),
        form=_text(_obj(response.get("form")).get("title"), 150),
        answers=answers, answers_more=answers_more, source=_source(response),
        pages=pages, pages_more=pages_more, when=when,
        when_local=format_when(booking.get("start"), booking.get("end"),
                               booking.get("timezone"), local_first=True),
        meeting=_text(booking.get("meeting"), 150),
        booking_rep=_text(booking_rep.get("name"), 100),
        booking_rep_email=_text(booking_rep.get("email"), 200),
    )


def plain_summary(event: Any) -> str:
    """A log line without personal data: ids, stage, score and route only."""
    alert = read_event(event)
    data = _obj(_obj(event).get("data"))
    destination = _obj(data.get("destination"))
    parts = [_token(alert.kind) or "event", _token(alert.event_id)]
    if alert.lead_id:
        parts.append(f"lead {_token(alert.lead_id)}")
    stage_from, stage = _token(alert.stage_from).lower(), _token(alert.stage).lower()
    if stage:
        parts.append(f"stage {stage_from}→{stage}" if stage_from else f"stage {stage}")
    if alert.score:
        parts.append(f"score {alert.score}")
    kind = _token(destination.get("kind"))
    if kind:
        # A redirect target is a URL that may carry prefilled answers: show its host only.
        target = destination.get("target")
        if kind == "redirect":
            host = urlsplit(_http_url(target)).hostname or ""
            target_text = re.sub(r"[^A-Za-z0-9.-]", "", host)
        else:
            target_text = re.sub(r"[^A-Za-z0-9._/-]", "", _text(target))[:100]
        parts.append(f"→ {kind} {target_text}".rstrip())
    return " ".join(p for p in parts if p)


# -- email -------------------------------------------------------------------------------------

def _header(value: Any, limit: int = 250) -> str:
    """One header line: no CR/LF (no header injection), no control characters."""
    return _text(value if isinstance(value, str) else "", limit)


def _message_id(event: Any, suffix: str = "") -> str:
    token = _token(_obj(event).get("id"))
    if not token:  # No id: hash the event, so a retry of the same event still matches.
        token = "evt-" + hashlib.sha256(repr(event).encode("utf-8", "replace")).hexdigest()[:32]
    return f"<{token}{suffix}@leadform>"


def _compose(alert: Alert, event: Any, *, template: str, subject: str, sender: str,
             to: str, suffix: str = "", **context: Any) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _header(subject)
    message["From"] = _header(sender)
    message["To"] = _header(to, 2000)
    message["Date"] = format_datetime(alert.created or datetime.now(UTC))
    message["Message-ID"] = _message_id(event, suffix)
    message["X-Leadform-Event"] = _token(alert.event_id) or _message_id(event).strip("<>")
    message["Auto-Submitted"] = "auto-generated"
    values = {"alert": alert, **context}
    message.set_content(_env.get_template(f"{template}.txt").render(values))
    message.add_alternative(_env.get_template(f"{template}.html").render(values), subtype="html")
    return message


def sales_alert_email(event: Any, *, sender: str, to: list[str]) -> EmailMessage:
    """The rep's alert: who, score and why, route, answers and source, a link to the lead."""
    alert = read_event(event)
    addresses = [to] if isinstance(to, str) else _items(to)
    recipients = ", ".join(_header(a) for a in addresses if _header(a))
    preheader = " · ".join(p for p in (
        f"Score {alert.score}" if alert.score else "",
        alert.reasons[0][1] if alert.reasons else "", alert.route, alert.when) if p)
    message = _compose(alert, event, template="sales_alert", subject=alert.subject,
                       sender=sender, to=recipients, preheader=preheader)
    message["X-Auto-Response-Suppress"] = "All"
    return message


def _next_step(alert: Alert) -> str:
    """What the prospect can expect, by route; never internal data."""
    company = alert.workspace or "our team"
    rep = alert.booking_rep or alert.owner
    if alert.kind == "booking.cancelled":
        when = f" on {alert.when_local}" if alert.when_local else ""
        return f"Your meeting{when} has been cancelled. Reply to this email to find a new time."
    if alert.destination == "book" and alert.when_local:
        meeting = f" for your {alert.meeting}" if alert.meeting else ""
        return f"{rep or 'We'} will meet you on {alert.when_local}{meeting}."
    if alert.destination == "book":
        return f"{rep} from {company} will be in touch shortly." if rep else (
            f"Someone from {company} will be in touch shortly.")
    if alert.destination == "nurture":
        return "We'll send you a few resources that should help in the meantime."
    return "We have received your answers."


def prospect_confirmation_email(event: Any, *, sender: str, to: str) -> EmailMessage:
    """The automated first touch: thanks by first name and what happens next. No internals."""
    alert = read_event(event)
    company = alert.workspace or "us"
    if alert.kind == "booking.cancelled":
        subject = "Your meeting has been cancelled"
    elif alert.destination == "book" and alert.when_local:
        subject = f"Confirmed: your meeting with {company}, {alert.when_local}"
    else:
        subject = f"Thanks for getting in touch with {company}"
    message = _compose(alert, event, template="prospect_confirmation", subject=subject,
                       sender=sender, to=_header(to), suffix="-confirmation",
                       greeting=f"Hi {alert.first_name}," if alert.first_name else "Hi there,",
                       next_step=_next_step(alert),
                       signature=alert.booking_rep or alert.owner or alert.workspace)
    reply_to = _header(alert.booking_rep_email or alert.owner_email)
    if re.fullmatch(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+", reply_to):
        message["Reply-To"] = reply_to
    return message


# `format_when` and `clip` moved to app.alerts.display; they are still importable from here.
__all__ = ["Alert", "clip", "format_when", "plain_summary", "prospect_confirmation_email",
           "read_event", "sales_alert_email"]
