"""Outbound HTTP for webhook and Slack deliveries and calendar feeds, guarded against SSRF.

A URL typed by a workspace user must never make the server talk to itself, to its
private network or to a cloud metadata endpoint. So every resolved address must be
globally routable (or explicitly allowed), both when the URL is saved
(`check_url`) and again when a delivery connects (`post`, `get`), because DNS answers
can change in between (DNS rebinding). Both connect to the very address they checked,
never follow redirects, and bound the whole exchange by one deadline. `webcal://`
(what Google and Apple hand out for calendar feeds) means `https://`.

Error messages name the host and port at most: never the query string, the
userinfo or the body, which may carry secrets.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from app.alerts.addresses import (
    Address,
    Network,
    address_class,
    is_public_address,
    parse_allow_list,
)
from app.alerts.deadline import (
    DeadlineSocket,
    TooLarge,
    read_all,
    read_some,
    remaining,
    size_label,
)

__all__ = ["Address", "Network", "address_class", "is_public_address", "parse_allow_list",
           "check_url", "get", "post", "HttpFetch", "HttpResult", "NetworkError",
           "ResponseTooLarge", "UnsafeURL"]

Resolver = Callable[..., Sequence[tuple[Any, ...]]]

MAX_URL_LENGTH = 2000
EXCERPT_CHARS = 1000
USER_AGENT = "Leadform-Webhooks/1"
FETCH_USER_AGENT = "Leadform-Fetch/1"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME_ALIASES = {"webcal": "https"}
# Computed by post() and get() themselves; a caller setting them would be a bug.
_RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
# Everything a URL may legitimately contain, so quote() only escapes what http.client refuses.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


class UnsafeURL(ValueError):
    """A URL refused by the guard; str() is a message for the person who typed it."""


class NetworkError(Exception):
    """Could not deliver (DNS failure, refused, timeout, TLS error, unsafe address at
    connect time); str() is safe to store and show."""


class ResponseTooLarge(NetworkError):
    """get() refused a body over its limit; str() names the host and the limit."""

    def __init__(self, message: str, limit_text: str) -> None:
        super().__init__(message)
        self.limit_text = limit_text  # "2 MB"


class _Unresolvable(UnsafeURL):
    """DNS gave no usable answer: unsafe to save, but only a network failure when sending."""


@dataclass(frozen=True)
class HttpResult:
    """The receiver's answer; a 3xx is returned as is, redirects are never followed."""

    status: int
    headers: dict[str, str]  # lower-cased names
    body_excerpt: str  # at most EXCERPT_CHARS characters, decoded leniently


