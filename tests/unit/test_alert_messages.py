"""Lead alerts as rendered: Slack blocks, sales email, prospect confirmation, log summary."""

from __future__ import annotations

import ast
import copy
import email
import re
from email import policy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.alerts.messages import (
    format_when,
    plain_summary,
    prospect_confirmation_email,
    sales_alert_email,
)
from app.alerts.slack import slack_message

SENDER = "Leadform <alerts@demo.example>"
PERSONAL = ("Ada", "Lovelace", "ada@acme.example", "Acme", "VP Engineering", "Priya",
            "priya@demo.example", "200+", "Salesforce", "google", "q4", "www.google.com")


def sample() -> dict[str, Any]:
    """The example event from the alert spec, a fresh copy each time."""
    return copy.deepcopy({
        "id": "evt_0f3c9a1b2c3d4e5f",
        "type": "lead.qualified",
        "created_at": "2024-12-01T14:58:12+00:00",
        "data": {
            "workspace": {"slug": "demo", "name": "Demo Inc"},
            "lead": {
                "id": 7, "stage": "sql", "fit": 40.0, "intent": 25.0, "total": 65.0,
                "top_reasons": [
                    {"rule": "vp", "dimension": "fit", "points": 20.0, "reason": "VP or above"},
                    {"rule": "pricing", "dimension": "intent", "points": 15.0,
                     "reason": "Viewed pricing twice"},
                    {"rule": "free", "dimension": "fit", "points": -5.0,
                     "reason": "Free email domain"},
                ],
                "owner": {"id": 3, "name": "Priya Patel", "email": "priya@demo.example"},
                "team": {"slug": "ae-team", "name": "AE team"},
                "assignment_reason": "round robin (weight 2)",
                "url": "https://leadform.example/app/demo/leads/7",
            },
            "contact": {"id": 9, "email": "ada@acme.example", "name": "Ada Lovelace",
                        "company": "Acme", "job_title": "VP Engineering"},
            "destination": {"kind": "book", "target": "ae-team/intro-30", "rule_index": 0,
                            "fallback": False},
            "response": {
                "id": 12,
                "form": {"slug": "talk-to-sales", "title": "Talk to sales", "version": 3},
                "answers": [
                    {"field": "company_size", "label": "How big is your team?", "value": "200+"},
                    {"field": "tools", "label": "Which tools?", "value": ["Salesforce", "Slack"]},
                ],
                "hidden": {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "q4"},
                "referrer": "https://www.google.com/",
                "landing_page": "https://demo.example/sales",
            },
            "pages_viewed": [{"url": "https://acme.example/pricing", "title": "Pricing",
                              "at": "2024-12-01T14:50:00Z"}],
            "booking": {"start": "2024-12-01T15:00:00Z", "end": "2024-12-01T15:30:00Z",
                        "timezone": "Europe/Berlin",
                        "rep": {"name": "Priya Patel", "email": "priya@demo.example"},
                        "meeting": "Intro call (30 min)"},
            "change": {"from": "mql", "to": "sql", "reason": "score 65 ≥ SQL threshold 60"},
        },
    })


