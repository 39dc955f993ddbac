"""Scoring and Routing in a real browser: htmx swaps, the embedded rule builder, the
destination picker, the test panel; no CSP violations and axe on each screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e
ROUTING = "/app/demo/forms/talk-to-sales/routing"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("routing")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


@pytest.fixture
def signed_in(page: Page, server: str) -> Iterator[Page]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, server)
    yield page
    assert violations == []


def test_a_route_rule_is_added_with_the_builder_and_the_picker(signed_in: Page, server: str):
    page = signed_in
    page.goto(server + ROUTING)
    assert_accessible(page, "routing tab")
    add = page.locator("#add-route-heading + p + form")
    expect(add.get_by_label("Team and meeting type")).to_be_visible()
    expect(add.get_by_label("Which track")).to_be_hidden()  # only the chosen kind shows

    add.get_by_label("Condition 1: what to test").select_option("lead.stage")
    expect(add.get_by_label("Condition 1: value")).to_contain_text("MQL")  # re-rendered
    add.get_by_label("Condition 1: value").select_option("mql")
    add.get_by_role("radio", name="Nurture track").check()
    expect(add.get_by_label("Team and meeting type")).to_be_hidden()
    add.get_by_label("Which track").select_option("fast-track")
    add.get_by_role("button", name="Add rule").click()

    saved = "Saved: Added a route to Nurture: Thanks, we're on it."
    expect(page.get_by_text(saved)).to_be_visible()
    expect(page.locator(".rt-route > li")).to_have_count(5)
    expect(page.locator(".rt-route > li").nth(4)).to_contain_text("Everyone else")
    assert_accessible(page, "routing tab after a save")


def test_an_unknown_team_in_the_json_box_is_refused_inline(signed_in: Page, server: str):
    page = signed_in
    page.goto(server + ROUTING)
    page.get_by_text("Show and edit the route as JSON").click()
    page.get_by_label("Route (JSON)").fill('[{"if": true, "to": {"book": "ghost/intro-30"}}]')
    page.get_by_role("button", name="Save JSON").click()

    expect(page.get_by_text("Unknown team 'ghost'")).to_be_visible()
    expect(page.get_by_label("Route (JSON)")).to_be_focused()
    assert_accessible(page, "routing JSON refused")


def test_the_test_panel_shows_the_result_without_reloading(signed_in: Page, server: str):
    page = signed_in
    page.goto(server + ROUTING)
    page.get_by_label("Your work email").fill("ada@example.com")
    page.get_by_label("Which best describes your role?").select_option("vp")
    page.get_by_label("How many people work there?").select_option("51-200")
    page.get_by_label("When do you want to start?").select_option("now")
    page.get_by_label("What budget have you set aside?").select_option("over_50k")
    page.get_by_label("Who decides on a tool like this?").select_option("me")
    page.get_by_role("button", name="Run test").click()

    expect(page.get_by_role("heading", name="Result")).to_be_focused()
    expect(page.locator("#test-result")).to_contain_text("Budget over $50k a year")
    expect(page.locator("#test-result")).to_contain_text("ae-team/intro-30")
    expect(page.get_by_label("Your work email")).to_have_value("ada@example.com")
    assert_accessible(page, "test panel with a result")


def test_a_scoring_rule_is_edited_in_place(signed_in: Page, server: str):
    page = signed_in
    page.get_by_role("link", name="Scoring").click()
    expect(page.get_by_role("heading", name="Scoring", level=1)).to_be_visible()
    assert_accessible(page, "scoring page")
    page.get_by_role("link", name="Edit rule 1: Budget over $50k a year").click()
    expect(page.get_by_role("heading", name="Edit rule 1: budget-over-50k")).to_be_visible()
    row = page.locator(".rt-editing form")
    row.get_by_label("Points").fill("lots")
    row.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("Points must be a whole number")).to_be_visible()
    expect(row.get_by_label("Points")).to_be_focused()
    assert_accessible(page, "scoring rule refused")
    page.locator(".rt-editing form").get_by_label("Points").fill("30")
    page.locator(".rt-editing form").get_by_role("button", name="Save rule").click()

    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    expect(page.get_by_role("row", name="1 Budget over $50k a year")).to_contain_text("30")
