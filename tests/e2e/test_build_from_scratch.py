"""A marketer builds a form from nothing in the browser, publishes it, and prospects fill it.

Three steps, a choice question, a branch, a scoring rule and a route, all through
the editor's screens (no JSON typed); then two prospects in other browsers take the
two paths and see the endings the route picks. A label carrying an XSS attempt stays
text in the editor, the preview and the public form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.e2e.conftest import serving, settled
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e

ATTACK = "<img src=x onerror=alert(1)>"
FORM = "/app/demo/forms/partner-program"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("scratch")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


@pytest.fixture
def watched(browser) -> Iterator[tuple[Page, list[str]]]:
    """A wide page; CSP violations and any dialog (an XSS would open one) are recorded."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)

    def on_dialog(dialog: Dialog) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page, problems
    context.close()


def _select_question(page: Page, label: str) -> None:
    page.locator("#ed-outline .ed-item", has_text=label).first.click()
    expect(page.get_by_label("Question", exact=True)).to_have_value(label)


def _set_question(page: Page, label: str) -> None:
    box = page.get_by_label("Question", exact=True)
    box.fill(label)
    box.press("Tab")
    expect(page.locator("#ed-outline")).to_contain_text(label)


def _add_question(page: Page, kind: str, label: str) -> None:
    page.get_by_role("button", name=kind, exact=True).click()
    expect(page.locator("#ed-panel-heading")).to_contain_text("Question")
    _set_question(page, label)


def _add_step(page: Page, title: str) -> None:
    page.get_by_role("button", name="+ Add a step").click()
    expect(page.locator("#ed-panel-heading")).to_contain_text("Step")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Title", exact=True).press("Tab")
    expect(page.locator("#ed-outline")).to_contain_text(title)


def build_the_form(page: Page, server: str) -> None:
    sign_in(page, server)
    page.get_by_role("link", name="New form").click()
    page.get_by_label("Name").fill("Partner program")
    page.get_by_label("Blank form").check()
    page.get_by_role("button", name="Create form").click()
    expect(page.get_by_role("heading", name="Partner program", level=1)).to_be_visible()

    # Step 1: the blank form's email question, and a choice question with two options.
    page.locator("#ed-outline .ed-item", has_text="Your details").first.click()
    page.get_by_label("Title", exact=True).fill("About you")
    page.get_by_label("Title", exact=True).press("Tab")
    expect(page.locator("#ed-outline")).to_contain_text("About you")
    _add_question(page, "Single choice", "How many people work at your company?")
    page.get_by_label("Label of option 1").fill("Just a few")
    page.get_by_label("Label of option 1").press("Tab")
    expect(page.locator("#ed-saved")).to_contain_text("Saved")
    page.get_by_label("Label of option 2").fill("Hundreds")
    page.get_by_label("Label of option 2").press("Tab")
    expect(page.locator("#ed-saved")).to_contain_text("Saved")
    page.get_by_text("Data", exact=True).click()
    page.get_by_label("Answer key").fill("headcount")
    page.get_by_label("Answer key").press("Tab")  # a new key re-renders the panel
    expect(page.get_by_label("Answer key")).to_have_value("headcount")
    page.get_by_label("Saves to contact property").fill("headcount")
    page.get_by_label("Saves to contact property").press("Tab")
    expect(page.locator("#ed-saved")).to_contain_text("Saved")

    # Step 2 (only for big companies) and step 3, with a label that tries to run script.
    _add_step(page, "Your partnership")
    _select_question(page, "Your answer")
    _set_question(page, ATTACK)
    expect(page.frame_locator(".ed-frame").get_by_text(ATTACK)).to_be_visible()  # text, inert
    _add_step(page, "Timing")
    _select_question(page, "Your answer")
    _set_question(page, "When would you like to start?")
    expect(page.frame_locator(".ed-frame").get_by_text(
        "When would you like to start?")).to_be_visible()


