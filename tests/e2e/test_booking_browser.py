"""Booking in a real browser: the picker in the visitor's timezone, booking, cancelling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_accessibility import PHONE, assert_accessible, walk_to

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["desktop", "phone"])
def tokyo_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A visitor in Tokyo: the picker must show Tokyo times without being told."""
    options = PHONE if request.param == "phone" else {}
    context = browser.new_context(timezone_id="Asia/Tokyo", **options)
    yield context.new_page()
    context.close()


def test_a_prospect_books_in_their_own_timezone_and_can_cancel(tokyo_page: Page,
                                                                module_live_server: str):
    page = tokyo_page
    walk_to(page, module_live_server, "ending sales")
    picker = page.locator("#lf-booking")
    # The server has rendered the picker again for the zone the browser reported.
    expect(page.locator('form[data-lf-tz="Asia/Tokyo"]')).to_be_visible()
    expect(picker.get_by_label("Times are shown in")).to_have_value("Asia/Tokyo")
    assert_accessible(page, "slot picker")

    second_day = page.get_by_role("navigation", name="Days with free times").get_by_role(
        "link").nth(1)
    label = second_day.inner_text().split(",")[0]
    second_day.click()
    expect(page.locator('.lf-days [aria-current="date"]')).to_contain_text(label)
    first = page.locator("#lf-booking .lf-times button").first
    expect(first).to_be_visible()
    start = datetime.fromisoformat(first.get_attribute("value"))
    assert first.inner_text() == f"{start.astimezone(ZoneInfo('Asia/Tokyo')):%H:%M}"
    first.click()

    booked = page.get_by_role("heading", name="You're booked")
    expect(booked).to_be_visible()
    expect(page.get_by_text("(Asia/Tokyo)")).to_be_visible()
    assert_accessible(page, "booked")

    page.get_by_role("link", name="Reschedule or cancel").click()
    expect(page.get_by_role("heading", name="Your meeting")).to_be_visible()
    assert_accessible(page, "manage booking")
    page.get_by_label("Reason (optional)").fill("Booked by mistake")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_role("heading", name="Meeting cancelled")).to_be_visible()


def test_a_keyboard_user_books_a_time(browser: Browser, module_live_server: str):
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    try:
        walk_to(page, module_live_server, "ending sales")
        expect(page.locator('form[data-lf-tz="Europe/Berlin"]')).to_be_visible()
        time_button = page.locator(".lf-times button").first
        expect(time_button).to_be_visible()
        time_button.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    finally:
        context.close()


def test_the_lead_page_passes_axe(browser: Browser, module_live_server: str):
    context = browser.new_context()
    page = context.new_page()
    try:
        walk_to(page, module_live_server, "ending sales")
        page.goto(module_live_server + "/login")
        page.get_by_label("Email").fill("admin@demo.example")
        page.get_by_label("Password").fill("leadform-demo")
        page.get_by_role("button", name="Sign in").click()
        page.goto(module_live_server + "/app/demo/leads/")
        page.get_by_role("link", name="Ada").first.click()  # the inbox names people
        expect(page.get_by_role("heading", name="Why this score")).to_be_visible()
        assert_accessible(page, "lead page")
    finally:
        context.close()
