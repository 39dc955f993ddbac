"""The Build tab in a real browser: autosave, the palette, drag and drop, the preview,
no CSP violations, and axe on the editor at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import PHONE, assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e

EDITOR = "/app/demo/forms/talk-to-sales/build"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("editor")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


@pytest.fixture
def editor(browser, server: str) -> Iterator[Page]:
    """A signed-in page that fails the test on any Content-Security-Policy violation."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, server)
    yield page
    context.close()
    assert violations == []


def _outline_labels(page: Page, step: int) -> list[str]:
    """The questions' labels, without the required marks. Read whether or not the stylesheet
    applies yet: on a page just swapped in, the screen-reader text can share the line."""
    texts = (page.locator(".ed-steps > li").nth(step).locator(".ed-field .ed-label")
             .all_inner_texts())
    return [" ".join(text.split()).removesuffix("(required)").rstrip(" *") for text in texts]


def test_an_edit_autosaves_and_the_preview_shows_it(editor: Page, server: str) -> None:
    page = editor
    page.goto(server + EDITOR + "?at=/steps/1/fields/1")
    page.get_by_label("Question", exact=True).fill("How many people work with you?")
    page.get_by_label("Question", exact=True).press("Tab")
    expect(page.locator("#ed-saved")).to_contain_text("Saved")
    expect(page.locator("#ed-outline")).to_contain_text("How many people work with you?")
    preview = page.frame_locator(".ed-frame")
    expect(preview.get_by_text("How many people work with you?")).to_be_visible()
    page.reload()  # it was stored, not just shown
    expect(page.get_by_label("Question", exact=True)).to_have_value(
        "How many people work with you?")


def test_a_refused_edit_says_why_next_to_the_input(editor: Page, server: str) -> None:
    page = editor
    page.goto(server + EDITOR + "?at=/steps/1/fields/1")
    page.get_by_label("Value of option 2").fill("1-10")
    page.get_by_label("Value of option 2").press("Tab")
    expect(page.locator("#err-option_value-1")).to_contain_text("1-10")
    expect(page.locator("#ed-saved")).to_have_text("Not saved")
    page.reload()
    expect(page.get_by_label("Value of option 2")).not_to_have_value("1-10")


def test_the_palette_adds_a_question_and_undo_takes_it_away(editor: Page, server: str) -> None:
    page = editor
    page.goto(server + EDITOR + "?at=/steps/0")
    before = _outline_labels(page, 0)
    page.get_by_role("button", name="Yes / No").click()
    expect(page.get_by_role("heading", name="Question Yes no")).to_be_visible()
    assert _outline_labels(page, 0) == [*before, "Yes or no?"]
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: Added a yes no question")).to_be_visible()
    assert _outline_labels(page, 0) == before


def test_questions_reorder_by_drag_and_drop_and_by_keyboard(editor: Page, server: str) -> None:
    page = editor
    page.goto(server + EDITOR)
    first, second, third = _outline_labels(page, 0)
    handle = page.locator(".ed-steps > li").nth(0).locator(".ed-field .ed-handle").nth(0)
    target = page.locator(".ed-steps > li").nth(0).locator(".ed-field").nth(2)
    start, end = handle.bounding_box(), target.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + 4, start["y"] + 6)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(start["x"] + 4, start["y"] + 6 + (end["y"] + end["height"] - 4
                                                          - start["y"] - 6) * step / 20)
        page.wait_for_timeout(15)
    with page.expect_response(lambda response: "/move" in response.url):
        page.mouse.up()
    expect(page.locator(".ed-steps > li").nth(0).locator(".ed-field .ed-label").nth(2)
           ).to_contain_text(first)
    assert _outline_labels(page, 0) == [second, third, first]
    page.get_by_role("button", name=f"Move ‘{first}’ up").click()
    expect(page.locator(".ed-steps > li").nth(0).locator(".ed-field .ed-label").nth(1)
           ).to_contain_text(first)
    assert _outline_labels(page, 0) == [second, first, third]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_editor_passes_axe(browser, server: str, viewport: str) -> None:
    context = browser.new_context(**(PHONE if viewport == "phone" else
                                     {"viewport": {"width": 1440, "height": 1000}}))
    page = context.new_page()
    try:
        sign_in(page, server)
        for at, what in (("", "form settings"), ("/steps/0", "step"),
                         ("/steps/1/fields/1", "choice question"), ("/endings/0", "ending")):
            page.goto(f"{server}{EDITOR}?at={at}")
            assert_accessible(page, f"editor: {what} ({viewport})")
        page.get_by_label("Title").fill("")
        page.get_by_label("Title").press("Tab")  # an ending's title may be empty: no error
        page.goto(f"{server}{EDITOR}?at=/steps/1/fields/1")
        page.get_by_label("Value of option 2").fill("1-10")
        page.get_by_label("Value of option 2").press("Tab")
        expect(page.locator("#err-option_value-1")).to_be_visible()
        assert_accessible(page, f"editor with an error ({viewport})")
        page.goto(f"{server}/app/demo/forms/talk-to-sales/preview?screen=you")
        assert_accessible(page, f"preview ({viewport})")
    finally:
        context.close()
