"""The back office in a real browser over plain http (as `make run` serves it): signing
in and out, htmx's CSRF header, no CSP violations, and axe on every screen."""

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

    log = Path(tmp_path_factory.mktemp("backoffice")) / "server.log"
    # Plain http: the secure-only session cookie would never come back (see the Makefile).
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false",
                 LEADFORM_ALERTS_ALLOWED_NETWORKS="127.0.0.1") as base:
        yield base
    empty_all_tables(_session_engine)


@pytest.fixture
def watched_page(page: Page) -> Iterator[Page]:
    """A page that fails the test on any Content-Security-Policy violation."""
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    assert violations == []


def sign_in(page: Page, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Forms", level=1)).to_be_visible()


def test_sign_in_lands_on_the_forms_list_and_sign_out_leaves(watched_page: Page, server: str):
    page = watched_page
    sign_in(page, server)

    assert page.url == server + "/app/demo/"
    expect(page.get_by_role("rowheader", name="Talk to sales")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(server + "/app/demo/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_htmx_requests_carry_the_csrf_token(watched_page: Page, server: str):
    page = watched_page
    sign_in(page, server)
    page.wait_for_function("window.htmx !== undefined")

    with page.expect_response(lambda response: response.url.endswith("/logout")) as posted:
        page.evaluate("htmx.ajax('POST', '/logout', {target: 'main', swap: 'none'})")

    assert posted.value.status == 303
    page.goto(server + "/app/demo/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_back_office_screens_pass_axe(browser, server: str, viewport: str):
    context = browser.new_context(**(PHONE if viewport == "phone" else {}))
    page = context.new_page()
    try:
        page.goto(server + "/login")
        page.get_by_role("button", name="Sign in").click()  # empty: errors at the fields
        expect(page.get_by_text("Enter your email address.")).to_be_visible()
        assert_accessible(page, f"sign-in with field errors ({viewport})")
        page.get_by_label("Email").fill(ADMIN)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("The email or password is wrong.")
        assert_accessible(page, f"sign-in refused ({viewport})")
        sign_in(page, server)
        assert_accessible(page, f"forms list ({viewport})")
        page.goto(server + "/account/password")
        assert_accessible(page, f"account ({viewport})")
        for name in ("leads", "calendar", "alerts"):
            page.goto(f"{server}/app/demo/{name}/")
            assert_accessible(page, f"{name} ({viewport})")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_admin_adds_a_webhook_in_the_browser(browser, server: str, viewport: str):
    context = browser.new_context(**(PHONE if viewport == "phone" else {}))
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        sign_in(page, server)
        page.get_by_role("link", name="Alerts").click()
        expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
        page.get_by_label("Name").fill(f"CRM {viewport}")
        page.get_by_label("URL").fill("http://10.0.0.8/hooks")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_text("a private address")).to_be_visible()
        assert_accessible(page, f"alerts with a refused URL ({viewport})")
        page.get_by_label("URL").fill("http://127.0.0.1:9/hooks")
        page.get_by_label("A lead becomes SQL").check()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_role("heading", name="Endpoint added")).to_be_visible()
        expect(page.locator("pre")).to_contain_text("whsec_")
        assert_accessible(page, f"endpoint added ({viewport})")
        page.get_by_role("link", name="Back to alerts").click()
        expect(page.get_by_role("rowheader", name=f"CRM {viewport}")).to_be_visible()
        assert_accessible(page, f"alerts list ({viewport})")
        assert violations == []
    finally:
        context.close()
