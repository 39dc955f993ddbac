"""The Design and Share tabs in a real browser: live contrast advice and sample, copy
buttons that announce, inline errors, no CSP violations, and axe on every state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import PHONE, assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e

FORM = "/app/demo/forms/talk-to-sales"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("design")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


@pytest.fixture(params=["desktop", "phone"])
def signed_in(request, browser, server: str) -> Iterator[Page]:
    """An admin of the demo workspace; the test fails on any CSP violation."""
    context = browser.new_context(**(PHONE if request.param == "phone" else {}))
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, server)
    yield page
    context.close()
    assert violations == []


def test_picking_colours_gives_live_advice_and_paints_the_sample(signed_in: Page, server: str):
    page = signed_in
    page.goto(server + FORM + "/design")
    sample = page.locator("#ds-sample")
    expect(sample).to_be_visible()
    assert_accessible(page, "the Design tab")

    page.get_by_label("Primary colour", exact=True).fill("#ffcc00")
    advice = page.get_by_role("status").filter(has_text="contrast")
    expect(advice).to_contain_text("1.51:1")
    expect(sample.locator(".ds-sample-button")).to_have_css("background-color",
                                                            "rgb(255, 204, 0)")
    expect(sample.locator(".ds-sample-button")).to_have_css("color", "rgb(27, 30, 41)")
    assert page.locator("#ds-primary_color-picker").input_value() == "#ffcc00"

    page.get_by_label("Primary colour", exact=True).fill("#0b6e4f")
    expect(advice).to_contain_text("meet the WCAG contrast minimums")


def test_a_bad_colour_is_an_inline_error_and_a_good_one_is_saved(signed_in: Page, server: str):
    page = signed_in
    page.goto(server + FORM + "/design")
    page.get_by_label("Text colour", exact=True).fill("dark grey")
    page.get_by_role("button", name="Save design").click()

    expect(page.locator("#ds-text_color-error")).to_contain_text("six hex digits")
    expect(page.get_by_label("Text colour", exact=True)).to_have_value("dark grey")
    assert_accessible(page, "the Design tab with an error")

    page.get_by_label("Text colour", exact=True).fill("#222222")
    page.get_by_role("button", name="Save design").click()
    expect(page.get_by_text("Design saved to the draft")).to_be_visible()
    page.get_by_role("button", name="Reset to defaults").click()
    expect(page.get_by_label("Text colour", exact=True)).to_have_value("")


def test_copy_puts_the_snippet_on_the_clipboard_and_says_so(signed_in: Page, server: str):
    page = signed_in
    page.goto(server + FORM + "/share")
    assert_accessible(page, "the Share tab")

    page.get_by_role("button", name="Copy the inline snippet").click()
    expect(page.locator("#sh-announce")).to_have_text("Inline snippet copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.get_by_label("Inline", exact=True).input_value()
    assert 'data-leadform="demo/talk-to-sales"' in copied
    expect(page.get_by_role("img", name="QR code of " + server + "/f/demo/talk-to-sales"))\
        .to_be_visible()


def test_a_bad_domain_is_explained_next_to_the_box(signed_in: Page, server: str):
    page = signed_in
    page.goto(server + FORM + "/share")
    page.get_by_label("Add a site").fill("https://www.example.com/pricing")
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page.locator("#sh-domain-error")).to_contain_text("here: www.example.com")
    expect(page.get_by_label("Add a site")).to_be_focused()
    assert_accessible(page, "the Share tab with an error")
