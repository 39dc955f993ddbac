"""The escalation email: a lead's first-touch SLA ran out, to the team lead (pure).

An event envelope in, an `EmailMessage` out, with the sales alert's facts (who, score,
why, a link) and the clock's (stage, target, due, how late, whose lead, who has it now).
Odd or missing values leave their line out, as in `app.alerts.messages`.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from app.alerts.display import _num, _obj, _text, format_when
from app.alerts.messages import _compose, _header, read_event
from app.qualify.sla import STAGE_LABELS, format_minutes


def sla_facts(event: Any) -> list[tuple[str, str]]:
    """(label, value) lines about the clock, in reading order."""
    sla = _obj(_obj(_obj(event).get("data")).get("sla"))
    lead = _obj(_obj(_obj(event).get("data")).get("lead"))
    stage = _text(sla.get("stage"), 20)
    target, late = _num(sla.get("target_minutes")), _num(sla.get("late_seconds"))
    previous = _text(_obj(sla.get("previous_owner")).get("name"), 100)
    now_with = _text(_obj(lead.get("owner")).get("name"), 100)
    rows = [
        ("Stage", STAGE_LABELS.get(stage, stage.upper())),
        ("Target", f"first touch within {format_minutes(target)}" if target and target > 0
         else ""),
        ("Due", format_when(sla.get("due_at"))),
        ("Late by", format_minutes(late / 60) if late is not None and late >= 0 else ""),
        ("Owner", previous or "Unassigned"),
        ("Now with", f"{now_with} (fallback rep)" if sla.get("reassigned") is True and now_with
         else ""),
    ]
    return [(label, value) for label, value in rows if value]


def sla_escalation_email(event: Any, *, sender: str, to: str) -> EmailMessage:
    alert = read_event(event)
    facts = dict(sla_facts(event))
    late = facts.get("Late by")
    stage = facts.get("Stage", "")
    subject = alert.headline + (f" ({stage} lead, {late} past due)" if late and stage else "")
    message = _compose(alert, event, template="sla_escalation", subject=subject,
                       sender=sender, to=_header(to), suffix="-sla",
                       facts=sla_facts(event),
                       preheader=" · ".join(p for p in (f"{late} past due" if late else "",
                                                        facts.get("Owner", "")) if p))
    message["X-Auto-Response-Suppress"] = "All"
    return message
