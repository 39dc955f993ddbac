"""Forms in a real browser: a new form from a template (the address follows the name),
publishing it from the Publish tab, the history; axe and the CSP on each screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import PHONE, assert_accessible

pytestmark = pytest.mark.e2e

ADMIN, PASSWORD = "admin@demo.example", "leadform-demo"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("forms")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


def sign_in(page: Page, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Forms", level=1)).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_marketer_creates_a_form_from_a_template_and_publishes_it(
        browser, server: str, viewport: str) -> None:
    context = browser.new_context(**(PHONE if viewport == "phone" else {}))
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        sign_in(page, server)
        assert_accessible(page, f"forms list ({viewport})")
        page.get_by_role("link", name="New form").click()
        expect(page.get_by_role("heading", name="New form", level=1)).to_be_visible()
        page.get_by_role("button", name="Create form").click()  # no name: an inline error
        expect(page.get_by_text("Give the form a name.")).to_be_visible()
        assert_accessible(page, f"new form with an error ({viewport})")

        page.get_by_label("Name").fill(f"Spring e-book {viewport}")
        expect(page.get_by_label("Address")).to_have_value(f"spring-e-book-{viewport}")
        page.get_by_label("Content download").check()
        page.get_by_role("button", name="Create form").click()
        expect(page.get_by_text(f"Created ‘Spring e-book {viewport}’")).to_be_visible()

        page.get_by_role("link", name="Publish", exact=True).click()
        expect(page.get_by_text("No problems found")).to_be_visible()
        assert_accessible(page, f"publish tab ({viewport})")
        page.get_by_label("Note (optional)").fill("Spring campaign")
        page.get_by_role("button", name="Publish v1").click()
        expect(page.get_by_text("Published v1")).to_be_visible()
        expect(page.get_by_role("cell", name="Spring campaign")).to_be_visible()
        assert_accessible(page, f"publish tab with history ({viewport})")

        page.goto(f"{server}/f/demo/spring-e-book-{viewport}")
        expect(page.get_by_label("Your work email")).to_be_visible()
        assert violations == []
    finally:
        context.close()
