"""The embed script on a marketer's page served from another origin: inline and popup."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LANDING = "/landing.html?utm_source=news&utm_campaign=fall"
FIRST_QUESTION = "What's your first name?"


def content_height(frame) -> int:
    """The height of the form's page, measured inside its iframe as form.js measures it."""
    return frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")


def assert_fits(page, iframe) -> int:
    """The iframe's height settles on its content's height; returns it."""
    frame = iframe.element_handle().content_frame()
    for _ in range(100):
        wanted = content_height(frame)
        if iframe.evaluate("(node, px) => node.style.height === px", f"{wanted}px"):
            return wanted
        page.wait_for_timeout(50)
    raise AssertionError(f"the iframe is {iframe.evaluate('node => node.style.height')} high, "
                         f"its content {content_height(frame)}px")


def open_landing_page(page, host_site):
    """The host page with its inline form, once the form's script has sized the iframe."""
    page.goto(host_site + LANDING)
    iframe = page.locator("[data-leadform] iframe")
    expect(iframe).not_to_have_css("height", "480px")
    return iframe, page.frame_locator("[data-leadform] iframe")


def open_popup(page, host_site):
    page.goto(host_site + "/popup.html")
    button = page.get_by_role("button", name="Talk to sales")
    expect(button).to_have_attribute("aria-haspopup", "dialog")  # the embed script is ready
    button.click()
    dialog = page.get_by_role("dialog", name="Talk to sales")
    expect(dialog.frame_locator("iframe").get_by_label(FIRST_QUESTION)).to_be_visible()
    # The form's script is ready once it has sized its iframe (from the initial 480px).
    expect(dialog.locator("iframe")).not_to_have_css("height", "480px")
    return button, dialog


def test_an_inline_embed_shows_the_form_in_an_iframe_named_after_it(host_site, page):
    page.goto(host_site + LANDING)

    form = page.frame_locator("[data-leadform] iframe")

    expect(form.get_by_role("heading", name="Talk to sales", level=1)).to_be_visible()
    expect(form.get_by_label(FIRST_QUESTION)).to_be_editable()
    expect(page.locator("[data-leadform] iframe")).to_have_attribute("title", "Talk to sales")


def test_the_inline_iframe_fits_its_content_and_refits_on_the_next_step(
        host_site, page, demo_form):
    iframe, form = open_landing_page(page, host_site)

    first = assert_fits(page, iframe)
    demo_form.about_you(form)
    demo_form.go_on(form, "Your company")
    second = assert_fits(page, iframe)

    heights = page.evaluate("window.frameHeights")
    assert heights[0] == "480px"
    assert first != 480 and second != first
    assert heights[-1] == f"{second}px" and f"{first}px" in heights


def test_a_completed_embedded_form_stores_the_host_pages_utm_and_address(
        host_site, page, demo_form, stored_responses):
    _, form = open_landing_page(page, host_site)

    demo_form.up_to_the_last_step(form)
    demo_form.go_on(form, "Thanks, Ada!", button="Submit")

    [response] = stored_responses()
    assert response.state == "completed"
    assert response.hidden["utm_source"] == "news"
    assert response.hidden["utm_campaign"] == "fall"
    assert response.meta["landing_page"] == host_site + LANDING


def test_the_popup_button_opens_a_modal_dialog_showing_the_first_question(host_site, page):
    _, dialog = open_popup(page, host_site)

    assert dialog.evaluate("node => node.open && node.matches(':modal')")
    # Behind a modal dialog the page is inert: a click there reaches the dialog's backdrop.
    assert page.evaluate("""() => {
        const link = document.querySelector("a[href='#plans']").getBoundingClientRect();
        const hit = document.elementFromPoint(link.x + 2, link.y + 2);
        return hit !== null && hit.closest("dialog") !== null;
    }""")


def test_escape_closes_the_popup_and_gives_focus_back_to_the_button(host_site, page):
    button, dialog = open_popup(page, host_site)

    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()


def test_escape_while_answering_inside_the_popup_closes_it(host_site, page):
    button, dialog = open_popup(page, host_site)
    first_name = dialog.frame_locator("iframe").get_by_label(FIRST_QUESTION)
    first_name.fill("Ada")

    first_name.press("Escape")

    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
