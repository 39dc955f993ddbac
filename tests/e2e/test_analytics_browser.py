"""The analytics pages in a real browser: axe finds nothing serious, the CSP is never
violated, the charts are images with names, and the filter bar works with its script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import PHONE, assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e


MARCH = "range=custom&from=2026-03-01&to=2026-03-31"
ANALYST, PASSWORD = "ana@acme.example", "analytics in a browser"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    """The demo, plus workspace acme with the hand-made analytics dataset and an admin."""
    from sqlalchemy.orm import Session

    from app.accounts import add_membership, create_user
    from tests.analytics.dataset import build
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("analytics")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        with Session(_session_engine, expire_on_commit=False) as session:
            world = build(session)
            add_membership(session, world.acme, create_user(session, ANALYST, PASSWORD, "Ana"),
                           "admin")
            session.commit()
        yield base
    empty_all_tables(_session_engine)


def sign_in_analyst(page: Page, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Email").fill(ANALYST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Forms", level=1)).to_be_visible()


def csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_analytics_pages_pass_axe_without_csp_violations(browser, server: str,
                                                             viewport: str):
    context = browser.new_context(**(PHONE if viewport == "phone" else {}))
    page = context.new_page()
    violations = csp_violations(page)
    try:
        page.goto(server + "/f/demo/talk-to-sales")  # a view of the demo form, counted
        expect(page.get_by_label("What's your first name?")).to_be_visible()
        sign_in(page, server)
        page.get_by_role("link", name="Analytics").click()
        expect(page.get_by_role("heading", name="Analytics", level=1)).to_be_visible()
        # one view per run of this test (the server serves the whole module)
        expect(page.get_by_role("row", name=re.compile(r"^Talk to sales [12] 0 0\.0%"))
               ).to_be_visible()
        expect(page.get_by_text("No leads were created in this range.")).to_be_visible()
        assert_accessible(page, f"an empty analytics overview ({viewport})")

        page.get_by_role("button", name="Sign out").click()
        sign_in_analyst(page, server)
        page.goto(f"{server}/app/acme/analytics/?{MARCH}")
        for chart in ("Leads reaching each milestone", "Leads by wait for the first touch",
                      "Conversion rate by score band"):
            expect(page.get_by_role("img", name=chart)).to_be_visible()
        expect(page.get_by_role("row", name="Demo request 15 6")).to_be_visible()
        assert_accessible(page, f"the analytics overview ({viewport})")

        page.get_by_role("link", name="Demo request").click()
        expect(page.get_by_role("heading", name="Demo request: funnel")).to_be_visible()
        expect(page.get_by_role("img", name="Funnel of Demo request")).to_be_visible()
        expect(page.get_by_role("row", name="Viewed the form 15 6 9")).to_be_visible()
        assert_accessible(page, f"the funnel page ({viewport})")
    finally:
        context.close()
    assert violations == []


def test_typing_a_date_switches_the_range_to_custom(page: Page, server: str):
    violations = csp_violations(page)
    sign_in_analyst(page, server)
    page.goto(server + "/app/acme/analytics/?range=7d")

    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("From", exact=True).dispatch_event("change")
    expect(page.get_by_label("Range")).to_have_value("custom")
    page.get_by_label("To", exact=True).fill("2026-01-31")
    page.get_by_role("button", name="Show").click()

    expect(page.locator("#an-period")).to_have_text("01 Jan 2026 – 31 Jan 2026")
    page.get_by_label("Range").select_option("90d")
    expect(page.get_by_label("From", exact=True)).to_have_value("")
    assert violations == []