def add_the_branch(page: Page, server: str) -> None:
    """Small companies skip the partnership step."""
    page.get_by_role("link", name="Logic", exact=True).click()
    first_step = page.locator(".lg-steps > li").nth(0)
    first_step.get_by_text("Add a branch").click()
    first_step.get_by_role("button", name="Add a condition").last.click()
    expect(first_step.get_by_label("Condition 1: what to test")).to_be_visible()
    settled(page)
    first_step.get_by_label("Condition 1: what to test").last.select_option(
        "answers.headcount")
    expect(first_step.locator("select.rb-value")).to_be_visible()  # re-rendered for a choice
    first_step.get_by_label("Condition 1: value").last.select_option(label="Just a few")
    first_step.get_by_label("Go to").last.select_option(label="Step: Timing")
    first_step.get_by_role("button", name="Add branch").click()
    expect(first_step).to_contain_text("go to ‘Timing’")
    expect(first_step).to_contain_text("Just a few")


def add_the_scoring_rule(page: Page) -> None:
    """Big companies are a strong fit: enough for SQL on their own (the demo's threshold is 70)."""
    page.get_by_role("link", name="Scoring", exact=True).click()
    add = page.locator("section[aria-labelledby=add-heading]")
    add.get_by_label("Reason").fill("Hundreds of people")
    settled(page)
    add.get_by_label("Condition 1: what to test").select_option("answers.headcount")
    expect(add.locator("select.rb-value")).to_be_visible()
    add.get_by_label("Condition 1: value").select_option(label="Hundreds")
    add.get_by_label("Points").fill("80")
    add.get_by_label("Dimension").select_option("fit")
    add.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Hundreds of people")).to_be_visible()


def add_the_route(page: Page, server: str) -> None:
    """SQL leads book a meeting with the account executives; everyone else is nurtured."""
    page.goto(f"{server}{FORM}/routing")
    start = page.locator("section[aria-labelledby=start-heading]")
    start.get_by_label("Nurture track").check()
    start.get_by_label("Which track").select_option("general")
    start.get_by_role("button", name="Add routing").click()
    add = page.locator("section[aria-labelledby=add-route-heading]")
    expect(add).to_be_visible()
    settled(page)
    add.get_by_label("Condition 1: what to test").select_option("lead.stage")
    expect(add.locator("select.rb-value")).to_be_visible()
    add.get_by_label("Condition 1: value").select_option("sql")
    add.get_by_label("Book a meeting").check()
    add.get_by_label("Team and meeting type").select_option("ae-team/intro-30")
    add.get_by_role("button", name="Add rule").click()
    expect(page.locator(".rt-rule").first).to_contain_text("Stage")
    expect(page.locator(".rt-rule").first).to_contain_text("Book")


def publish_it(page: Page) -> None:
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_text("No problems found")).to_be_visible()
    page.get_by_role("button", name="Publish v1").click()
    expect(page.get_by_text("Published v1")).to_be_visible()


def fill_as_prospect(browser, server: str, *, email: str, size: str) -> Page:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/f/demo/partner-program")
    page.get_by_label("Your work email").fill(email)
    page.get_by_label(size).check()
    page.get_by_role("button", name="Continue").click()
    return page


def test_a_marketer_builds_publishes_and_prospects_take_both_paths(
        watched: tuple[Page, list[str]], browser, server: str) -> None:
    page, problems = watched
    build_the_form(page, server)
    assert_accessible(page, "the editor after building")
    add_the_branch(page, server)
    add_the_scoring_rule(page)
    add_the_route(page, server)
    assert_accessible(page, "the Routing tab after adding a rule")
    page.get_by_role("link", name="Build", exact=True).click()
    expect(page.locator("#ed-outline")).to_contain_text(ATTACK)  # shown as text
    publish_it(page)

    small = fill_as_prospect(browser, server, email="ann@small.example", size="Just a few")
    expect(small.get_by_label("When would you like to start?")).to_be_visible()  # step 2 skipped
    small.get_by_label("When would you like to start?").fill("Next month")
    small.get_by_role("button", name="Submit").click()
    expect(small.get_by_text("We'll send you a short guide")).to_be_visible()  # the track

    big = fill_as_prospect(browser, server, email="bo@big.example", size="Hundreds")
    expect(big.get_by_label(ATTACK)).to_be_visible()  # the partnership step, label as text
    big.get_by_label(ATTACK).fill("Reselling")
    big.get_by_role("button", name="Continue").click()
    big.get_by_label("When would you like to start?").fill("Now")
    big.get_by_role("button", name="Submit").click()
    expect(big.get_by_role("heading", name="Pick a time for your")).to_be_visible()
    assert problems == [], "\n".join(problem[-260:] for problem in problems)
