"""SLA pages in a real browser: an admin fixes a bad target inline, names a team lead, reads
the report; no CSP violation, axe on every screen, on a desktop and a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import PHONE, assert_accessible
from tests.e2e.test_members_browser import sign_in, watch

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("sla")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_admin_sets_targets_and_a_team_lead_then_reads_the_report(browser, server: str,
                                                                     viewport: str):
    context = browser.new_context(**(PHONE if viewport == "phone" else {}))
    page = context.new_page()
    violations = watch(page)
    try:
        sign_in(page, server)
        page.get_by_role("link", name="SLA").click()
        expect(page.get_by_role("heading", name="SLA compliance", level=1)).to_be_visible()
        assert_accessible(page, f"SLA report ({viewport})")

        page.get_by_role("link", name="SLA settings").click()
        expect(page.get_by_label("SQL (minutes)")).to_have_value(re.compile(r"^\d+$"))
        assert_accessible(page, f"SLA settings ({viewport})")
        page.get_by_label("SQL (minutes)").fill("0")
        page.get_by_role("button", name="Save targets").click()
        expect(page.get_by_text("A target is at least 1 minute")).to_be_visible()
        expect(page.get_by_label("SQL (minutes)")).to_have_attribute("aria-invalid", "true")
        assert_accessible(page, f"SLA settings with an error ({viewport})")
        minutes = "10" if viewport == "desktop" else "12"
        page.get_by_label("SQL (minutes)").fill(minutes)
        page.get_by_role("button", name="Save targets").click()
        expect(page.get_by_text("The SLA targets are saved.")).to_be_visible()
        expect(page.get_by_label("SQL (minutes)")).to_have_value(minutes)

        page.get_by_label("Team lead").select_option(label="Jordan Lee (sales)")
        page.get_by_role("button", name="Save Account executives").click()
        expect(page.get_by_text("Account executives is saved.")).to_be_visible()
        expect(page.get_by_label("Team lead")).to_have_value(
            page.get_by_label("Team lead").locator("option", has_text="Jordan Lee")
            .get_attribute("value"))

        page.goto(server + "/app/demo/sla/?from=2026-02-30")
        expect(page.get_by_text("The from date must look like 2026-12-31.")).to_be_visible()
        assert_accessible(page, f"SLA report with a bad filter ({viewport})")
        assert violations == []
    finally:
        context.close()
