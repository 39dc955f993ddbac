"""Screenshots of the hosted form for the README: desktop, phone, errors, ending.

Runs the app on a temporary SQLite database with the demo loaded, drives Debian's
Chromium with Playwright and writes PNGs to docs/screenshots/.
Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]
FORM = "/f/demo/talk-to-sales"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(database: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "LEADFORM_MIN_FILL_SECONDS": "0", "LEADFORM_SECRET_KEY": "screenshots"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([*flask, "run", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310 (our own server)
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def first_steps(page: Page) -> None:
    page.get_by_label("What's your first name?").fill("Ada")
    page.get_by_label("Your work email").fill("ada@example.com")
    page.get_by_label("Which best describes your role?").select_option(label="VP or Head of")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Where do you work").fill("Analytical Engines")
    page.get_by_role("radio", name="51–200").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your project")).to_be_visible()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        process, base = serve(Path(folder) / "screens.db")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                     args=CHROMIUM_ARGS)
                desktop = browser.new_page(viewport={"width": 1280, "height": 800})
                desktop.goto(base + FORM)
                desktop.screenshot(path=OUT / "form-desktop.png")
                desktop.get_by_role("button", name="Continue").click()
                expect(desktop.get_by_role("alert")).to_contain_text("Please check")
                desktop.screenshot(path=OUT / "form-errors.png")

                phone = browser.new_page(viewport={"width": 390, "height": 844},
                                         device_scale_factor=2, is_mobile=True)
                phone.goto(base + FORM)
                first_steps(phone)
                phone.get_by_role("checkbox", name="Lead quality").check()
                phone.get_by_role("radio", name="Right away").check()
                phone.screenshot(path=OUT / "form-mobile.png")
                phone.get_by_role("radio", name="Over $50k a year").check()
                phone.get_by_role("radio", name="I do", exact=True).check()
                phone.get_by_role("button", name="Continue").click()
                phone.get_by_label("I agree that Demo Inc. may contact me").check()
                phone.get_by_role("button", name="Submit").click()
                expect(phone.get_by_role("heading", name="Thanks, Ada!")).to_be_visible()
                phone.screenshot(path=OUT / "form-ending.png")
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    print("\n".join(str(path.relative_to(ROOT)) for path in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
