"""Accessibility: axe finds nothing serious on any screen, and the form works by keyboard."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

AXE = Axe()
SERIOUS = ("serious", "critical")


def assert_accessible(page: Page, where: str) -> None:
    results = AXE.run(page)
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"] if violation["impact"] in SERIOUS
    ]
    assert not problems, f"{where}:\n" + "\n".join(problems)


def start(page: Page, live_server: str) -> None:
    page.goto(live_server + "/f/demo/talk-to-sales")
    expect(page.get_by_role("heading", name="Talk to sales", level=1)).to_be_visible()


def test_every_step_and_ending_of_the_sales_path_is_accessible(live_server, page, demo_form):
    start(page, live_server)
    assert_accessible(page, "step you")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    assert_accessible(page, "step you with errors")
    demo_form.about_you(page)
    demo_form.go_on(page, "Your company")
    assert_accessible(page, "step company")
    demo_form.your_company(page)
    demo_form.go_on(page, "Your project")
    assert_accessible(page, "step needs")
    page.get_by_text("Why we ask").click()
    expect(page.get_by_text("We never share it")).to_be_visible()
    assert_accessible(page, "step needs, why we ask open")
    demo_form.your_project(page)
    demo_form.go_on(page, "Almost done")
    assert_accessible(page, "step details")
    demo_form.almost_done(page)
    demo_form.go_on(page, "Thanks, Ada!", button="Submit")
    assert_accessible(page, "ending sales (booked with a rep)")


@pytest.mark.parametrize("path, heading", [
    ("student", "Thanks for reaching out"),
    ("small", "You're all set"),
    ("later", "Thanks for your interest!"),
])
def test_the_other_endings_are_accessible(live_server, page, demo_form, path, heading):
    start(page, live_server)
    role = "Student or researcher" if path == "student" else "VP or Head of"
    demo_form.about_you(page, role=role)
    demo_form.go_on(page, "Your company")
    demo_form.your_company(page, size="1–10" if path == "small" else "51–200")
    if path == "student":
        demo_form.go_on(page, heading, button="Submit")  # the branch ends the form here
    elif path == "small":
        demo_form.go_on(page, "Getting started")
        assert_accessible(page, "step starter")
        page.get_by_role("radio", name="Try it myself").check()
        demo_form.go_on(page, heading, button="Submit")
    else:
        demo_form.go_on(page, "Your project")
        demo_form.your_project(page, timeline="Later this year")
        demo_form.go_on(page, "Almost done")
        demo_form.almost_done(page)
        demo_form.go_on(page, heading, button="Submit")
    assert_accessible(page, f"ending {path}")


def test_the_form_is_accessible_on_a_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        start(page, live_server)
        assert_accessible(page, "mobile first step")
    finally:
        context.close()


def test_the_not_found_page_is_accessible(live_server, page):
    page.goto(live_server + "/f/demo/nothing-here")
    assert_accessible(page, "404 page")


def tab_to(page: Page, name: str, limit: int = 30) -> None:
    """Press Tab until the focused element has this accessible name."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : '') + '|' +"
            " (e.innerText || e.value || '') }")
        if name in focused:
            return
    raise AssertionError(f"never reached {name!r} with Tab")


def focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id"))


def test_the_sales_path_can_be_completed_with_the_keyboard_alone(live_server, page):
    start(page, live_server)
    assert focused_id(page) == "first_name-input"
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@example.com")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the role dropdown: "VP or Head of"
    page.keyboard.press("ArrowDown")
    expect(page.locator("#job_level-input")).to_have_value("vp")
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your company", level=1)).to_be_visible()

    expect(page.locator("#company-input")).to_be_focused()
    page.keyboard.type("Analytical Engines")
    page.keyboard.press("Tab")  # into the size radio group: the first option
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # 51–200
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your project", level=1)).to_be_visible()

    expect(page.locator("#use_case-input")).to_be_focused()
    page.keyboard.press("Space")  # Lead quality
    tab_to(page, "Right away")
    page.keyboard.press("Space")
    tab_to(page, "Under $10k a year")  # Tab enters a radio group on its first option
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # arrows move the choice: "Over $50k a year"
    expect(page.get_by_role("radio", name="Over $50k a year")).to_be_checked()
    tab_to(page, "I do")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Almost done", level=1)).to_be_visible()

    expect(page.locator("#notes-input")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # consent
    expect(page.locator("#consent-input")).to_be_checked()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Thanks, Ada!", level=1)).to_be_visible()
