"""How each channel sends one delivery, and what the receiver's answer means.

A registry of channels (webhook, Slack, email), each turning a claimed `Job`
into an `Outcome`. Nothing here touches the database: the worker records
outcomes, so a slow receiver never holds a transaction open.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.alerts import messages
from app.alerts.mail import MailError, send_email
from app.alerts.net import HttpResult, NetworkError, post
from app.alerts.retry import retry_after
from app.alerts.settings import AlertSettings
from app.alerts.signing import webhook_headers
from app.alerts.sla_email import sla_escalation_email
from app.alerts.slack import slack_message


@dataclass(frozen=True)
class Job:
    """A claimed delivery, as plain data: everything needed to send it."""

    delivery_id: int
    channel: str
    attempts: int
    event: dict[str, Any]  # the envelope: id, type, created_at, data
    endpoint_id: int | None = None
    url: str | None = None
    secrets: tuple[str, ...] = ()
    recipient: str | None = None
    template: str | None = None

    @property
    def event_id(self) -> str:
        return str(self.event["id"])


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    error: str | None = None
    retry_after: timedelta | None = None
    permanent: bool = False  # no point trying again
    disable_endpoint: bool = False  # the receiver said 410 Gone


Sender = Callable[[Job, AlertSettings, datetime], Outcome]
CHANNELS: dict[str, Sender] = {}


def channel(name: str) -> Callable[[Sender], Sender]:
    def register(sender: Sender) -> Sender:
        if name in CHANNELS:
            raise RuntimeError(f"channel {name!r} registered twice")
        CHANNELS[name] = sender
        return sender

    return register


def send(job: Job, settings: AlertSettings, now: datetime) -> Outcome:
    sender = CHANNELS.get(job.channel)
    if sender is None:
        return Outcome(False, error=f"unknown channel {job.channel!r}", permanent=True)
    try:
        return sender(job, settings, now)
    except Exception as error:  # noqa: BLE001 - one bad row must not stop the worker
        return Outcome(False, error=f"internal error: {type(error).__name__}")


def http_outcome(result: HttpResult, now: datetime) -> Outcome:
    """Only 2xx succeeds; 3xx is a failure (never followed); 410 disables the endpoint;
    429 and 503 say when to come back."""
    status = result.status
    if 200 <= status < 300:
        return Outcome(True, status=status)
    error = f"HTTP {status}"
    if result.body_excerpt.strip():
        error += f": {result.body_excerpt.strip()[:200]}"
    if status == 410:
        return Outcome(False, status=status, error=error, permanent=True, disable_endpoint=True)
    wait = retry_after(result.headers.get("retry-after"), now) if status in (429, 503) else None
    return Outcome(False, status=status, error=error, retry_after=wait)


def webhook_body(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


@channel("webhook")
def send_webhook(job: Job, settings: AlertSettings, now: datetime) -> Outcome:
    if not job.url or not job.secrets:
        return Outcome(False, error="the endpoint has no URL or secret", permanent=True)
    body = webhook_body(job.event)
    # webhook-id is the event's id on every attempt; the timestamp is fresh each time.
    headers = webhook_headers(job.secrets, job.event_id, int(time.time()), body)
    return _post(job.url, body, headers, settings, now)


@channel("slack")
def send_slack(job: Job, settings: AlertSettings, now: datetime) -> Outcome:
    if not job.url:
        return Outcome(False, error="the Slack endpoint has no URL", permanent=True)
    body = json.dumps(slack_message(job.event), ensure_ascii=False).encode()
    return _post(job.url, body, {"Content-Type": "application/json"}, settings, now)


def _post(url: str, body: bytes, headers: dict[str, str], settings: AlertSettings,
          now: datetime) -> Outcome:
    try:
        result = post(url, body, headers, timeout=settings.http_timeout, allow=settings.allow)
    except NetworkError as error:
        return Outcome(False, error=str(error)[:500])
    return http_outcome(result, now)


@channel("email")
def send_mail(job: Job, settings: AlertSettings, now: datetime) -> Outcome:
    if settings.smtp is None:
        return Outcome(False, error="SMTP is not configured (set LEADFORM_SMTP_HOST)")
    if not job.recipient:
        return Outcome(False, error="no recipient", permanent=True)
    sender = settings.smtp.sender
    if job.template in ("prospect_confirmation", "booking_invite"):
        message = messages.prospect_confirmation_email(job.event, sender=sender,
                                                       to=job.recipient)
    elif job.template == "sla_escalation":
        message = sla_escalation_email(job.event, sender=sender, to=job.recipient)
    else:
        message = messages.sales_alert_email(job.event, sender=sender, to=[job.recipient])
    invite = calendar_attachment(job.event)
    if invite is not None:
        method, body = invite
        message.add_attachment(body, maintype="text", subtype="calendar",
                               params={"method": method}, filename="invite.ics")
    try:
        send_email(message, settings.smtp)
    except MailError as error:
        return Outcome(False, error=str(error)[:500], permanent=error.permanent)
    return Outcome(True)


def calendar_attachment(event: dict[str, Any]) -> tuple[str, bytes] | None:
    """A booking event's invitation (REQUEST) or its withdrawal (CANCEL), for both sides."""
    booking = (event.get("data") or {}).get("booking")
    if not isinstance(booking, dict) or not event.get("type", "").startswith("booking."):
        return None
    from app.booking.ics import invitation

    rep, attendee = booking.get("rep") or {}, booking.get("attendee") or {}
    if not (rep.get("email") and attendee.get("email")):
        return None
    cancelled = event["type"] == "booking.cancelled"
    workspace = ((event.get("data") or {}).get("workspace") or {}).get("name") or "us"
    lines = [booking.get("description") or ""]
    if booking.get("manage_url") and not cancelled:
        lines.append(f"Reschedule or cancel: {booking['manage_url']}")
    method = "CANCEL" if cancelled else "REQUEST"
    body = invitation(
        uid=str(booking["uid"]), sequence=int(booking.get("sequence") or 0),
        start=datetime.fromisoformat(booking["start"]), end=datetime.fromisoformat(booking["end"]),
        summary=f"{booking.get('meeting') or 'Meeting'} with {workspace}",
        description="\n\n".join(line for line in lines if line),
        organizer_email=rep["email"], organizer_name=rep.get("name") or rep["email"],
        attendee_email=attendee["email"], attendee_name=attendee.get("name"),
        location=booking.get("location") or None, method=method,
        status="CANCELLED" if cancelled else "CONFIRMED",
        now=datetime.fromisoformat(event["created_at"]) if event.get("created_at") else None)
    return method, body