def with_answer(value: Any) -> dict[str, Any]:
    event = sample()
    event["data"]["response"]["answers"] = [{"field": "x", "label": "Note", "value": value}]
    return event


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """Every string Slack parses as mrkdwn: the fallback text and all mrkdwn objects."""
    found = [payload["text"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload["blocks"])
    return found


def assert_within_slack_limits(payload: dict[str, Any]) -> None:
    blocks = payload["blocks"]
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert "text" in block or block.get("fields")
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(0 < len(f["text"]) <= 2000 for f in block.get("fields", []))
    for text in mrkdwn_texts(payload):
        # Every & starts an entity we wrote: nothing unescaped, nothing cut in half.
        assert re.fullmatch(r"(?:[^&<>]|&amp;|&lt;|&gt;)*", text), text[-40:]


def email_parts(message: Any) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


# -- Slack -------------------------------------------------------------------------------------

def test_slack_header_names_stage_contact_and_company():
    header = slack_message(sample())["blocks"][0]

    assert header["type"] == "header"
    assert header["text"] == {"type": "plain_text", "emoji": True,
                              "text": "🔥 New SQL: Ada Lovelace, Acme"}


def test_slack_fields_show_score_stage_owner_route_and_meeting():
    fields = [f["text"] for f in slack_message(sample())["blocks"][1]["fields"]]

    assert "*Score*\n65 (fit 40 · intent 25)" in fields
    assert "*Stage*\nMQL → SQL" in fields
    assert "*Owner*\nPriya Patel · AE team\n_round robin (weight 2)_" in fields
    assert "*Route*\nBook → ae-team/intro-30" in fields
    assert "*Meeting*\nSun 1 Dec, 15:00–15:30 UTC (16:00–16:30 Europe/Berlin)" in fields


def test_slack_reasons_carry_signed_points():
    why = slack_message(sample())["blocks"][2]["text"]["text"]

    assert why.splitlines() == ["*Why*", "`+20` VP or above (fit)",
                                "`+15` Viewed pricing twice (intent)",
                                "`-5` Free email domain (fit)",
                                "_score 65 ≥ SQL threshold 60_"]


def test_slack_view_lead_button_links_to_the_lead():
    [actions] = [b for b in slack_message(sample())["blocks"] if b["type"] == "actions"]

    assert actions["elements"][0]["url"] == "https://leadform.example/app/demo/leads/7"
    assert actions["elements"][0]["text"]["text"] == "View lead"


@pytest.mark.parametrize("url", [None, "", "javascript:alert(1)", "/app/demo/leads/7", 7])
def test_slack_has_no_button_without_an_http_lead_url(url):
    event = sample()
    event["data"]["lead"]["url"] = url

    assert "actions" not in [b["type"] for b in slack_message(event)["blocks"]]


def test_slack_context_ends_with_the_event_id():
    context = slack_message(sample())["blocks"][-1]

    assert context["type"] == "context"
    assert context["elements"][0]["text"].endswith("evt_0f3c9a1b2c3d4e5f")


def test_slack_fallback_text_summarises_for_notifications():
    text = slack_message(sample())["text"]

    assert text.startswith("🔥 New SQL: Ada Lovelace, Acme · score 65")


@pytest.mark.parametrize("hostile", ["<!channel>", "<!here|here>", "<@U123>",
                                     "<https://evil.example|click>", "AT&T <b>"])
def test_respondent_text_cannot_ping_or_link_in_slack(hostile):
    event = with_answer(hostile)
    event["data"]["contact"]["company"] = hostile
    event["data"]["contact"]["name"] = hostile
    event["data"]["pages_viewed"] = [{"url": hostile, "title": hostile}]

    payload = slack_message(event)

    for text in mrkdwn_texts(payload):
        assert "<" not in text and ">" not in text
    assert_within_slack_limits(payload)


def test_slack_escapes_ampersands_and_angle_brackets():
    payload = slack_message(with_answer("Tom & Jerry <!channel> <https://evil|x>"))
    [answers] = [t for t in mrkdwn_texts(payload) if t.startswith("*Answers*")]

    assert "Tom &amp; Jerry &lt;!channel&gt; &lt;https://evil|x&gt;" in answers


def test_slack_shows_at_most_eight_answers_and_five_pages():
    event = sample()
    event["data"]["response"]["answers"] = [
        {"label": f"Q{i}", "value": f"A{i}"} for i in range(20)]
    event["data"]["pages_viewed"] = [{"url": f"https://x.example/{i}", "title": f"P{i}"}
                                     for i in range(20)]

    texts = mrkdwn_texts(slack_message(event))
    [answers] = [t for t in texts if t.startswith("*Answers*")]
    [pages] = [t for t in texts if t.startswith("*Pages viewed*")]

    assert answers.count("*Q") == 8 and "+12 more" in answers
    assert pages.count("• P") == 5 and "+15 more" in pages


def test_slack_truncates_huge_values_within_limits():
    event = sample()
    data = event["data"]
    data["contact"]["name"] = "N" * 5000
    data["contact"]["company"] = "&" * 5000
    data["response"]["answers"] = [{"label": "L" * 5000, "value": "&<" * 5000}] * 8
    data["lead"]["assignment_reason"] = "&" * 5000
    data["pages_viewed"] = [{"url": "https://x.example/" + "a" * 5000, "title": "&" * 5000}] * 5

    payload = slack_message(event)

    assert_within_slack_limits(payload)
    assert payload["blocks"][0]["text"]["text"].endswith("…")


# -- format_when -------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "tz", "expected"), [
    ("2020-12-01T15:00:00Z", "2020-12-01T15:30:00Z", None, "Tue 1 Dec, 15:00–15:30 UTC"),
    ("2020-12-01T15:00:00Z", "2020-12-01T15:30:00Z", "Europe/Berlin",
     "Tue 1 Dec, 15:00–15:30 UTC (16:00–16:30 Europe/Berlin)"),
    ("2020-12-01T15:00:00Z", "2020-12-01T15:30:00Z", "Asia/Tokyo",
     "Tue 1 Dec, 15:00–15:30 UTC (Wed 2 Dec, 00:00–00:30 Asia/Tokyo)"),
    ("2020-12-01T23:30:00+00:00", "2020-12-02T00:30:00+00:00", "UTC",
     "Tue 1 Dec, 23:30 – Wed 2 Dec, 00:30 UTC"),
    ("2020-12-01T15:00:00", None, "Not/AZone", "Tue 1 Dec, 15:00 UTC"),
    ("2020-12-01T15:00:00Z", "2020-12-01T14:00:00Z", "../../etc/passwd", "Tue 1 Dec, 15:00 UTC"),
    ("tomorrow", None, None, ""),
    (None, None, "Europe/Berlin", ""),
    (1606834800, None, None, ""),
])
def test_format_when(start, end, tz, expected):
    assert format_when(start, end, tz) == expected


