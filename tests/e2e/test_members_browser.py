"""Members in a real browser: an admin invites, the invited person joins with the link,
the last admin is kept, a new workspace brings the switcher; axe on every screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serving
from tests.e2e.test_accessibility import PHONE, assert_accessible

pytestmark = pytest.mark.e2e

ADMIN, PASSWORD = "admin@demo.example", "leadform-demo"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("members")) / "server.log"
    # Plain http: the secure-only session cookie would never come back (see the Makefile).
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        yield base
    empty_all_tables(_session_engine)


def watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


def sign_in(page: Page, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Forms", level=1)).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_admin_invites_and_the_person_joins_with_the_link(browser, server: str,
                                                             viewport: str):
    options = PHONE if viewport == "phone" else {}
    admin_context, guest_context = browser.new_context(**options), browser.new_context(**options)
    admin, guest = admin_context.new_page(), guest_context.new_page()
    violations = watch(admin) + watch(guest)
    address = f"nia.{viewport}@demo.example"
    try:
        sign_in(admin, server)
        admin.get_by_role("link", name="Members").click()
        expect(admin.get_by_role("heading", name="Members", level=1)).to_be_visible()
        assert_accessible(admin, f"members ({viewport})")
        admin.get_by_label("Email", exact=True).fill("not an email")
        admin.get_by_role("button", name="Invite").click()
        expect(admin.get_by_text("That email address is not valid")).to_be_visible()
        assert_accessible(admin, f"members with a refused invitation ({viewport})")
        admin.get_by_label("Email", exact=True).fill(address)
        admin.get_by_label("Role", exact=True).select_option("sales")
        admin.get_by_role("button", name="Invite").click()
        expect(admin.get_by_role("heading", name="Invitation made")).to_be_visible()
        assert_accessible(admin, f"invitation made ({viewport})")
        link = admin.locator("pre").inner_text().strip()
        assert re.fullmatch(rf"{re.escape(server)}/invite/[A-Za-z0-9_-]+", link)

        guest.goto(link)
        expect(guest.get_by_role("heading", name="Join Demo")).to_be_visible()
        assert_accessible(guest, f"invitation ({viewport})")
        guest.get_by_label("Your name").fill("Nia")
        guest.get_by_label("Password", exact=True).fill("short")
        guest.get_by_label("Password again").fill("short")
        guest.get_by_role("button", name="Create account and join").click()
        expect(guest.get_by_text("Use at least 10 characters.")).to_be_visible()
        assert_accessible(guest, f"invitation with a weak password ({viewport})")
        guest.get_by_label("Password", exact=True).fill("a long enough password")
        guest.get_by_label("Password again").fill("a long enough password")
        guest.get_by_role("button", name="Create account and join").click()
        expect(guest.get_by_text("Welcome to Demo")).to_be_visible()
        assert guest.url == server + "/app/demo/"
        expect(guest.get_by_role("link", name="Members")).to_have_count(0)

        admin.get_by_role("link", name="Back to members").click()
        expect(admin.get_by_role("cell", name=address)).to_be_visible()
        assert violations == []
    finally:
        admin_context.close()
        guest_context.close()


def test_the_last_admin_stays_and_a_new_workspace_brings_the_switcher(page: Page, server: str):
    violations = watch(page)
    sign_in(page, server)
    page.goto(server + "/app/demo/members/")
    page.get_by_label("Role of Demo Admin").select_option("marketer")
    page.get_by_role("button", name="Change the role of Demo Admin").click()
    expect(page.get_by_role("alert")).to_contain_text("Demo Admin is the only admin of Demo")
    assert_accessible(page, "members with the last admin kept")

    page.goto(server + "/account/password")
    page.get_by_role("link", name="Create a new workspace").click()
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_text("Give the workspace a name.")).to_be_visible()
    assert_accessible(page, "new workspace with an error")
    page.get_by_label("Workspace name").fill("Second Shop")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_text("Second Shop is ready")).to_be_visible()
    page.get_by_role("link", name="Switch workspace").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    assert_accessible(page, "workspaces")
    expect(page.get_by_role("link", name="Second Shop")).to_be_visible()
    assert violations == []
