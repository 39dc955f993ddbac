"""The analytics pages in a real browser: axe finds nothing serious, the CSP is never
violated, the charts are images with names, and the filter bar works with its script."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import PHONE, assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("analytics")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


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
        page.goto(server + "/f/demo/talk-to-sales")  # a view for the funnel's first bar
        expect(page.get_by_label("What's your first name?")).to_be_visible()
        sign_in(page, server)

        page.get_by_role("link", name="Analytics").click()
        expect(page.get_by_role("heading", name="Analytics", level=1)).to_be_visible()
        expect(page.get_by_text("No leads were created in this range")).to_be_visible()
        assert_accessible(page, f"the analytics overview ({viewport})")

        page.get_by_role("link", name="Talk to sales").click()
        expect(page.get_by_role("heading", name="Talk to sales: funnel")).to_be_visible()
        expect(page.get_by_role("img", name="Funnel of Talk to sales")).to_be_visible()
        expect(page.get_by_role("row", name="Viewed the form 1")).to_be_visible()
        assert_accessible(page, f"the funnel page ({viewport})")
    finally:
        context.close()
    assert violations == []


def test_typing_a_date_switches_the_range_to_custom(page: Page, server: str):
    violations = csp_violations(page)
    sign_in(page, server)
    page.goto(server + "/app/demo/analytics/?range=7d")

    page.get_by_label("From").fill("2026-01-01")
    page.get_by_label("From").dispatch_event("change")
    expect(page.get_by_label("Range")).to_have_value("custom")
    page.get_by_label("To").fill("2026-01-31")
    page.get_by_role("button", name="Show").click()

    expect(page.locator("#an-period")).to_have_text("01 Jan 2026 – 31 Jan 2026")
    page.get_by_label("Range").select_option("90d")
    expect(page.get_by_label("From")).to_have_value("")
    assert violations == []