def test_format_when_can_lead_with_the_prospects_time():
    assert format_when("2020-12-01T15:00:00Z", "2020-12-01T15:30:00Z", "America/New_York",
                       local_first=True) == (
        "Tue 1 Dec, 10:00–10:30 America/New_York (15:00–15:30 UTC)")


# -- sales alert email -------------------------------------------------------------------------

def test_sales_email_is_text_plus_html_with_headers_from_the_event():
    message = sales_alert_email(sample(), sender=SENDER, to=["priya@demo.example", "ae@x.io"])

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "New SQL: Ada Lovelace (Acme), score 65"
    assert message["From"] == SENDER
    assert message["To"] == "priya@demo.example, ae@x.io"
    assert message["Message-ID"] == "<evt_0f3c9a1b2c3d4e5f@leadform>"
    assert message["X-Leadform-Event"] == "evt_0f3c9a1b2c3d4e5f"
    assert message["Date"] == "Sun, 01 Dec 2024 14:58:12 +0000"


def test_sales_email_carries_the_same_facts_and_a_view_link():
    text, html = email_parts(sales_alert_email(sample(), sender=SENDER, to=["p@x.io"]))

    for part in (text, html):
        for fact in ("65 (fit 40 · intent 25)", "VP or above", "Book → ae-team/intro-30",
                     "How big is your team?", "200+", "Salesforce, Slack", "google", "Pricing",
                     "Sun 1 Dec, 15:00–15:30 UTC", "round robin (weight 2)",
                     "evt_0f3c9a1b2c3d4e5f"):
            assert fact in part
    assert "View lead: https://leadform.example/app/demo/leads/7" in text
    assert '<a href="https://leadform.example/app/demo/leads/7"' in html


def test_sales_email_html_escapes_respondent_text():
    hostile = "<img src=x onerror=alert(1)>"
    event = with_answer(hostile)
    event["data"]["contact"]["company"] = hostile

    text, html = email_parts(sales_alert_email(event, sender=SENDER, to=["p@x.io"]))

    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert hostile in text


def test_subject_strips_cr_lf_so_no_header_can_be_injected():
    event = sample()
    event["data"]["contact"]["name"] = "Ada\r\nBcc: victim@evil.example\r\n\r\nbody"

    message = sales_alert_email(event, sender=SENDER, to=["p@x.io\r\nBcc: x@evil.example"])
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)

    assert "\r" not in message["Subject"] and "\n" not in message["Subject"]
    assert parsed["Bcc"] is None
    assert parsed["Subject"].startswith("New SQL: Ada Bcc: victim@evil.example body")


def test_message_id_is_stable_across_renders():
    first = sales_alert_email(sample(), sender=SENDER, to=["p@x.io"])
    second = sales_alert_email(sample(), sender=SENDER, to=["p@x.io"])

    assert first["Message-ID"] == second["Message-ID"] == "<evt_0f3c9a1b2c3d4e5f@leadform>"


def test_message_id_without_an_event_id_is_still_stable():
    event = sample()
    del event["id"]

    first = sales_alert_email(event, sender=SENDER, to=["p@x.io"])["Message-ID"]

    assert first == sales_alert_email(event, sender=SENDER, to=["p@x.io"])["Message-ID"]
    assert re.fullmatch(r"<evt-[0-9a-f]{32}@leadform>", first)


@pytest.mark.parametrize(("kind", "heading"), [("booking.created", "Meeting booked"),
                                               ("booking.cancelled", "Meeting cancelled")])
def test_booking_emails_say_so_with_the_time(kind, heading):
    event = sample()
    event["type"] = kind

    message = sales_alert_email(event, sender=SENDER, to=["p@x.io"])
    text, html = email_parts(message)

    assert message["Subject"] == (f"{heading}: Ada Lovelace (Acme), "
                                  "Sun 1 Dec, 15:00–15:30 UTC (16:00–16:30 Europe/Berlin)")
    assert text.startswith(f"{heading}: Ada Lovelace, Acme\n")
    assert heading in html


