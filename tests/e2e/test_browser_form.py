"""The demo form /f/demo/talk-to-sales, answered in a real browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

FORM = "/f/demo/talk-to-sales"


def path_of(page) -> str:
    return urlsplit(page.url).path


def completed(stored_responses) -> list:
    return [response for response in stored_responses() if response.state == "completed"]


def test_the_sales_path_swaps_each_step_in_place_and_thanks_the_visitor(
        live_server, page, demo_form):
    page.goto(live_server + FORM)
    page.evaluate("window.sameDocument = 'still here'")

    demo_form.about_you(page)
    for heading, answer in [("Your company", demo_form.your_company),
                            ("Your project", demo_form.your_project),
                            ("Almost done", demo_form.almost_done)]:
        demo_form.go_on(page, heading)
        assert path_of(page) == FORM
        assert page.evaluate("window.sameDocument") == "still here"
        answer(page)
    demo_form.go_on(page, "Thanks, Ada!", button="Submit")

    assert page.evaluate("window.sameDocument") == "still here"
    assert path_of(page).startswith(FORM + "/done/")


def test_a_student_is_sent_to_the_student_ending(live_server, page, demo_form):
    page.goto(live_server + FORM)
    demo_form.about_you(page, role="Student or researcher")
    demo_form.go_on(page, "Your company")
    demo_form.your_company(page, company="Difference University")

    demo_form.go_on(page, "Thanks for reaching out", button="Submit")

    expect(page.get_by_text("Our student program gives you free access")).to_be_visible()


def test_a_small_company_sees_the_starter_step_and_the_self_serve_ending(
        live_server, page, demo_form):
    page.goto(live_server + FORM)
    demo_form.about_you(page)
    demo_form.go_on(page, "Your company")
    demo_form.your_company(page, size="1–10")

    demo_form.go_on(page, "Getting started")
    page.get_by_role("radio", name="Try it myself").check()
    demo_form.go_on(page, "You're all set", button="Submit")

    expect(page.get_by_text("start a free trial, no card needed")).to_be_visible()


def test_back_shows_the_previous_step_with_its_answers_and_keeps_what_was_typed(
        live_server, page, demo_form):
    page.goto(live_server + FORM)
    demo_form.about_you(page, first_name="Grace", email="grace@navy.example")
    demo_form.go_on(page, "Your company")
    page.get_by_label("Where do you work").fill("Navy")

    demo_form.go_on(page, "Talk to sales", button="Back")

    expect(page.get_by_label("What's your first name?")).to_have_value("Grace")
    expect(page.get_by_label("Your work email")).to_have_value("grace@navy.example")
    expect(page.get_by_label("Which best describes your role?")).to_have_value("vp")
    demo_form.go_on(page, "Your company")
    expect(page.get_by_label("Where do you work, Grace?")).to_have_value("Navy")


def test_reloading_resumes_on_the_same_step_with_the_answers_kept(live_server, page, demo_form):
    page.goto(live_server + FORM)
    demo_form.about_you(page)
    demo_form.go_on(page, "Your company")
    demo_form.your_company(page, size="201–1,000")
    demo_form.go_on(page, "Your project")

    page.reload()

    expect(page.get_by_role("heading", name="Your project", level=1)).to_be_visible()
    expect(page.get_by_text("Welcome back: we kept your answers.")).to_be_visible()
    demo_form.go_on(page, "Your company", button="Back")
    expect(page.get_by_label("Where do you work, Ada?")).to_have_value("Analytical Engines")
    expect(page.get_by_role("radio", name="201–1,000")).to_be_checked()


def test_without_javascript_the_sales_path_posts_and_redirects(
        live_server, browser, demo_form, stored_responses):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    posts: list[int] = []
    page.on("response", lambda reply: posts.append(reply.status)
            if reply.request.method == "POST" and reply.request.is_navigation_request() else None)
    try:
        page.goto(live_server + FORM)
        demo_form.up_to_the_last_step(page)
        assert path_of(page) == FORM

        demo_form.go_on(page, "Thanks, Ada!", button="Submit")

        assert posts == [303, 303, 303, 303]
        assert path_of(page).startswith(FORM + "/done/")
        assert len(completed(stored_responses)) == 1
    finally:
        context.close()


def test_a_double_click_on_submit_completes_one_response(
        live_server, page, demo_form, stored_responses):
    page.goto(live_server + FORM)
    demo_form.up_to_the_last_step(page)

    page.get_by_role("button", name="Submit").dblclick()

    expect(page.get_by_role("heading", name="Thanks, Ada!")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert len(completed(stored_responses)) == 1
    assert len(stored_responses()) == 1


def test_a_scripted_second_click_on_submit_completes_one_response(
        live_server, page, demo_form, stored_responses):
    page.goto(live_server + FORM)
    demo_form.up_to_the_last_step(page)

    # Click, undo the button's disabling, click again: two submits of the same page.
    page.get_by_role("button", name="Submit").evaluate(
        "button => { button.click(); button.disabled = false; button.click(); }")

    expect(page.get_by_role("heading", name="Thanks, Ada!")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert len(completed(stored_responses)) == 1
    assert len(stored_responses()) == 1


def test_the_same_final_page_posted_twice_at_once_completes_one_response(
        live_server, page, demo_form, stored_responses):
    page.goto(live_server + FORM)
    demo_form.up_to_the_last_step(page)

    statuses = page.locator("form").evaluate("""async form => {
        const send = () => fetch(form.action, {method: "POST", body: new FormData(form)});
        const replies = await Promise.all([send(), send()]);
        return replies.map(reply => reply.status);
    }""")

    assert statuses == [200, 200]  # both followed the 303 to the ending
    assert len(completed(stored_responses)) == 1
    assert len(stored_responses()) == 1


def test_a_bad_email_shows_its_error_on_leaving_the_field_and_keeps_what_was_typed(
        live_server, page):
    page.goto(live_server + FORM)
    email = page.get_by_label("Your work email")

    email.fill("ada@analytical")
    page.evaluate("""() => { window.checked = new Promise(done =>
        document.addEventListener("htmx:afterSettle", done, {once: true})); }""")
    email.press("Tab")
    page.evaluate("() => window.checked.then(() => true)")  # the check's reply has settled

    expect(email).to_have_accessible_description(
        re.compile("Please enter a valid email address"))
    expect(email).to_have_value("ada@analytical")
    expect(page.get_by_label("Which best describes your role?")).to_be_focused()


def test_continuing_with_empty_required_fields_shows_the_summary_and_focuses_the_first(
        live_server, page):
    page.goto(live_server + FORM)
    page.get_by_label("Your work email").fill("ada@example.com")

    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("alert")).to_contain_text("Please check 2 answers")
    first_name = page.get_by_label("What's your first name?")
    expect(first_name).to_be_focused()
    expect(first_name).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your work email")).to_have_value("ada@example.com")
    assert path_of(page) == FORM


def test_enter_in_a_text_box_continues_to_the_next_step(live_server, page, demo_form):
    page.goto(live_server + FORM)
    demo_form.about_you(page)

    page.get_by_label("Your work email").press("Enter")

    expect(page.get_by_role("heading", name="Your company", level=1)).to_be_visible()


def test_enter_on_a_chosen_option_continues_to_the_next_step(live_server, page, demo_form):
    page.goto(live_server + FORM)
    demo_form.about_you(page)
    demo_form.go_on(page, "Your company")
    page.get_by_label("Where do you work").fill("Analytical Engines")
    size = page.get_by_role("radio", name="11–50")
    size.check()

    size.press("Enter")

    expect(page.get_by_role("heading", name="Your project", level=1)).to_be_visible()


def test_checking_a_field_logs_no_errors(live_server, page):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and not message.location["url"].endswith("/favicon.ico") else None)
    page.goto(live_server + FORM)
    email = page.get_by_label("Your work email")

    email.fill("ada@example.com")
    page.evaluate("""() => { window.checked = new Promise(done =>
        document.addEventListener("htmx:afterSettle", done, {once: true})); }""")
    email.press("Tab")
    page.evaluate("() => window.checked.then(() => true)")

    assert errors == []
