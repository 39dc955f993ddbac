"""Every hostile payload in every text field of an event, through every alert renderer.

The HTML parts are parsed: the tags and attributes in them must be the template's own (as
rendered for a clean event), with no event handler, no script, and links only to http(s)
or mailto. Slack's mrkdwn must carry no `<` or `>` (no mention, no disguised link) and
every `&` must be an entity we wrote.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import escape

from app.alerts.messages import prospect_confirmation_email, sales_alert_email
from app.alerts.sla_email import sla_escalation_email
from app.alerts.slack import slack_message
from tests.unit.test_alert_messages import SENDER, email_parts, mrkdwn_texts, sample
from tests.xss_corpus import PAYLOADS

# Fields whose value shapes the message rather than being shown: left as they are.
STRUCTURE = {"type", "created_at", "start", "end", "timezone", "at", "due_at", "stage", "to",
             "from", "kind", "dimension"}


def hostile_event(payload: str) -> dict[str, Any]:
    """The sample event with `payload` in every shown text field (and every list of them)."""

    def fill(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {name: fill(value, name) for name, value in node.items()}
        if isinstance(node, list):
            return [fill(value, key) for value in node]
        if isinstance(node, str) and key not in STRUCTURE:
            return payload
        return node

    event = fill(sample())
    event["data"]["sla"] = {"stage": "sql", "target_minutes": 5, "late_seconds": 600,
                            "due_at": "2024-12-01T15:00:00Z",
                            "previous_owner": {"name": payload}, "reassigned": True}
    return event


class Markup(HTMLParser):
    """Tags, attribute names and link targets of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add((tag, name))
            if name in ("href", "src", "action", "formaction"):
                self.links.append(value or "")


def markup_of(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser


def renderings(event: dict[str, Any]) -> dict[str, str]:
    """The HTML part of every email Leadform sends about an event."""
    return {
        "sales alert": email_parts(sales_alert_email(event, sender=SENDER, to=["p@x.io"]))[1],
        "prospect confirmation": email_parts(
            prospect_confirmation_email(event, sender=SENDER, to="ada@acme.example"))[1],
        "SLA escalation": email_parts(
            sla_escalation_email(event, sender=SENDER, to="lead@demo.example"))[1],
    }


CLEAN = {name: markup_of(html) for name, html in renderings(hostile_event("Ada")).items()}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_emails_escape_every_payload_in_every_field(payload):
    for name, html in renderings(hostile_event(payload)).items():
        found, clean = markup_of(html), CLEAN[name]

        assert found.tags <= clean.tags, (name, found.tags - clean.tags)
        assert found.attributes <= clean.attributes, (name, found.attributes - clean.attributes)
        assert not any(attribute.startswith("on") for _, attribute in found.attributes)
        for link in found.links:
            # The scheme is the template's: a payload after mailto: is only an odd address.
            assert re.match(r"(https?://|mailto:)", link), (name, link)


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "<" in p and p.isascii()])
def test_the_payload_is_shown_as_text_in_the_email(payload):
    html = renderings(hostile_event(payload))["sales alert"]

    assert str(escape(payload)) in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_slack_escapes_every_payload_in_every_field(payload):
    message = slack_message(hostile_event(payload))

    for text in mrkdwn_texts(message):
        assert "<" not in text and ">" not in text, text
        assert re.fullmatch(r"(?:[^&<>]|&amp;|&lt;|&gt;)*", text, flags=re.S), text
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if "url" in element:
                assert element["url"].startswith(("http://", "https://")), element
