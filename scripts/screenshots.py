"""Screenshots for the README: the hosted form (desktop, phone, errors, ending) and the editor.

Serves the app on a free port against a temporary SQLite database with the demo
loaded, drives Debian's Chromium with Playwright, and writes docs/screenshots/*.png.
Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]
FORM = "/f/demo/talk-to-sales"
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "timezone_id": "America/New_York"}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo_server() -> Iterator[str]:
    """The app with the demo loaded, on a throwaway SQLite database; yields its base URL."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(folder) / 'screenshots.db'}",
               "LEADFORM_MIN_FILL_SECONDS": "0", "LEADFORM_SECRET_KEY": secrets.token_urlsafe(32)}
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for command in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        process = subprocess.Popen([*flask, "run", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def wait_until_serving(base: str, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=1):  # noqa: S310 (our own server)
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer at {base} within {seconds} s")


def go_on(page: Page, heading: str, button: str = "Continue") -> None:
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def up_to_the_project(page: Page) -> None:
    page.get_by_label("What's your first name?").fill("Ada")
    page.get_by_label("Your work email").fill("ada@example.com")
    page.get_by_label("Which best describes your role?").select_option(label="VP or Head of")
    go_on(page, "Your company")
    page.get_by_label("Where do you work").fill("Analytical Engines")
    page.get_by_role("radio", name="51–200").check()
    go_on(page, "Your project")


def shoot(page: Page, name: str) -> None:
    page.mouse.move(0, 0)  # no hover effect in the picture
    page.screenshot(path=OUT / name, animations="disabled")


def take(browser: Browser, base: str) -> None:
    desktop = browser.new_context(**DESKTOP).new_page()
    desktop.goto(base + FORM)
    shoot(desktop, "form-desktop.png")
    desktop.get_by_label("Your work email").fill("ada@analytical")
    desktop.get_by_role("button", name="Continue").click()
    expect(desktop.get_by_role("alert")).to_contain_text("Please check")
    shoot(desktop, "form-errors.png")

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(base + FORM)
    up_to_the_project(phone)
    phone.get_by_role("checkbox", name="Lead quality").check()
    phone.get_by_role("checkbox", name="Speed to lead").check()
    phone.get_by_role("radio", name="Right away").check()
    phone.evaluate("window.scrollTo(0, 0)")
    shoot(phone, "form-mobile.png")

    desktop.goto(base + FORM)
    up_to_the_project(desktop)
    desktop.get_by_role("checkbox", name="Lead quality").check()
    desktop.get_by_role("radio", name="Right away").check()
    desktop.get_by_role("radio", name="Over $50k a year").check()
    desktop.get_by_role("radio", name="I do", exact=True).check()
    go_on(desktop, "Almost done")
    desktop.get_by_label("I agree that Demo Inc. may contact me").check()
    go_on(desktop, "Thanks, Ada!", button="Submit")
    expect(desktop.locator("#lf-booking .lf-times button").first).to_be_visible()
    desktop.wait_for_load_state("networkidle")  # the picker settles on the visitor's zone
    shoot(desktop, "form-ending.png")
    desktop.locator("#lf-booking .lf-times button").nth(2).click()
    expect(desktop.get_by_role("heading", name="You're booked")).to_be_visible()
    shoot(desktop, "form-booked.png")


EDITOR = "/app/demo/forms/talk-to-sales"
WIDE = {"viewport": {"width": 1440, "height": 900}, "timezone_id": "America/New_York"}


def take_editor(browser: Browser, base: str) -> None:
    """The back office as a marketer sees it: Build with its preview, Logic, Routing's test."""
    page = browser.new_context(**WIDE).new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill("admin@demo.example")
    page.get_by_label("Password").fill("leadform-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Forms", level=1)).to_be_visible()
    shoot(page, "editor-forms.png")
    page.goto(base + EDITOR + "/build?at=/steps/1/fields/1")
    expect(page.frame_locator(".ed-frame").get_by_text("How many people work there?")
           ).to_be_visible()
    shoot(page, "editor-build.png")
    page.goto(base + EDITOR + "/logic")
    shoot(page, "editor-logic.png")
    page.goto(base + EDITOR + "/routing")
    panel = page.locator("#test-panel, .rt-test, form:has(button:text('Run test'))").first
    panel.get_by_label("What's your first name?").fill("Ada")
    panel.get_by_label("Your work email").fill("ada@analytical.example")
    panel.get_by_label("Where do you work").fill("Analytical Engines")
    panel.get_by_label("Which best describes your role?").select_option("vp")
    panel.get_by_label("How many people work there?").select_option("51-200")
    panel.get_by_label("What budget have you set aside?").select_option("over_50k")
    panel.get_by_label("When do you want to start?").select_option("now")
    panel.get_by_label("Who decides on a tool like this?").select_option("me")
    panel.get_by_role("button", name="Run test").click()
    result = page.locator("#test-result")
    expect(result).to_be_visible()
    result.evaluate("element => element.scrollIntoView({block: 'start'})")
    shoot(page, "editor-test-panel.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            take(browser, base)
            take_editor(browser, base)
        finally:
            browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
