"""The Logic tab in a real browser: the rule builder re-renders through htmx (no CSP
violations), a rule saves, and axe finds nothing serious, also with errors shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving, settled
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e

LOGIC = "/app/demo/forms/talk-to-sales/logic"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("logic")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


@pytest.fixture
def watched(page: Page) -> Iterator[Page]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    assert violations == []


def test_building_a_step_rule_in_the_browser(watched: Page, server: str):
    page = watched
    sign_in(page, server)
    page.goto(server + LOGIC)
    step = page.locator("#logic-steps-3-visible_if")  # "Your project", always shown
    step.get_by_text("Edit when this step shows").click()
    step.get_by_role("button", name="Add a condition").click()

    variable = step.get_by_label("Condition 1: what to test")
    expect(variable).to_have_value("answers.first_name")
    settled(page)
    variable.select_option("answers.company_size")
    expect(step.locator("select.rb-value")).to_be_visible()  # re-rendered for a choice question
    operator = step.get_by_label("Condition 1: operator")
    expect(operator.locator("option")).to_have_count(6)  # the choice operators
    settled(page)
    operator.select_option("in")
    expect(step.get_by_role("checkbox", name="51–200")).to_be_visible()
    step.get_by_role("checkbox", name="51–200").check()
    step.get_by_role("checkbox", name="201–1,000").check()
    step.get_by_role("button", name="Save").first.click()

    expect(step.get_by_text("Saved.")).to_be_visible()
    expect(step.locator(".lg-summary")).to_contain_text("is one of")
    expect(page.locator("#ed-saved")).to_contain_text("Step ‘Your project’ shown only if")
    assert_accessible(page, "the Logic tab after a save")


def test_errors_show_inline_and_stay_accessible(watched: Page, server: str):
    page = watched
    sign_in(page, server)
    page.goto(server + LOGIC)
    branch = page.locator("#logic-steps-1-next-new")
    branch.get_by_text("Add a branch").click()
    branch.get_by_role("button", name="Add a condition").click()
    branch.get_by_label("Condition 1: what to test").select_option("answers.company_size")
    branch.get_by_label("Go to").select_option("nurture")
    branch.get_by_role("button", name="Add branch").click()  # no value chosen

    expect(branch.get_by_text("Choose an option.")).to_be_visible()
    expect(branch.get_by_role("alert")).to_contain_text("nothing was saved")
    branch.locator("summary", has_text="JSON").click()
    branch.get_by_label("Condition as JsonLogic").fill('{"==": [')
    branch.get_by_role("button", name="Add branch").click()
    expect(branch.get_by_text("This is not valid JSON")).to_be_visible()
    assert_accessible(page, "the Logic tab with errors")
