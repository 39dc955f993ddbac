"""Calendar feeds fetched from a real local server: busy times, or a message for the rep."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app.alerts.net import NetworkError, ResponseTooLarge, check_url, get, parse_allow_list
from app.booking.feeds import FeedResult, fetch_busy
from app.booking.ics import BusyTime

LOCAL = parse_allow_list(["127.0.0.1"])
WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
SECRET = "private-a1b2c3d4"
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:1@test\r\nDTSTAMP:20260101T000000Z\r\n"
    b"DTSTART:20260310T090000\r\nDTEND:20260310T100000\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)
ETAG = '"v1"'


@dataclass
class Feed:
    port: int
    requests: list[tuple[str, Message]] = field(default_factory=list)

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}?token={SECRET}"


class JoinedServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler: nothing outlives a test


@pytest.fixture
def feed() -> Iterator[Feed]:
    httpd = JoinedServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Feed(port=httpd.server_address[1])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.requests.append((self.path, self.headers))
            route = self.path.split("?")[0]
            if route == "/calendar.ics":
                if self.headers.get("If-None-Match") == ETAG:
                    self.answer(304, b"")
                else:
                    self.answer(200, ICS, ETag=ETAG, Content_Type="text/calendar")
            elif route == "/html":
                self.answer(200, b"<html><body>Sign in</body></html>")
            elif route == "/huge":
                self.answer(200, b"X" * 5000)
            elif route == "/huge-unannounced":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"X" * 5000)
            elif route == "/moved":
                self.answer(301, b"", Location="http://elsewhere.test/")
            elif route == "/private":
                self.answer(403, b"forbidden")
            elif route == "/broken":
                self.answer(503, b"down")
            else:
                self.answer(404, b"not found")

        def answer(self, status: int, body: bytes, **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd.RequestHandlerClass = Handler
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def fetch(url: str, **options: Any) -> FeedResult:
    return fetch_busy(url, *WINDOW, tz="Europe/Berlin", allow=options.pop("allow", LOCAL),
                      timeout=options.pop("timeout", 5.0), **options)


def assert_no_secret(result: FeedResult) -> None:
    assert result.error is not None
    assert SECRET not in result.error
    assert "token" not in result.error
    assert "calendar.ics" not in result.error


# --- fetch_busy -------------------------------------------------------------------------


def test_a_feed_gives_busy_times_and_its_etag(feed: Feed) -> None:
    result = fetch(feed.url("/calendar.ics"))

    assert result == FeedResult(
        busy=[BusyTime(datetime(2026, 3, 10, 8, tzinfo=UTC), datetime(2026, 3, 10, 9, tzinfo=UTC),
                       False)],
        error=None, etag=ETAG, not_modified=False)
    [(path, headers)] = feed.requests
    assert path == f"/calendar.ics?token={SECRET}"
    assert headers["Accept"] == "text/calendar"
    assert headers["Host"] == f"127.0.0.1:{feed.port}"
    assert "If-None-Match" not in headers


def test_an_unchanged_feed_answers_not_modified(feed: Feed) -> None:
    result = fetch(feed.url("/calendar.ics"), etag=ETAG)
    assert result == FeedResult([], None, ETAG, True)
    assert feed.requests[0][1]["If-None-Match"] == ETAG


def test_a_missing_feed_tells_the_rep_what_to_check(feed: Feed) -> None:
    result = fetch(feed.url("/gone.ics"))
    assert result.busy == [] and not result.not_modified and result.etag is None
    assert result.error is not None
    assert result.error.startswith("Your calendar address answered 404: check that it is the "
                                   "secret iCal address")
    assert_no_secret(result)


@pytest.mark.parametrize(("path", "words"), [
    ("/private", "answered 403"),
    ("/broken", "answered 503"),
    ("/moved", "answered 301, a redirect, which is not followed"),
])
def test_other_statuses_are_explained(feed: Feed, path: str, words: str) -> None:
    result = fetch(feed.url(path))
    assert result.error is not None and words in result.error
    assert_no_secret(result)
    assert "elsewhere" not in result.error
    assert len(feed.requests) == 1  # no redirect followed


def test_a_page_that_is_not_a_calendar_is_reported(feed: Feed) -> None:
    result = fetch(feed.url("/html"))
    assert result.error == ("The calendar file could not be read: it is not in iCalendar "
                            "(.ics) format.")


@pytest.mark.parametrize("path", ["/huge", "/huge-unannounced"])
def test_an_oversized_feed_is_refused(feed: Feed, path: str) -> None:
    result = fetch_busy(feed.url(path), *WINDOW, tz="UTC", allow=LOCAL,
                        fetch=lambda *args, **kwargs: get(*args, max_response_bytes=4000,
                                                          **kwargs))
    assert result.error is not None
    assert result.error.startswith("Your calendar is larger than 4 kB")
    assert_no_secret(result)


def test_a_loopback_feed_without_the_allow_list_is_refused(feed: Feed) -> None:
    result = fetch(feed.url("/calendar.ics"), allow=())
    assert result.error == ("Your calendar address could not be reached: refused to connect: "
                            "127.0.0.1 is a loopback address.")
    assert feed.requests == []


def test_an_unreachable_feed_names_the_host_at_most() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/calendar.ics?token={SECRET}")
    assert result.error == (f"Your calendar address could not be reached: connection refused "
                            f"by 127.0.0.1:{port}.")


def test_fetch_busy_never_raises_even_when_the_fetcher_has_a_bug() -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"bug with {args[0]}")

    result = fetch(f"https://calendar.example.test/{SECRET}.ics", fetch=broken)
    assert result.error is not None and "error on our side" in result.error
    assert_no_secret(result)


# --- get and webcal ---------------------------------------------------------------------


def test_check_url_accepts_webcal_addresses() -> None:
    resolve = lambda host, port, **kwargs: [(2, 1, 6, "", ("93.184.216.34", port))]  # noqa: E731
    check_url(f"webcal://calendar.example.test/{SECRET}/basic.ics", resolve=resolve)
    check_url(f"WEBCAL://calendar.example.test/{SECRET}/basic.ics", resolve=resolve)


def test_webcal_is_guarded_like_https() -> None:
    with pytest.raises(NetworkError, match="refused to connect: 127.0.0.1 is a loopback"):
        get("webcal://127.0.0.1/calendar.ics")


def test_get_over_webcal_connects_with_tls(feed: Feed) -> None:
    # The local server speaks plain HTTP, so a TLS handshake on its port must fail.
    with pytest.raises(NetworkError, match="TLS error|closed the connection|reset") as failure:
        get(f"webcal://127.0.0.1:{feed.port}/calendar.ics?token={SECRET}", allow=LOCAL,
            timeout=3)
    assert SECRET not in str(failure.value)


def test_get_returns_the_status_headers_and_whole_body(feed: Feed) -> None:
    answer = get(feed.url("/calendar.ics"), allow=LOCAL)
    assert (answer.status, answer.headers["etag"], answer.body) == (200, ETAG, ICS)


def test_get_keeps_an_accept_header_given_by_the_caller(feed: Feed) -> None:
    get(feed.url("/calendar.ics"), {"Accept": "*/*"}, allow=LOCAL)
    assert feed.requests[0][1].get_all("Accept") == ["*/*"]


def test_get_refuses_headers_it_computes_itself() -> None:
    with pytest.raises(ValueError, match=r"get\(\) sets these headers itself"):
        get("https://example.test/", {"Host": "evil"})


def test_get_raises_response_too_large_with_the_limit(feed: Feed) -> None:
    with pytest.raises(ResponseTooLarge, match=f"127.0.0.1:{feed.port} is larger than 4 kB"):
        get(feed.url("/huge"), allow=LOCAL, max_response_bytes=4000)


def test_get_returns_an_error_status_with_its_body(feed: Feed) -> None:
    answer = get(feed.url("/nothing"), allow=LOCAL)
    assert (answer.status, answer.body) == (404, b"not found")
