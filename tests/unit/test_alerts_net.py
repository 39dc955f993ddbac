"""The outbound HTTP client refuses non-public addresses, pins them, and never lingers."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.alerts import net
from app.alerts.net import (
    HttpResult,
    NetworkError,
    UnsafeURL,
    check_url,
    is_public_address,
    parse_allow_list,
    post,
)

LOCAL = parse_allow_list(["127.0.0.1"])


def fake_resolver(*answers: str | list[str]) -> Callable[..., list[tuple[Any, ...]]]:
    """A getaddrinfo stand-in: one answer per call (the last one repeats)."""
    calls: list[str] = []

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        calls.append(host)
        answer = answers[min(len(calls), len(answers)) - 1]
        results = []
        for ip in [answer] if isinstance(answer, str) else answer:
            if ":" in ip:
                results.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0)))
            else:
                results.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)))
        return results

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def failing_resolver(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


# --- which addresses are public --------------------------------------------------------

@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True),
    ("1.1.1.1", True),
    ("2606:4700:4700::1111", True),
    ("2001:4860:4860::8888", True),
    ("127.0.0.1", False),
    ("127.8.9.10", False),
    ("::1", False),
    ("10.0.0.1", False),
    ("172.16.5.4", False),
    ("172.31.255.255", False),
    ("192.168.1.1", False),
    ("169.254.169.254", False),  # cloud metadata
    ("169.254.0.1", False),
    ("fe80::1", False),
    ("100.64.0.1", False),
    ("100.127.255.254", False),
    ("fd00::1", False),
    ("fc00::1", False),
    ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False),
    ("::ffff:8.8.8.8", False),  # mapped forms are refused outright
    ("::127.0.0.1", False),  # IPv4-compatible
    ("::ffff:0:a00:1", False),  # IPv4-translated
    ("0.0.0.0", False),
    ("0.1.2.3", False),
    ("::", False),
    ("255.255.255.255", False),
    ("224.0.0.1", False),
    ("239.255.255.250", False),
    ("ff02::1", False),
    ("240.0.0.1", False),
    ("192.0.0.8", False),
    ("192.0.2.1", False),
    ("198.51.100.7", False),
    ("203.0.113.9", False),
    ("198.18.0.1", False),
    ("2001:db8::1", False),
    ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
    ("64:ff9b::808:808", False),
    ("64:ff9b:1::1", False),
    ("2002:a00:1::1", False),  # 6to4 embedding 10.0.0.1
    ("2002:7f00:1::1", False),  # 6to4 embedding 127.0.0.1
    ("2001::1", False),  # Teredo
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
    ("fec0::1", False),
    ("100::1", False),
    ("4000::1", False),  # outside 2000::/3
])
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_scoped_link_local_address_is_not_public() -> None:
    assert not is_public_address(ipaddress.ip_address("fe80::1%eth0"))


# --- allow-list ------------------------------------------------------------------------

def test_parse_allow_list_accepts_addresses_and_networks() -> None:
    assert parse_allow_list(["127.0.0.1", " 10.0.0.0/8 ", "::1", ""]) == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )


@pytest.mark.parametrize("entry", ["localhost", "10.0.0.1/33", "10.0.0.5/8", "1.2.3"])
def test_parse_allow_list_names_the_bad_entry(entry: str) -> None:
    with pytest.raises(ValueError, match=f"'{entry}'"):
        parse_allow_list(["127.0.0.1", entry])


# --- check_url at save time ------------------------------------------------------------

PUBLIC = fake_resolver("93.184.216.34")


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/hook", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("file:///etc/passwd", "http:// or https://"),
    ("example.com/hook", "http:// or https://"),
    ("https:///hook", "no host"),
    ("https://", "no host"),
    ("https://user:pass@example.com/hook", "user name or password"),
    ("https://token@example.com/hook", "user name or password"),
    ("https://example.com:0/hook", "port"),
    ("https://example.com:70000/hook", "port"),
    ("https://example.com:http/hook", "port"),
    ("https://example.com/a b", "spaces"),
    ("https://example.com/\r\nX-Injected: 1", "control characters"),
    ("https://example.com/" + "a" * 2000, "longer than 2,000 characters"),
])
def test_check_url_refuses_malformed_urls(url: str, message: str) -> None:
    with pytest.raises(UnsafeURL, match=message):
        check_url(url, resolve=PUBLIC)


def test_check_url_accepts_a_public_https_url() -> None:
    check_url("https://hooks.example.com/in?token=abc", resolve=PUBLIC)


def test_check_url_refuses_an_unresolvable_host() -> None:
    with pytest.raises(UnsafeURL, match="could not find the host nowhere.example"):
        check_url("https://nowhere.example/hook", resolve=failing_resolver)


def test_check_url_names_the_private_address_and_its_class() -> None:
    with pytest.raises(UnsafeURL, match="resolves to 10.0.0.5, a private address"):
        check_url("https://intranet.example.com/hook", resolve=fake_resolver("10.0.0.5"))


def test_check_url_names_cloud_metadata_as_link_local() -> None:
    with pytest.raises(UnsafeURL, match="169.254.169.254 is a link-local address"):
        check_url("http://169.254.169.254/latest/meta-data/")


def test_check_url_resolves_numeric_tricks_before_judging() -> None:
    with pytest.raises(UnsafeURL, match="127.0.0.1, a loopback address"):
        check_url("http://2130706433/")


def test_check_url_refuses_mixed_public_and_private_answers() -> None:
    resolve = fake_resolver(["93.184.216.34", "192.168.0.10"])
    with pytest.raises(UnsafeURL, match="192.168.0.10, a private address"):
        check_url("https://mixed.example.com/hook", resolve=resolve)


def test_check_url_refuses_mapped_ipv6_answers() -> None:
    with pytest.raises(UnsafeURL, match="an IPv4-mapped IPv6 address"):
        check_url("https://m.example.com/", resolve=fake_resolver("::ffff:127.0.0.1"))


def test_check_url_allows_what_the_allow_list_permits() -> None:
    resolve = fake_resolver("10.1.2.3")
    check_url("https://crm.internal/hook", parse_allow_list(["10.0.0.0/8"]), resolve=resolve)


def test_allow_list_does_not_cover_other_addresses() -> None:
    resolve = fake_resolver(["10.1.2.3", "127.0.0.1"])
    with pytest.raises(UnsafeURL, match="127.0.0.1"):
        check_url("https://crm.internal/hook", parse_allow_list(["10.0.0.0/8"]), resolve=resolve)


def test_check_url_messages_never_repeat_secrets() -> None:
    for url, resolve in [
        ("https://user:SECRET@example.com/?token=SECRET", PUBLIC),
        ("https://intranet.example.com/hook?token=SECRET", fake_resolver("10.0.0.5")),
        ("https://nowhere.example/hook?token=SECRET", failing_resolver),
    ]:
        with pytest.raises(UnsafeURL) as refused:
            check_url(url, resolve=resolve)
        assert "SECRET" not in str(refused.value)


# --- post against a real local server --------------------------------------------------

@dataclass
class Received:
    path: str
    headers: Message  # case-insensitive, as the receiver sees them
    body: bytes


@dataclass
class LocalServer:
    port: int
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]


def make_handler(server_state: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            server_state.requests.append(Received(self.path, self.headers, body))
            route = self.path.split("?")[0]
            try:
                getattr(self, "route_" + route.strip("/").replace("-", "_"))()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def route_ok(self) -> None:
            self.answer(200, b'{"received": true}', X_Test="yes", Content_Type="application/json")

        def route_redirect(self) -> None:
            self.answer(302, Location=server_state.url("/target"))

        def route_target(self) -> None:
            self.answer(200, b"should never be fetched")

        def route_gone(self) -> None:
            self.answer(410, b"endpoint deleted", Retry_After="3600")

        def route_slow_down(self) -> None:
            self.answer(429, b"too many", Retry_After="120")

        def route_sleep(self) -> None:
            server_state.release.wait(10)
            self.answer(200, b"late")

        def route_trickle_headers(self) -> None:
            self.wfile.write(b"HTTP/1.0 200 OK\r\n")
            while not server_state.release.wait(0.1):
                self.wfile.write(b"X-Drip: 1\r\n")

        def route_trickle_body(self) -> None:
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\nstart")
            while not server_state.release.wait(0.1):
                self.wfile.write(b".")

        def route_huge(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(1_000_000))
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x" * 10_000)

    return Handler


class JoinedServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler: nothing outlives a test


def serve(httpd: ThreadingHTTPServer, state: LocalServer) -> Iterator[LocalServer]:
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        thread.join()
        httpd.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    httpd = JoinedServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = LocalServer(port=httpd.server_address[1])
    httpd.RequestHandlerClass = make_handler(state)
    yield from serve(httpd, state)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_post_delivers_body_and_headers_and_returns_the_answer(server: LocalServer) -> None:
    result = post(server.url("/ok?token=abc"), b'{"event": 1}', {"Webhook-Id": "evt_1"},
                  allow=LOCAL)

    assert result == HttpResult(status=200, headers=result.headers,
                                body_excerpt='{"received": true}')
    assert result.headers["x-test"] == "yes"
    assert result.headers["content-type"] == "application/json"
    [request] = server.requests
    assert request.path == "/ok?token=abc"
    assert request.body == b'{"event": 1}'
    assert request.headers["Host"] == f"127.0.0.1:{server.port}"
    assert request.headers["Webhook-Id"] == "evt_1"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Leadform-Webhooks/1"


def test_post_keeps_a_content_type_given_by_the_caller(server: LocalServer) -> None:
    post(server.url("/ok"), b"a=1", {"content-type": "application/x-www-form-urlencoded"},
         allow=LOCAL)
    assert server.requests[0].headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_post_connects_to_the_resolved_address_and_sends_the_original_host(
        server: LocalServer) -> None:
    resolve = fake_resolver("127.0.0.1")
    result = post(server.url("/ok", host="hooks.example.test"), b"{}", {}, allow=LOCAL,
                  resolve=resolve)
    assert result.status == 200
    assert resolve.calls == ["hooks.example.test"]  # type: ignore[attr-defined]
    assert server.requests[0].headers["Host"] == f"hooks.example.test:{server.port}"


def test_post_never_follows_redirects(server: LocalServer) -> None:
    result = post(server.url("/redirect"), b"{}", {}, allow=LOCAL)
    assert result.status == 302
    assert result.headers["location"] == server.url("/target")
    assert server.paths() == ["/redirect"]


@pytest.mark.parametrize(("path", "status", "retry_after"), [
    ("/gone", 410, "3600"),
    ("/slow-down", 429, "120"),
])
def test_post_returns_error_statuses_with_retry_after(server: LocalServer, path: str,
                                                      status: int, retry_after: str) -> None:
    result = post(server.url(path), b"{}", {}, allow=LOCAL)
    assert result.status == status
    assert result.headers["retry-after"] == retry_after


def test_post_times_out_on_a_silent_server(server: LocalServer) -> None:
    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out"):
        post(server.url("/sleep"), b"{}", {}, timeout=0.5, allow=LOCAL)
    assert time.monotonic() - started < 1.5


def test_post_deadline_covers_the_whole_answer_not_each_read(server: LocalServer) -> None:
    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out"):
        post(server.url("/trickle-headers"), b"{}", {}, timeout=0.5, allow=LOCAL)
    assert time.monotonic() - started < 1.5


def test_post_returns_the_status_when_the_body_outlasts_the_deadline(
        server: LocalServer) -> None:
    started = time.monotonic()
    result = post(server.url("/trickle-body"), b"{}", {}, timeout=0.5, allow=LOCAL)
    assert time.monotonic() - started < 1.5
    assert result.status == 200
    assert result.body_excerpt.startswith("start")


def test_post_truncates_a_huge_body(server: LocalServer) -> None:
    result = post(server.url("/huge"), b"{}", {}, allow=LOCAL)
    assert result.body_excerpt == "x" * 1000
    capped = post(server.url("/huge"), b"{}", {}, allow=LOCAL, max_response_bytes=10)
    assert capped.body_excerpt == "x" * 10


def test_post_reports_a_refused_connection(closed_port: int) -> None:
    with pytest.raises(NetworkError, match=f"connection refused by 127.0.0.1:{closed_port}"):
        post(f"http://127.0.0.1:{closed_port}/hook", b"{}", {}, allow=LOCAL)


def test_post_refuses_loopback_without_the_allow_list(server: LocalServer) -> None:
    with pytest.raises(NetworkError, match="refused to connect: 127.0.0.1 is a loopback address"):
        post(server.url("/ok"), b"{}", {})
    assert server.requests == []


def test_post_refuses_dns_rebinding_at_connect_time(server: LocalServer) -> None:
    resolve = fake_resolver("93.184.216.34", "127.0.0.1")
    url = server.url("/ok", host="rebind.example.test")
    check_url(url, resolve=resolve)

    with pytest.raises(NetworkError, match="rebind.example.test resolves to 127.0.0.1"):
        post(url, b"{}", {}, resolve=resolve)
    assert server.requests == []


def test_post_refuses_when_any_answer_is_not_public(server: LocalServer) -> None:
    resolve = fake_resolver(["127.0.0.1", "10.0.0.7"])
    with pytest.raises(NetworkError, match="10.0.0.7, a private address"):
        post(server.url("/ok", host="mixed.example.test"), b"{}", {}, allow=LOCAL,
             resolve=resolve)
    assert server.requests == []


def test_post_reports_malformed_urls_as_network_errors() -> None:
    with pytest.raises(NetworkError, match="http:// or https://"):
        post("gopher://example.com/", b"{}", {})


def test_post_reports_dns_failures(server: LocalServer) -> None:
    with pytest.raises(NetworkError, match="could not find the host nowhere.example"):
        post("https://nowhere.example/hook", b"{}", {}, resolve=failing_resolver)


def test_post_refuses_headers_it_computes_itself() -> None:
    with pytest.raises(ValueError, match="host"):
        post("https://example.com/", b"{}", {"Host": "evil"}, resolve=PUBLIC)


def test_post_error_for_a_bad_header_value_does_not_quote_it(server: LocalServer) -> None:
    with pytest.raises(NetworkError, match="Webhook-Signature") as failure:
        post(server.url("/ok"), b"{}", {"Webhook-Signature": "SECRET\r\nX: 1"}, allow=LOCAL)
    assert "SECRET" not in str(failure.value)
    assert server.requests == []


@pytest.mark.parametrize("case", ["refused", "timeout", "guard", "dns"])
def test_post_errors_never_contain_the_query_string_or_body(
        server: LocalServer, closed_port: int, case: str) -> None:
    port = closed_port if case == "refused" else server.port
    path = "/sleep" if case == "timeout" else "/ok"
    url = f"http://127.0.0.1:{port}{path}?token=SECRET#SECRET"
    kwargs: dict[str, Any] = {"allow": () if case == "guard" else LOCAL, "timeout": 0.3}
    if case == "dns":
        kwargs["resolve"] = failing_resolver
    with pytest.raises(NetworkError) as failure:
        post(url, b'{"email": "SECRET@example.com"}', {"Webhook-Signature": "SECRET"},
             **kwargs)
    assert "SECRET" not in str(failure.value)
    assert "token" not in str(failure.value)


# --- https -----------------------------------------------------------------------------

TLS_HOST = "hooks.example.test"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj",
         f"/CN={TLS_HOST}", "-addext", f"subjectAltName=DNS:{TLS_HOST}"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[LocalServer, list[str]]]:
    cert, key = certificate
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)  # type: ignore
    httpd = JoinedServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state = LocalServer(port=httpd.server_address[1])
    httpd.RequestHandlerClass = make_handler(state)
    for running in serve(httpd, state):
        yield running, server_names


def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def test_https_verifies_against_the_typed_host_while_connecting_to_the_pinned_ip(
        tls_server: tuple[LocalServer, list[str]], certificate: tuple[Path, Path]) -> None:
    server, server_names = tls_server
    result = post(f"https://{TLS_HOST}:{server.port}/ok", b"{}", {}, allow=LOCAL,
                  resolve=fake_resolver("127.0.0.1"), ssl_context=trusting(certificate))
    assert result.status == 200
    assert server_names == [TLS_HOST]
    assert server.requests[0].headers["Host"] == f"{TLS_HOST}:{server.port}"


def test_https_refuses_an_untrusted_certificate(
        tls_server: tuple[LocalServer, list[str]]) -> None:
    server, server_names = tls_server
    with pytest.raises(NetworkError, match="certificate verification failed") as failure:
        post(f"https://{TLS_HOST}:{server.port}/ok?token=SECRET", b"{}", {}, allow=LOCAL,
             resolve=fake_resolver("127.0.0.1"))
    assert "SECRET" not in str(failure.value)
    assert server_names == [TLS_HOST]
    assert server.requests == []


def test_https_refuses_a_certificate_for_another_host(
        tls_server: tuple[LocalServer, list[str]], certificate: tuple[Path, Path]) -> None:
    server, _ = tls_server
    with pytest.raises(NetworkError, match="certificate verification failed.*mismatch"):
        post(f"https://other.example.test:{server.port}/ok", b"{}", {}, allow=LOCAL,
             resolve=fake_resolver("127.0.0.1"), ssl_context=trusting(certificate))
    assert server.requests == []


def test_start_tls_passes_the_original_host_name() -> None:
    seen: dict[str, Any] = {}

    class RecordingContext(ssl.SSLContext):
        def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
            seen.update(kwargs, sock=sock)
            return sock

    left, right = socket.socketpair()
    with left, right:
        wrapped = net._start_tls(left, TLS_HOST, time.monotonic() + 5,
                                 RecordingContext(ssl.PROTOCOL_TLS_CLIENT))
        assert wrapped is left
        assert seen["server_hostname"] == TLS_HOST
