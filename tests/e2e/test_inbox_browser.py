"""The sales inbox in a real browser: a rep signs in, filters, opens a lead, rejects it with
a reason and sees it recycled; the SLA timer counts down live; axe finds nothing serious on
the list or the lead page, and the CSP refuses nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e

REP, PASSWORD = "rita@demo.example", "correct horse battery"


@pytest.fixture
def server(database_url: str, db_engine, tmp_path: Path) -> Iterator[str]:
    # Plain http: the secure-only session cookie would never come back (see the Makefile).
    with serving(database_url, tmp_path / "server.log",
                 LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base


def add_rep(db_engine) -> None:
    from app.accounts import add_membership, create_user
    from app.models import Workspace

    with Session(db_engine) as session, session.begin():
        user = create_user(session, REP, PASSWORD, "Rita Rep")
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        add_membership(session, workspace, user, "sales")


def watch_csp(page: Page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


def test_a_rep_filters_opens_and_recycles_a_lead(browser, server, db_engine, demo_form):
    from app.models import Lead, utcnow

    prospect = browser.new_context()
    form = prospect.new_page()
    form.goto(server + demo_form.URL)
    demo_form.up_to_the_last_step(form)
    demo_form.go_on(form, "Thanks, Ada!", button="Submit")
    prospect.close()
    # An SLA clock on Ada's lead (the SLA engine's work, set here by hand).
    add_rep(db_engine)
    with Session(db_engine) as session, session.begin():
        session.execute(update(Lead).values(sla_due_at=utcnow() + timedelta(minutes=10),
                                            sla_stage="sql"))

    context = browser.new_context(timezone_id="Europe/Paris")
    page = context.new_page()
    violations = watch_csp(page)
    page.goto(server + "/login")
    page.get_by_label("Email").fill(REP)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Leads").first.click()
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    assert_accessible(page, "the inbox")

    # Filtering swaps the results in place and keeps the URL shareable.
    filters = page.locator("#inbox-filters")
    filters.get_by_text("MQL", exact=True).click()
    expect(page).to_have_url(re.compile(r"/leads/\?stage=mql$"))
    expect(page.get_by_text("No lead matches these filters")).to_be_visible()
    filters.get_by_text("MQL", exact=True).click()
    filters.get_by_text("SQL", exact=True).click()
    expect(page).to_have_url(re.compile(r"/leads/\?stage=sql$"))
    row = page.get_by_role("row", name=re.compile("ada@example.com"))
    expect(row).to_be_visible()
    page.get_by_label("Search").fill("nobody-like-this")
    expect(page.get_by_text("No lead matches these filters")).to_be_visible()
    page.get_by_label("Search").fill("ada")
    expect(row).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?stage=sql&q=ada$"))

    # The SLA timer counts down every second, without a reload.
    timer = row.locator("time[data-sla-due]")
    first = timer.inner_text()
    assert re.fullmatch(r"\d min \d+ s left", first), first
    expect(timer).not_to_have_text(first, timeout=3000)
    # Past due it says so, and turns red.
    timer.evaluate("element => element.setAttribute('datetime', "
                   "new Date(Date.now() - 65000).toISOString())")
    expect(timer).to_have_text(re.compile(r"overdue by 1 min \d+ s"), timeout=3000)
    expect(row.locator(".ib-sla")).to_have_class(re.compile("ib-sla-overdue"))

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Ada", level=1)).to_be_visible()
    expect(page.get_by_text("Times in Europe/Paris")).to_be_visible()  # the browser's zone
    assert_accessible(page, "the lead page")

    page.get_by_text("Reject", exact=True).click()
    page.get_by_role("button", name="Reject lead").click()
    expect(page.get_by_text("Choose why you reject this lead.")).to_be_visible()
    assert_accessible(page, "the lead page with a refused rejection")
    page.get_by_label("Reason").select_option("not_now")
    page.get_by_label("Note", exact=True).fill("Budget opens in Q3")
    page.get_by_role("button", name="Reject lead").click()
    expect(page.get_by_text("Lead rejected: not now, recycled into recycle-not-now.")
           ).to_be_visible()
    expect(page.locator(".ib-badges .bo-stage-recycled")).to_have_text("Recycled")
    expect(page.get_by_text("Rejected: Not now, recycled into recycle-not-now. "
                            "Note: Budget opens in Q3")).to_be_visible()
    with Session(db_engine) as session:
        lead = session.scalars(select(Lead).where(Lead.disposition.is_not(None))).one()
        assert (lead.stage, lead.nurture_track) == ("recycled", "recycle-not-now")

    page.get_by_role("link", name="Leads", exact=True).first.click()
    page.locator("#inbox-filters").get_by_text("Recycled", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?stage=recycled$"))
    expect(page.get_by_role("row", name=re.compile("ada@example.com"))).to_be_visible()
    assert violations == []
    context.close()
