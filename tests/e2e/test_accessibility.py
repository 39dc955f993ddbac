"""Accessibility of the hosted form: axe finds nothing serious on any screen, and a
visitor can finish the form with the keyboard alone.

One server serves the whole module (`module_live_server`); every test opens its own
browser context, so it is a new visitor who walks from the first step to its screen.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

FORM = "/f/demo/talk-to-sales"
AXE = Axe()
BLOCKING = ("serious", "critical")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def describe(violations: list[dict]) -> str:
    """axe's findings as a reviewer wants to read them: rule, why, where, how to fix."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    violations = AXE.run(page).response["violations"]
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING]
    if blocking:
        pytest.fail(f"axe on {where}:\n{describe(blocking)}", pytrace=False)


# --- walking the demo form: each answer fills one step; the form's button goes on ---

def about_you(page: Page, role: str = "VP or Head of") -> None:
    page.get_by_label("What's your first name?").fill("Ada")
    page.get_by_label("Your work email").fill("ada@example.com")
    page.get_by_label("Which best describes your role?").select_option(label=role)


def company(size: str) -> Callable[[Page], None]:
    def answer(page: Page) -> None:
        page.get_by_label("Where do you work").fill("Analytical Engines")
        page.get_by_role("radio", name=size, exact=True).check()
    return answer


def project(timeline: str) -> Callable[[Page], None]:
    def answer(page: Page) -> None:
        page.get_by_role("checkbox", name="Lead quality").check()
        page.get_by_role("radio", name=timeline).check()
        page.get_by_role("radio", name="Over $50k a year").check()
        page.get_by_role("radio", name="I do", exact=True).check()
    return answer


def details(page: Page) -> None:
    page.get_by_label("I agree that Demo Inc. may contact me").check()


ANSWERS: dict[str, Callable[[Page], None]] = {
    "you": about_you,
    "you, a student": lambda page: about_you(page, role="Student or researcher"),
    "company of 51-200": company("51–200"),
    "company of 1-10": company("1–10"),
    "project now": project("Right away"),
    "project later": project("Later this year"),
    "try it myself": lambda page: page.get_by_role("radio", name="Try it myself").check(),
    "details": details,
}

# screen: the answers that lead there, and the heading it shows
SCREENS: dict[str, tuple[list[str], str]] = {
    "step you": ([], "Talk to sales"),
    "step company": (["you"], "Your company"),
    "step starter": (["you", "company of 1-10"], "Getting started"),
    "step needs": (["you", "company of 51-200"], "Your project"),
    "step details": (["you", "company of 51-200", "project now"], "Almost done"),
    "ending sales": (["you", "company of 51-200", "project now", "details"], "Thanks, Ada!"),
    "ending nurture": (["you", "company of 51-200", "project later", "details"],
                       "Thanks for your interest!"),
    "ending self-serve": (["you", "company of 1-10", "try it myself"], "You're all set"),
    "ending student": (["you, a student", "company of 51-200"], "Thanks for reaching out"),
}


def open_form(page: Page, server: str) -> None:
    page.goto(server + FORM)
    expect(page.get_by_role("heading", name="Talk to sales", level=1)).to_be_visible()


def next_screen(page: Page, submit: Callable[[], None]) -> None:
    """Submit, and wait until htmx has settled the screen it swaps in (focus moves then)."""
    page.evaluate("""() => { window.lfSettled = new Promise(done => {
        const settled = event => {
            if (event.target.id !== "lf-screen") return;  // a field check, not a screen
            document.removeEventListener("htmx:afterSettle", settled);
            done();
        };
        document.addEventListener("htmx:afterSettle", settled);
    }); }""")
    submit()
    page.evaluate("() => window.lfSettled")


def walk_to(page: Page, server: str, screen: str) -> None:
    answers, heading = SCREENS[screen]
    open_form(page, server)
    for answer in answers:
        ANSWERS[answer](page)
        next_screen(page, page.locator(".lf-next").click)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


@pytest.fixture
def server(module_live_server: str) -> str:
    return module_live_server


# --- axe on every screen ---

@pytest.mark.parametrize("screen", SCREENS)
def test_axe_finds_nothing_serious_on(screen: str, server: str, page: Page) -> None:
    walk_to(page, server, screen)
    assert_accessible(page, screen)


def test_axe_finds_nothing_serious_on_text_fields_with_errors(server: str, page: Page) -> None:
    open_form(page, server)
    next_screen(page, page.locator(".lf-next").click)
    expect(page.get_by_role("alert")).to_contain_text("Please check 3 answers")
    assert_accessible(page, "step you, submitted empty")


