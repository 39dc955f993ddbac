"""Lead alerts in Slack: a Block Kit message for an incoming webhook. Pure.

Respondent text is escaped for mrkdwn (no @channel, no disguised links), and every
Block Kit limit is respected by cutting, never by failing.
"""

from __future__ import annotations

from typing import Any

from app.alerts.display import clip
from app.alerts.messages import Alert, read_event

# Slack Block Kit limits.
SLACK_HEADER_MAX = 150
SLACK_TEXT_MAX = 3000
SLACK_FIELD_MAX = 2000
SLACK_FIELDS_MAX = 10
SLACK_BLOCKS_MAX = 50


# -- Slack -------------------------------------------------------------------------------------

def slack_escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn parses, so text cannot mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip_mrkdwn(text: str, limit: int) -> str:
    """Clip escaped mrkdwn without splitting an entity like `&amp;`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


def _mrkdwn(text: str, limit: int = SLACK_TEXT_MAX, *, verbatim: bool = False) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": "mrkdwn", "text": _clip_mrkdwn(text, limit)}
    if verbatim:
        obj["verbatim"] = True
    return obj


def _section(title: str, lines: list[str], *, verbatim: bool = False) -> dict[str, Any]:
    text = f"*{title}*\n" + "\n".join(lines)
    return {"type": "section", "text": _mrkdwn(text, verbatim=verbatim)}


def _slack_fields(alert: Alert) -> list[dict[str, Any]]:
    esc = slack_escape
    rows = [("Contact", alert.contact_line), ("Score", alert.score_line)]
    stage = f"{alert.stage_from} → {alert.stage}" if alert.stage_from else alert.stage
    rows.append(("Stage", stage))
    owner = alert.owner_line + (f"\n_{alert.assignment_reason}_" if alert.assignment_reason else "")
    rows += [("Owner", owner), ("Route", alert.route), ("Meeting", alert.when),
             ("Form", alert.form)]
    return [_mrkdwn(f"*{title}*\n{esc(value)}", SLACK_FIELD_MAX)
            for title, value in rows if value][:SLACK_FIELDS_MAX]


def slack_message(event: Any) -> dict[str, Any]:
    """A Slack incoming-webhook payload: notification text plus Block Kit blocks."""
    alert = read_event(event)
    esc = slack_escape
    blocks: list[dict[str, Any]] = [{
        "type": "header",
        # plain_text is never parsed for mentions or links, so it is not entity-escaped.
        "text": {"type": "plain_text", "emoji": True,
                 "text": clip(f"{alert.emoji} {alert.headline}", SLACK_HEADER_MAX)},
    }]
    fields = _slack_fields(alert)
    if fields:
        blocks.append({"type": "section", "fields": fields})
    why = [f"`{esc(points)}` {esc(text)}" if points else esc(text)
           for points, text in alert.reasons]
    if alert.change_reason:
        why.append(f"_{esc(alert.change_reason)}_")
    if why:
        blocks.append(_section("Why", why))
    if alert.url:
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "action_id": "view_lead", "style": "primary", "url": alert.url,
            "text": {"type": "plain_text", "text": "View lead"},
        }]})
    if alert.answers:
        lines = [f"*{esc(label)}*: {esc(value)}" for label, value in alert.answers]
        if alert.answers_more:
            lines.append(f"_+{alert.answers_more} more_")
        blocks.append(_section("Answers", lines, verbatim=True))
    if alert.source:
        lines = [f"{label}: {esc(value)}" for label, value in alert.source]
        blocks.append(_section("Source", lines, verbatim=True))
    if alert.pages:
        lines = [f"• {esc(title)}" + (f" — {esc(url)}" if url else "")
                 for title, url in alert.pages]
        if alert.pages_more:
            lines.append(f"_+{alert.pages_more} more_")
        blocks.append(_section("Pages viewed", lines, verbatim=True))
    footer = " · ".join(p for p in ("Leadform", alert.workspace, alert.event_id) if p)
    blocks.append({"type": "context", "elements": [_mrkdwn(esc(footer))]})

    summary = [alert.headline]
    if alert.score:
        summary.append(f"score {alert.score}")
    if alert.when:
        summary.append(alert.when)
    if alert.owner:
        summary.append(f"owner {alert.owner}")
    text = f"{alert.emoji} " + esc(" · ".join(summary))
    return {"text": _clip_mrkdwn(text, SLACK_TEXT_MAX), "blocks": blocks[:SLACK_BLOCKS_MAX]}
