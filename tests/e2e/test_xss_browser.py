"""The XSS corpus (tests/xss_corpus.py) rendered in Chromium wherever people's text shows.

A form carries a payload in every label, option label, help, "why we ask", placeholder,
step title and ending; a prospect answers with payloads, arriving with payloads in the UTM
values and a hidden value; their contact properties, the lead's rejection note and the
reps' names carry them too. Then the public form (each step, the ending), the editor's
Build (with its live preview), Logic and Routing tabs, the sales inbox, the lead page and
the analytics pages are opened. On every page, in every frame: `window.__xss` stays 0, no
dialog opens, no element carries an event handler, script or link made of a payload, and
the Content-Security-Policy reports nothing (a report would mean markup got through and
only the CSP stopped it).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.e2e.conftest import serving, settled
from tests.xss_corpus import PAYLOADS

pytestmark = pytest.mark.e2e

ADMIN, PASSWORD = "admin@demo.example", "leadform-demo"
FORM = "xss-sweep"

# What a payload that became markup or script would leave in the DOM of any frame.
PROBE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase(), value = attribute.value;
      if (!value.includes('__xss')) continue;
      if (name.startsWith('on') || ['href', 'src', 'action', 'formaction', 'srcdoc',
          'xlink:href', 'style'].includes(name)) found.push(`${el.tagName} ${name}`);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('__xss')) found.push('SCRIPT');
  }
  return {count: window.__xss || 0, found};
}"""


def hostile_definition() -> dict[str, Any]:
    payload = itertools.cycle(PAYLOADS)
    text = lambda: next(payload)  # noqa: E731 - the next payload, round robin
    choice = lambda field_id, prop: {  # noqa: E731
        "id": field_id, "type": "choice", "label": f"Pick {text()}", "required": True,
        "property": prop, "help": text(), "why": text(),
        "options": [{"value": f"o{n}", "label": f"Option {n} {text()}"} for n in range(3)]}
    return {
        "schema": 1, "title": f"XSS {text()}", "description": text(),
        "hidden": ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
                   "partner"],
        "steps": [
            {"id": "you", "title": f"About you {text()}", "fields": [
                {"id": "first_name", "type": "short_text", "label": f"First name {text()}",
                 "required": True, "property": "first_name", "help": text(),
                 "placeholder": text()},
                {"id": "email", "type": "email", "label": f"Email {text()}", "required": True,
                 "property": "email", "help": text()},
                {"id": "company", "type": "short_text", "label": f"Company {text()}",
                 "required": True, "property": "company", "why": text()},
            ]},
            {"id": "more", "title": f"More {text()}", "fields": [
                choice("size", "company_size"),
                {"id": "notes", "type": "long_text", "label": f"Notes {text()}",
                 "placeholder": text(), "help": text(), "validation": {"max_length": 5000}},
            ]},
        ],
        "endings": [{"id": "done", "type": "message", "title": f"Thanks {text()}",
                     "message": " ".join(PAYLOADS)}],
        "settings": {"allowed_domains": []},
        "route": [{"if": True, "to": {"nurture": "general"}}],
    }