def test_axe_finds_nothing_serious_on_choice_groups_with_errors(server: str, page: Page) -> None:
    walk_to(page, server, "step needs")
    next_screen(page, page.locator(".lf-next").click)
    expect(page.get_by_role("alert")).to_contain_text("Please check 4 answers")
    expect(page.get_by_role("group", name="What do you want to improve?")).to_have_attribute(
        "aria-invalid", "true")
    assert_accessible(page, "step needs, submitted empty")


def test_the_why_we_ask_disclosure_opens_and_stays_accessible(server: str, page: Page) -> None:
    walk_to(page, server, "step needs")
    why = page.get_by_text("Why we ask")
    why.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("We never share it")).to_be_visible()
    assert_accessible(page, "step needs, 'why we ask' open")


def test_axe_finds_nothing_serious_on_the_not_found_page(server: str, page: Page) -> None:
    reply = page.goto(server + "/f/demo/no-such-form")
    assert reply is not None and reply.status == 404
    assert_accessible(page, "404 page")


@pytest.mark.parametrize("screen", ["step you", "step needs"])
def test_on_a_phone_axe_finds_nothing_serious_and_nothing_scrolls_sideways(
        screen: str, server: str, browser) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        walk_to(page, server, screen)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page, f"{screen} on a 390x844 phone")
    finally:
        context.close()


def test_on_a_phone_every_option_and_button_is_a_big_tap_target(server: str, browser) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        walk_to(page, server, "step needs")
        # A radio or checkbox is small itself: its whole option is what a thumb taps.
        small = page.evaluate("""() => [...document.querySelectorAll(
                ".lf-option, .lf-actions button, summary, select, textarea, input[type=text]")]
            .filter(node => !node.closest(".lf-hp"))
            .map(node => [node.textContent.trim() || node.id, node.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)
            .map(([name, height]) => `${name}: ${Math.round(height)}px`)""")
        assert small == [], "tap targets under 44px high: " + ", ".join(small)
    finally:
        context.close()


# --- keyboard only ---

def focused(page: Page) -> str:
    """The focused element's accessible name as Tab would announce it (label, or text)."""
    return str(page.evaluate("""() => {
        const node = document.activeElement;
        const label = node.labels && node.labels.length ? node.labels[0].innerText : "";
        return (label || node.innerText || node.value || node.id || "").trim();
    }"""))


def tab_to(page: Page, name: str, *, backwards: bool = False, limit: int = 12) -> None:
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if name in focused(page):
            return
    raise AssertionError(f"{key} never reached {name!r}; focus is on {focused(page)!r}")


def enter_to_continue(page: Page) -> None:
    next_screen(page, lambda: page.keyboard.press("Enter"))


def test_the_sales_path_can_be_completed_with_the_keyboard_alone(server: str, page: Page) -> None:
    open_form(page, server)
    first_name = page.locator("#first_name-input")
    expect(first_name).to_be_focused()

    enter_to_continue(page)  # nothing typed yet: the errors, and focus on the first field again
    expect(page.get_by_role("alert")).to_contain_text("Please check 3 answers")
    expect(first_name).to_be_focused()
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("VP")  # type-ahead in the closed role dropdown
    expect(page.locator("#job_level-input")).to_have_value("vp")
    tab_to(page, "Continue")
    enter_to_continue(page)

    expect(page.get_by_role("heading", name="Your company", level=1)).to_be_visible()
    expect(page.locator("#company-input")).to_be_focused()
    page.keyboard.type("Analytical Engines")
    page.keyboard.press("Tab")  # into the size group, on its first option
    expect(page.get_by_role("radio", name="1–10")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # arrows move the choice: 51–200
    expect(page.get_by_role("radio", name="51–200")).to_be_checked()
    enter_to_continue(page)  # Enter on a chosen option continues

    expect(page.get_by_role("heading", name="Your project", level=1)).to_be_visible()
    expect(page.locator("#use_case-input")).to_be_focused()
    page.keyboard.press("Space")  # Lead quality
    expect(page.get_by_role("checkbox", name="Lead quality")).to_be_checked()
    tab_to(page, "Right away")
    page.keyboard.press("Space")
    tab_to(page, "Why we ask")
    page.keyboard.press("Enter")
    expect(page.get_by_text("We never share it")).to_be_visible()
    tab_to(page, "Under $10k a year")  # Tab enters a group with nothing chosen on its first option
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Over $50k a year")).to_be_checked()
    tab_to(page, "I do")
    page.keyboard.press("Space")
    enter_to_continue(page)

    expect(page.get_by_role("heading", name="Almost done", level=1)).to_be_visible()
    expect(page.locator("#notes-input")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#consent-input")).to_be_checked()
    tab_to(page, "Anything we should know", backwards=True)  # back up to add a note
    page.keyboard.type("We need it before the trade show.")
    tab_to(page, "Submit")
    enter_to_continue(page)

    ending = page.get_by_role("heading", name="Thanks, Ada!", level=1)
    expect(ending).to_be_visible()
    expect(ending).to_be_focused()