@dataclass(frozen=True)
class HttpFetch:
    """What get() received; a 3xx is returned as is, redirects are never followed."""

    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes  # whole for a 2xx answer; for any other status, at most the limit


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, without brackets
    port: int
    host_header: str
    request_target: str

    @property
    def where(self) -> str:
        """host:port, the only part of a URL that is safe to show in an error."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _parse_url(url: str) -> _Target:
    """Everything but DNS; the messages never repeat userinfo or the query."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"the URL is longer than {MAX_URL_LENGTH:,} characters")
    if any(char <= " " or char == "\x7f" for char in url):
        raise UnsafeURL("the URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UnsafeURL("the URL is not valid") from None
    scheme = parts.scheme.lower()
    scheme = _SCHEME_ALIASES.get(scheme, scheme)
    if scheme not in _DEFAULT_PORTS:
        raise UnsafeURL("the URL must start with http:// or https://")
    if "@" in parts.netloc:
        raise UnsafeURL("the URL must not contain a user name or password")
    if not parts.hostname:
        raise UnsafeURL("the URL has no host")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is None:
        port = _DEFAULT_PORTS[scheme]
    if not 1 <= port <= 65535:
        raise UnsafeURL("the URL's port must be a number from 1 to 65535")
    host = _ascii_host(parts.hostname)
    bracketed = f"[{host}]" if ":" in host else host
    host_header = bracketed if port == _DEFAULT_PORTS[scheme] else f"{bracketed}:{port}"
    return _Target(scheme, host, port, host_header, _request_target(parts))


def _ascii_host(host: str) -> str:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeURL("the URL's host is not a valid host name") from None


def _request_target(parts: SplitResult) -> str:
    target = quote(parts.path or "/", safe=_URL_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_URL_SAFE)
    return target  # the fragment is never sent


def _resolve_checked(target: _Target, allow: Sequence[Network],
                     resolve: Resolver) -> list[tuple[int, tuple[Any, ...]]]:
    """Resolve once and refuse if any answer is neither public nor allowed."""
    try:
        infos = resolve(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _Unresolvable(f"could not find the host {target.host} (DNS lookup failed)") from None
    found: list[tuple[int, tuple[Any, ...]]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(sockaddr[0])
        label = address_class(address)
        if label is not None and not any(address in network for network in allow):
            typed_an_ip = target.host == str(address)
            raise UnsafeURL(f"{target.host} is {label}" if typed_an_ip
                            else f"{target.host} resolves to {address}, {label}")
        pinned = (sockaddr[0], target.port, *sockaddr[2:])
        if (family, pinned) not in found:
            found.append((family, pinned))
    if not found:
        raise _Unresolvable(f"could not find the host {target.host} (no addresses)")
    return found


def check_url(url: str, allow: Sequence[Network] = (), *,
              resolve: Resolver = socket.getaddrinfo) -> None:
    """Refuse, when it is saved, a URL that could reach a non-public address."""
    _resolve_checked(_parse_url(url), allow, resolve)


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float = 15.0,
         allow: Sequence[Network] = (), resolve: Resolver = socket.getaddrinfo,
         max_response_bytes: int = 64_000,
         ssl_context: ssl.SSLContext | None = None) -> HttpResult:
    """POST `body` to `url` through the guard; every failure is a NetworkError.

    DNS resolution itself is bounded by the system resolver's timeout; the deadline
    covers connecting, TLS, sending and reading the answer. `ssl_context` defaults to
    ssl.create_default_context() and exists for custom trust stores (and tests).
    """
    request_headers = _request_headers("post", headers, {"Content-Type": "application/json",
                                                         "User-Agent": USER_AGENT})
    status, header_map, data = _request(
        "POST", url, body, request_headers, timeout=timeout, allow=allow, resolve=resolve,
        ssl_context=ssl_context, read=lambda response: read_some(response, max_response_bytes))
    excerpt = data.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    return HttpResult(status=status, headers=header_map, body_excerpt=excerpt)


def get(url: str, headers: Mapping[str, str] | None = None, *, timeout: float = 15.0,
        allow: Sequence[Network] = (), resolve: Resolver = socket.getaddrinfo,
        max_response_bytes: int = 2_000_000,
        ssl_context: ssl.SSLContext | None = None) -> HttpFetch:
    """GET `url` through the same guard as post(); every failure is a NetworkError.

    A 2xx body is read whole or not at all: over `max_response_bytes` (announced or
    received) raises ResponseTooLarge, and running out of time raises too. Any other
    status returns with what arrived of its body, as post() does.
    """
    request_headers = _request_headers("get", headers or {}, {"Accept": "text/calendar",
                                                              "User-Agent": FETCH_USER_AGENT})

    def read(response: http.client.HTTPResponse) -> bytes:
        if 200 <= response.status < 300:
            return read_all(response, max_response_bytes)
        return read_some(response, max_response_bytes)

    status, header_map, data = _request(
        "GET", url, None, request_headers, timeout=timeout, allow=allow, resolve=resolve,
        ssl_context=ssl_context, read=read)
    return HttpFetch(status=status, headers=header_map, body=data)


_Reader = Callable[[http.client.HTTPResponse], bytes]


def _request(method: str, url: str, body: bytes | None, headers: list[tuple[str, str]], *,
             timeout: float, allow: Sequence[Network], resolve: Resolver,
             ssl_context: ssl.SSLContext | None,
             read: _Reader) -> tuple[int, dict[str, str], bytes]:
    """Check, pin, connect and exchange under one deadline; failures become NetworkError."""
    deadline = time.monotonic() + timeout
    try:
        target = _parse_url(url)
        addresses = _resolve_checked(target, allow, resolve)
    except _Unresolvable as unresolvable:
        raise NetworkError(str(unresolvable)) from None
    except UnsafeURL as refused:
        raise NetworkError(f"refused to connect: {refused}") from None
    try:
        sock = _connect(target, addresses, deadline, ssl_context)
        try:
            return _exchange(sock, target, method, body, headers, deadline, read)
        finally:
            sock.close()
    except TooLarge as too_large:
        size = size_label(too_large.limit)
        raise ResponseTooLarge(f"the answer from {target.where} is larger than {size}",
                               size) from None
    except (OSError, http.client.HTTPException) as error:
        raise NetworkError(_describe(error, target, timeout)) from None


def _request_headers(caller: str, headers: Mapping[str, str],
                     defaults: Mapping[str, str]) -> list[tuple[str, str]]:
    names = {name.lower() for name in headers}
    if names & _RESERVED_HEADERS:
        raise ValueError(
            f"{caller}() sets these headers itself: {sorted(names & _RESERVED_HEADERS)}")
    result = list(headers.items())
    result += [(name, value) for name, value in defaults.items() if name.lower() not in names]
    return result


def _connect(target: _Target, addresses: list[tuple[int, tuple[Any, ...]]], deadline: float,
             context: ssl.SSLContext | None) -> socket.socket:
    """Connect to a checked address itself, so no second DNS lookup can swap it."""
    error: OSError = ConnectionError("no address to connect to")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(remaining(deadline))
            sock.connect(sockaddr)
        except OSError as failure:
            sock.close()
            error = failure
            if isinstance(failure, TimeoutError):
                break
            continue
        if target.scheme == "http":
            return sock
        return _start_tls(sock, target.host, deadline, context)
    raise error


def _start_tls(sock: socket.socket, hostname: str, deadline: float,
               context: ssl.SSLContext | None) -> ssl.SSLSocket:
    """Verify the certificate against the host name typed, not the pinned IP."""
    try:
        sock.settimeout(remaining(deadline))
        context = context or ssl.create_default_context()
        return context.wrap_socket(sock, server_hostname=hostname)
    except BaseException:
        sock.close()
        raise


class _BadHeader(http.client.HTTPException):
    """A caller-supplied header http.client refused; the message names it, not its value."""


def _exchange(sock: socket.socket, target: _Target, method: str, body: bytes | None,
              headers: list[tuple[str, str]], deadline: float,
              read: _Reader) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(target.host, target.port)
    connection.auto_open = 0  # never let http.client open (and resolve) a socket itself
    connection.sock = DeadlineSocket(sock, deadline)  # type: ignore[assignment]
    try:
        connection.putrequest(method, target.request_target, skip_host=True)
        connection.putheader("Host", target.host_header)
        for name, value in headers:
            try:
                connection.putheader(name, value)
            except ValueError:
                # http.client's message would quote the value, which may be a secret.
                raise _BadHeader(f"invalid value for the header {name[:100]!r}") from None
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.putheader("Connection", "close")
        connection.endheaders(body)
        response = connection.getresponse()
        try:
            data = read(response)
        finally:
            response.close()
    finally:
        connection.close()
    header_map: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        header_map[key] = f"{header_map[key]}, {value}" if key in header_map else value
    return response.status, header_map, data


def _describe(error: BaseException, target: _Target, timeout: float) -> str:
    """A message naming host:port and the kind of failure, nothing from the URL's rest."""
    where = target.where
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or error.reason or "untrusted certificate"
        return f"TLS certificate verification failed for {where}: {reason}"
    if isinstance(error, ssl.SSLError):
        return f"TLS error with {where}: {error.reason or 'handshake failed'}"
    if isinstance(error, TimeoutError):
        return f"timed out after {timeout:g} s talking to {where}"
    if isinstance(error, http.client.RemoteDisconnected):
        return f"{where} closed the connection without answering"
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused by {where}"
    if isinstance(error, ConnectionResetError):
        return f"connection reset by {where}"
    if isinstance(error, _BadHeader):
        return f"could not send to {where}: {error}"
    if isinstance(error, http.client.HTTPException):
        return f"invalid HTTP answer from {where} ({type(error).__name__})"
    detail = error.strerror if isinstance(error, OSError) and error.strerror else type(
        error).__name__
    return f"could not connect to {where}: {detail}"