@pytest.fixture
def server(database_url: str, db_engine, tmp_path: Path) -> Iterator[str]:
    with serving(database_url, tmp_path / "server.log",
                 LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base


def publish_hostile_form(db_engine) -> None:
    from app.forms.versions import get_workspace, publish, save_draft

    with Session(db_engine, expire_on_commit=False) as session, session.begin():
        form, _ = save_draft(session, get_workspace(session, "demo"), FORM,
                             hostile_definition(), name=f"XSS {PAYLOADS[1]}")
        publish(session, form)


def make_everything_hostile(db_engine) -> int:
    """Reps' names and the lead's rejection note carry payloads; returns the lead's id."""
    from app.models import Lead, Membership, User, Workspace, utcnow
    from app.sales.actions import NOTE_MAX, dispose

    with Session(db_engine, expire_on_commit=False) as session, session.begin():
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        members = select(Membership.user_id).where(Membership.workspace_id == workspace.id)
        for number, (user_id,) in enumerate(session.execute(members)):
            session.execute(update(User).where(User.id == user_id, User.email != ADMIN)
                            .values(name=f"Rep {PAYLOADS[number % len(PAYLOADS)]}"))
        lead = session.scalars(select(Lead).where(Lead.workspace_id == workspace.id)
                               .order_by(Lead.id.desc())).first()
        assert lead is not None, "the prospect's submit made no lead"
        dispose(session, workspace, lead, None, "not_now", note=" ".join(PAYLOADS)[:NOTE_MAX],
                now=utcnow())
        return lead.id


class Watch:
    """Dialogs and CSP reports of one page, and the probe over all of its frames."""

    def __init__(self, page: Page) -> None:
        self.page, self.dialogs, self.csp = page, [], []
        page.add_init_script("window.__xss = 0")
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message),
                                          dialog.dismiss()))
        page.on("console", lambda message: self.csp.append(message.text)
                if "Content Security Policy" in message.text else None)

    def check(self, where: str) -> list[str]:
        settled(self.page)
        problems = []
        for frame in self.page.frames:
            result = frame.evaluate(PROBE)
            if result["count"] or result["found"]:
                problems.append(f"{where} ({frame.url}): ran {result['count']}, "
                                f"markup {result['found']}")
        problems += [f"{where}: dialog {text!r}" for text in self.dialogs]
        problems += [f"{where}: CSP {text}" for text in self.csp]
        self.dialogs.clear()
        self.csp.clear()
        return problems


def answer_the_form(browser, server: str) -> list[str]:
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page)
    query = urlencode({"utm_source": PAYLOADS[0], "utm_campaign": PAYLOADS[1],
                       "utm_content": PAYLOADS[3], "partner": PAYLOADS[2]})
    page.goto(f"{server}/f/demo/{FORM}?{query}")
    problems = watch.check("public form, first step")
    page.get_by_label("First name", exact=False).fill(PAYLOADS[1][:80])
    page.get_by_label("Email", exact=False).fill("ada@example.com")
    page.get_by_label("Company", exact=False).fill(PAYLOADS[2])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("radio").first).to_be_visible()
    problems += watch.check("public form, second step")
    page.get_by_role("radio").first.check()
    # Answers with control characters are refused (asked again), so those stay out.
    answers = "\n".join(payload for payload in PAYLOADS if payload.isprintable())
    page.get_by_label("Notes", exact=False).fill(answers)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thanks")
    problems += watch.check("public form, ending")
    context.close()
    return problems


def test_no_payload_runs_or_becomes_markup_on_any_page(browser, server, db_engine):
    publish_hostile_form(db_engine)
    problems = answer_the_form(browser, server)
    lead_id = make_everything_hostile(db_engine)

    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page)
    page.goto(server + "/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server}/app/demo/")
    pages = {
        "forms list": "/app/demo/",
        "editor, Build with preview": f"/app/demo/forms/{FORM}/build",
        "editor, Logic": f"/app/demo/forms/{FORM}/logic",
        "editor, Routing": f"/app/demo/forms/{FORM}/routing",
        "editor, Publish": f"/app/demo/forms/{FORM}/publish",
        "preview": f"/app/demo/forms/{FORM}/preview",
        "sales inbox": "/app/demo/leads/?archived=all",
        "lead page": f"/app/demo/leads/{lead_id}",
        "analytics": "/app/demo/analytics/",
        "analytics, the form": f"/app/demo/analytics/forms/{FORM}",
        "members": "/app/demo/members/",
    }
    for where, path in pages.items():
        reply = page.goto(server + path)
        assert reply is not None and reply.status == 200, (where, reply and reply.status)
        problems += watch.check(where)
    # The payloads really are on the pages, as text.
    page.goto(f"{server}/app/demo/leads/{lead_id}")
    expect(page.locator("body")).to_contain_text("<script>window.__xss")
    context.close()

    assert problems == []


def test_the_probe_sees_a_payload_that_became_markup(browser, server):
    """The control: the same checks catch an injected handler and a blocked inline script."""
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page)
    page.goto(server + "/login")
    page.evaluate("""() => { const div = document.createElement('div');
        div.innerHTML = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
                        + '<script>window.__xss=1</script>';
        document.body.append(div); }""")

    problems = watch.check("login with an injected payload")
    context.close()

    assert any("IMG onerror" in problem for problem in problems), problems
    assert any("CSP" in problem for problem in problems) or any(
        "ran 1" in problem for problem in problems), problems
