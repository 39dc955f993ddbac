"""A real HTTP receiver for webhook tests: records every request, answers as told."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import standardwebhooks


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body)


Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Sink:
    """`answer(request)` decides the reply; the default is 200 OK."""

    answer: Callable[[Received], Answer] = lambda _request: (200, {}, b"ok")
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)
    port: int = 0
    aborted: int = 0  # requests cut off before their body was complete

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def record(self, request: Received) -> Answer:
        with self.lock:
            self.received.append(request)
            self.arrived.notify_all()
        return self.answer(request)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.arrived.wait(left)
            return list(self.received)

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every request, checked with the `standardwebhooks` package (raises if one fails)."""
        hook = standardwebhooks.Webhook(secret)
        return [hook.verify(request.body, request.headers) for request in self.received]


@contextmanager
def running_sink(sink: Sink | None = None, port: int = 0) -> Iterator[Sink]:
    sink = sink or Sink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if len(body) < length:  # the sender died mid-request: nothing was delivered
                sink.aborted += 1
                return
            request = Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                               body, time.monotonic())
            if sink.delay:
                time.sleep(sink.delay)
            status, headers, reply = sink.record(request)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender died mid-request: what the kill tests do on purpose

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
