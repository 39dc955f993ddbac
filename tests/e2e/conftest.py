"""A real server in a subprocess on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own localhost)
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer at {url} within {seconds} s")


@pytest.fixture
def live_server(database_url: str, db_engine, tmp_path: Path) -> Iterator[str]:
    """The app served by a separate process against the test database."""
    with serving(database_url, tmp_path / "server.log") as base:
        yield base


@contextmanager
def serving(database_url: str, log_path: Path, **settings: str) -> Iterator[str]:
    """`flask run` on a free port against the test database, with the demo loaded."""
    port = free_port()
    # MIN_FILL_SECONDS=0: a browser driven by a test answers faster than a person, and
    # completions flagged as bots would not become contacts (the tests want real data).
    env = {**os.environ, "DATABASE_URL": database_url,
           "LEADFORM_SECRET_KEY": secrets.token_urlsafe(32),
           "LEADFORM_MIN_FILL_SECONDS": "0", **settings}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*flask, "run", "--port", str(port), "--no-reload"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # The demo loads while the server starts: it is there before the first request.
        subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        wait_until_serving(base + "/", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


HOST_PAGES = Path(__file__).resolve().parent / "host_pages"
LEADFORM_ORIGIN = "{{LEADFORM_ORIGIN}}"


@pytest.fixture
def host_site(live_server: str) -> Iterator[str]:
    """A marketer's site on another port: tests/e2e/host_pages/*.html, embedding the live server.

    Each page's `{{LEADFORM_ORIGIN}}` becomes the live server's origin, so its
    `<script src="{{LEADFORM_ORIGIN}}/embed.js" async>` loads the real embed script.
    """
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread
    from urllib.parse import urlsplit

    class HostPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            name = urlsplit(self.path).path.lstrip("/")
            page = HOST_PAGES / name
            if "/" in name or not name.endswith(".html") or not page.is_file():
                self.send_error(404)
                return
            body = page.read_text(encoding="utf-8").replace(LEADFORM_ORIGIN, live_server)
            encoded = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), HostPage)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def stored_responses(db_engine):
    """Read the responses the live server stored, oldest first (a fresh read each call)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.models import Response

    def read() -> list[Response]:
        with Session(db_engine, expire_on_commit=False) as session:
            return list(session.scalars(select(Response).order_by(Response.id)))

    return read


@pytest.fixture
def demo_form():
    """Answers the demo form's steps, in a page or in an iframe (a FrameLocator)."""
    return DemoForm()


class DemoForm:
    """The demo `talk-to-sales` form as a visitor sees it: fill a step, then continue."""

    URL = "/f/demo/talk-to-sales"

    def about_you(self, scope, *, first_name: str = "Ada", email: str = "ada@example.com",
                  role: str = "VP or Head of") -> None:
        scope.get_by_label("What's your first name?").fill(first_name)
        scope.get_by_label("Your work email").fill(email)
        scope.get_by_label("Which best describes your role?").select_option(label=role)

    def your_company(self, scope, *, company: str = "Analytical Engines",
                     size: str = "51–200") -> None:
        scope.get_by_label("Where do you work").fill(company)
        scope.get_by_role("radio", name=size, exact=True).check()

    def your_project(self, scope, *, timeline: str = "Right away") -> None:
        scope.get_by_role("checkbox", name="Lead quality").check()
        scope.get_by_role("radio", name=timeline).check()
        scope.get_by_role("radio", name="Over $50k a year").check()
        scope.get_by_role("radio", name="I do", exact=True).check()

    def almost_done(self, scope) -> None:
        scope.get_by_label("I agree that Demo Inc. may contact me").check()

    def go_on(self, scope, then: str, *, button: str = "Continue") -> None:
        """Press the step's button and wait for the heading of what comes next."""
        from playwright.sync_api import expect

        scope.get_by_role("button", name=button).click()
        expect(scope.get_by_role("heading", name=then, level=1)).to_be_visible()

    def up_to_the_last_step(self, scope) -> None:
        """The sales path's first three steps, leaving the visitor on "Almost done"."""
        self.about_you(scope)
        self.go_on(scope, "Your company")
        self.your_company(scope)
        self.go_on(scope, "Your project")
        self.your_project(scope)
        self.go_on(scope, "Almost done")
        self.almost_done(scope)


@pytest.fixture(scope="module")
def module_live_server(database_url: str, _session_engine,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server and one demo load for a whole module of tests that only add responses.

    Faster than `live_server` when many tests each look at one screen: every test still
    gets its own browser context, so its own visitor. The submit rate limit is lifted
    (the module's tests together submit more than one person could), and the tables are
    emptied when the module is done, as `db_engine` does after each test.
    """
    from tests.conftest import empty_all_tables

    log_path = tmp_path_factory.mktemp("server") / "server.log"
    try:
        with serving(database_url, log_path,
                     LEADFORM_SUBMIT_RATE_LIMIT="10000 per minute") as base:
            yield base
    finally:
        empty_all_tables(_session_engine)


def settled(page: Any) -> None:
    """Wait until htmx has bound the content it swapped in: a change fired on an element it
    has not processed yet is lost (a fast Chromium gets there first)."""
    from playwright.sync_api import expect

    expect(page.locator(".htmx-request, .htmx-added, .htmx-settling, .htmx-swapping")
           ).to_have_count(0)
