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
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
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


def _table(*rows: tuple[str, str]) -> tuple[tuple[Network, str], ...]:
    return tuple((ipaddress.ip_network(cidr), label) for cidr, label in rows)


# Checked in order, so the most specific label wins. Explicit rather than relying on
# `is_global`, whose answers differ between Python patch releases.
_NON_PUBLIC_V4 = _table(
    ("0.0.0.0/32", "the unspecified address"),
    ("0.0.0.0/8", "a 'this network' address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT (shared) address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "an IETF protocol assignment address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.88.99.0/24", "a 6to4 relay address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
)
_NON_PUBLIC_V6 = _table(
    ("::/128", "the unspecified address"),
    ("::1/128", "a loopback address"),
    ("::ffff:0:0/96", "an IPv4-mapped IPv6 address"),
    ("::/96", "an IPv4-compatible IPv6 address"),
    ("::ffff:0:0:0/96", "an IPv4-translated IPv6 address"),
    ("64:ff9b::/96", "a NAT64 address"),
    ("64:ff9b:1::/48", "a NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001::/32", "a Teredo address"),
    ("2001::/23", "an IETF protocol assignment address"),
    ("2001:db8::/32", "a documentation address"),
    # All of 6to4, not only private embeddings: it is deprecated (RFC 7526) and the
    # relay that decapsulates it may sit anywhere, including next to us.
    ("2002::/16", "a 6to4 address"),
    ("3fff::/20", "a documentation address"),
    ("5f00::/16", "a segment-routing address"),
    ("fc00::/7", "a unique-local (private) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
)
# Only this block is allocated for global unicast; anything else is unroutable today.
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")


def parse_allow_list(entries: Iterable[str]) -> tuple[Network, ...]:
    """Turn configured IPs and CIDRs into networks, so a typo fails at startup."""
    networks: list[Network] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text))
        except ValueError:
            raise ValueError(
                f"invalid allow-list entry {entry!r}: expected an IP address or a network "
                "such as 10.0.0.0/8 (with no host bits set)"
            ) from None
    return tuple(networks)


def address_class(address: Address) -> str | None:
    """Name why an address is not public ("a private address"), or None if it is."""
    if isinstance(address, ipaddress.IPv4Address):
        table = _NON_PUBLIC_V4
    else:
        table = _NON_PUBLIC_V6
    for network, label in table:
        if address in network:
            return label
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return "a reserved address"
    if not address.is_global:
        return "a non-public address"
    return None


def is_public_address(address: Address) -> bool:
    """True only for globally routable unicast addresses."""
    return address_class(address) is None


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
        ssl_context=ssl_context, read=lambda response: _read_some(response, max_response_bytes))
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
            return _read_all(response, max_response_bytes)
        return _read_some(response, max_response_bytes)

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
    except _TooLarge as too_large:
        size = _size(too_large.limit)
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


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline exceeded")
    return remaining


def _connect(target: _Target, addresses: list[tuple[int, tuple[Any, ...]]], deadline: float,
             context: ssl.SSLContext | None) -> socket.socket:
    """Connect to a checked address itself, so no second DNS lookup can swap it."""
    error: OSError = ConnectionError("no address to connect to")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(_remaining(deadline))
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
        sock.settimeout(_remaining(deadline))
        context = context or ssl.create_default_context()
        return context.wrap_socket(sock, server_hostname=hostname)
    except BaseException:
        sock.close()
        raise


class _BadHeader(http.client.HTTPException):
    """A caller-supplied header http.client refused; the message names it, not its value."""


class _DeadlineSocket:
    """What http.client sees: every send and receive gets only the time that is left.

    A per-operation socket timeout alone would let a receiver that trickles a byte at
    a time hold a worker forever.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> socket.socket:
        self._sock.settimeout(_remaining(self._deadline))
        return self._sock

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:  # in slices, so a receiver reading slowly cannot stretch the deadline
            view = view[self._arm().send(view[:65536]):]

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self))

    def recv_into(self, buffer: Any) -> int:
        return self._arm().recv_into(buffer)

    def close(self) -> None:
        """_request() owns and closes the real socket."""


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)


def _exchange(sock: socket.socket, target: _Target, method: str, body: bytes | None,
              headers: list[tuple[str, str]], deadline: float,
              read: _Reader) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(target.host, target.port)
    connection.auto_open = 0  # never let http.client open (and resolve) a socket itself
    connection.sock = _DeadlineSocket(sock, deadline)  # type: ignore[assignment]
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


def _read_some(response: http.client.HTTPResponse, limit: int) -> bytes:
    """At most `limit` bytes; once the status is in, a body cut short still counts."""
    data = b""
    try:
        while len(data) < limit:
            chunk = response.read1(limit - len(data))  # keeps what came before a timeout
            if not chunk:
                break
            data += chunk
    except http.client.IncompleteRead as short:
        data += short.partial
    except (OSError, http.client.HTTPException):
        pass  # the receiver has answered; the excerpt is only informative
    return data[:limit]


class _TooLarge(http.client.HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _read_all(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The whole body, or _TooLarge as soon as it announces or sends more than `limit`."""
    announced = response.getheader("Content-Length", "")
    if announced.strip().isdigit() and int(announced) > limit:
        raise _TooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(65536):  # a timeout or a short body raises, as it should
        size += len(chunk)
        if size > limit:
            raise _TooLarge(limit)
        chunks.append(chunk)
    if response.length:  # the connection closed before the announced length arrived
        raise http.client.IncompleteRead(b"".join(chunks), response.length)
    return b"".join(chunks)


def _size(limit: int) -> str:
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if limit >= factor:
            return f"{limit / factor:g} {unit}"
    return f"{limit} bytes"


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
