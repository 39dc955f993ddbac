"""A scripted prospect: completes the demo form over HTTP as a browser without JavaScript.

Per step: GET the screen (its signed `_lf_token`), POST the answers with it, follow
the 303. When the server dies under a request (a reset or closed connection), the
visitor sends the same request again, as a browser's retry or a person pressing
the button again would; the token makes a replayed POST apply once.
"""

from __future__ import annotations

import html
import http.client
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

FORM = "/f/demo/talk-to-sales"
TOKEN = re.compile(r'name="_lf_token" value="([^"]+)"')
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
# The demo's sales path: (a field that shows this step is on screen, its answers).
STEPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("first_name", [("first_name", "Ada"), ("email", "{email}"), ("job_level", "vp")]),
    ("company", [("company", "Analytical Engines"), ("company_size", "51-200")]),
    ("use_case", [("use_case", "lead_quality"), ("use_case", "meetings"),
                  ("timeline", "now"), ("budget", "over_50k"), ("authority", "me")]),
    ("consent", [("notes", ""), ("consent", "yes")]),
]
# What a dying server looks like from the client's side.
CONNECTION_LOST = (http.client.RemoteDisconnected, http.client.IncompleteRead,
                   ConnectionError, socket.timeout)
ATTEMPTS = 8


class GaveUp(Exception):
    """The server kept dropping this request: the visitor walks away."""


class Unexpected(Exception):
    """The server answered, but not with what a working form answers."""


@dataclass
class Reply:
    status: int
    body: str
    location: str


@dataclass
class Visitor:
    """One browser: a keep-alive connection and a cookie jar (the signed `lf_v` cookie)."""

    base: str
    timeout: float = 60.0
    retries: int = 0  # requests sent again because the connection was lost
    final_resends: int = 0  # of them, final submits (the ones that must not apply twice)
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        """Send it, and again on a lost connection (with a short pause), up to ATTEMPTS."""
        for attempt in range(ATTEMPTS):
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                content = response.read().decode("utf-8", "replace")
            except CONNECTION_LOST:
                self.connection.close()
                self.connection = self._connect()
                self.retries += 1
                time.sleep(min(1.0, 0.05 * 2 ** attempt))
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return Reply(response.status, content, response.getheader("Location") or "")
        raise GaveUp(f"{method} {path}: the connection was lost {ATTEMPTS} times")

    def complete_demo(self, email: str) -> bool:
        """Answer every step as a new visitor; True once the final submit shows the ending.

        Raises GaveUp when the server keeps dying, Unexpected for any other answer.
        """
        self.cookies.clear()
        for index, (marker, answers) in enumerate(STEPS):
            screen = self.request("GET", FORM)
            token = TOKEN.search(screen.body)
            if screen.status != 200 or token is None or f'name="{marker}"' not in screen.body:
                raise Unexpected(f"{email}: GET {FORM} for step {index + 1} answered "
                                 f"{screen.status} without the step's field {marker!r}")
            body = urlencode([("_lf_token", html.unescape(token.group(1)))]
                             + [(name, value.format(email=email)) for name, value in answers])
            last = index == len(STEPS) - 1
            before = self.retries
            answered = self.request("POST", FORM, body, FORM_HEADERS)
            if last:
                self.final_resends += self.retries - before
            if answered.status != 303 or (f"{FORM}/done/" in answered.location) != last:
                raise Unexpected(f"{email}: POST of step {index + 1} answered "
                                 f"{answered.status} {answered.location!r}")
        return True

    def close(self) -> None:
        self.connection.close()