# -- prospect confirmation ---------------------------------------------------------------------

def test_prospect_confirmation_thanks_by_first_name_with_the_booked_time():
    message = prospect_confirmation_email(sample(), sender=SENDER, to="ada@acme.example")
    text, html = email_parts(message)

    assert text.startswith("Hi Ada,\n")
    assert ("Priya Patel will meet you on Sun 1 Dec, 16:00–16:30 Europe/Berlin "
            "(15:00–15:30 UTC) for your Intro call (30 min).") in text
    assert message["To"] == "ada@acme.example"
    assert message["Message-ID"] == "<evt_0f3c9a1b2c3d4e5f-confirmation@leadform>"
    assert message["Reply-To"] == "priya@demo.example"
    assert "Hi Ada," in html


def test_prospect_confirmation_shows_no_internal_data():
    message = prospect_confirmation_email(sample(), sender=SENDER, to="ada@acme.example")

    for part in (*email_parts(message), message["Subject"]):
        for internal in ("65", "score", "fit", "intent", "VP or above", "round robin", "SQL",
                         "google", "utm", "q4", "cpc", "ae-team", "Pricing", "200+"):
            assert internal not in part


@pytest.mark.parametrize(("kind", "booking", "expected"), [
    ("book", None, "Priya Patel from Demo Inc will be in touch shortly."),
    ("nurture", None, "We'll send you a few resources"),
    ("disqualify", None, "We have received your answers."),
])
def test_prospect_next_step_depends_on_the_route(kind, booking, expected):
    event = sample()
    event["data"]["destination"]["kind"] = kind
    event["data"]["booking"] = booking

    text, _ = email_parts(prospect_confirmation_email(event, sender=SENDER, to="a@b.example"))

    assert expected in text


# -- log summary -------------------------------------------------------------------------------

def test_plain_summary_is_a_one_line_log_without_personal_data():
    summary = plain_summary(sample())

    assert summary == ("lead.qualified evt_0f3c9a1b2c3d4e5f lead 7 stage mql→sql score 65 "
                       "→ book ae-team/intro-30")
    for personal in PERSONAL:
        assert personal not in summary


def test_plain_summary_shows_only_the_host_of_a_redirect():
    event = sample()
    event["data"]["destination"] = {"kind": "redirect",
                                    "target": "https://cal.example/?email=ada@acme.example"}

    assert plain_summary(event).endswith("→ redirect cal.example")


# -- robustness --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
PATHS = [
    ("id",), ("type",), ("created_at",), ("data",), ("data", "lead"), ("data", "contact"),
    ("data", "lead", "top_reasons"), ("data", "lead", "owner"), ("data", "lead", "url"),
    ("data", "lead", "total"), ("data", "contact", "name"), ("data", "destination"),
    ("data", "destination", "kind"), ("data", "destination", "target"), ("data", "response"),
    ("data", "response", "answers"), ("data", "response", "hidden"), ("data", "pages_viewed"),
    ("data", "booking"), ("data", "booking", "start"), ("data", "booking", "timezone"),
    ("data", "change"), ("data", "workspace"),
]


@st.composite
def damaged_events(draw: st.DrawFn) -> Any:
    """The sample with some values replaced by anything JSON can hold, or removed."""
    event: Any = sample()
    for path in draw(st.lists(st.sampled_from(PATHS), max_size=6)):
        parent = event
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            if draw(st.booleans()):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
    return event


def render_everything(event: Any) -> None:
    assert_within_slack_limits(slack_message(event))
    sales_alert_email(event, sender=SENDER, to=["p@x.io"]).as_bytes()
    prospect_confirmation_email(event, sender=SENDER, to="a@b.example").as_bytes()
    assert "\n" not in plain_summary(event)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_events())
def test_damaged_events_never_break_rendering(event):
    render_everything(event)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_json_value_as_the_event_never_breaks_rendering(event):
    render_everything(event)


@pytest.mark.parametrize("event", [{}, {"data": None}, {"data": {}}, {"type": "lead.qualified"}])
def test_empty_events_render_something_readable(event):
    payload = slack_message(event)

    assert payload["blocks"][0]["text"]["text"]
    assert_within_slack_limits(payload)
    render_everything(event)


@pytest.mark.parametrize("module", ["messages.py", "display.py", "slack.py"])
def test_messages_module_is_pure(module):
    source = Path(__file__).resolve().parents[2] / "app" / "alerts" / module
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    # Slack builds on the event as messages reads it; both read values through display.
    imported -= {"app.alerts.messages", "app.alerts.display"}
    assert not {m for m in imported if m.split(".")[0] in ("flask", "sqlalchemy", "app")}
