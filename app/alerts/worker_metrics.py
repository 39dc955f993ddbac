"""The alert worker's own `/metrics` and `/healthz`, on a port of its own.

A worker on the web machine shares PROMETHEUS_MULTIPROC_DIR and is scraped with the web
workers. A worker elsewhere has no web server: without this, its deliveries, failures and
alert latency would reach no Prometheus. Same bearer token as the web's `/metrics`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import Engine

from app import metrics

StartResponse = Any  # the WSGI start_response callable


def metrics_app(engine: Engine, token: str) -> Any:
    """A WSGI app: `GET /metrics` (bearer token) and `GET /healthz`; 404 for the rest."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if method not in ("GET", "HEAD") or path not in ("/metrics", "/healthz"):
            return _reply(start_response, "404 Not Found", b"Not Found\n")
        if path == "/healthz":
            return _reply(start_response, "200 OK", b'{"status": "ok"}\n',
                          content_type="application/json")
        if not metrics.bearer_token_matches(environ.get("HTTP_AUTHORIZATION", ""), token):
            return _reply(start_response, "401 Unauthorized", b"A bearer token is required.\n",
                          extra=[("WWW-Authenticate", 'Bearer realm="metrics"')])
        body, content_type = metrics.exposition(engine)
        return _reply(start_response, "200 OK", body, content_type=content_type)

    return app


def _reply(start_response: StartResponse, status: str, body: bytes, *,
           content_type: str = "text/plain; charset=utf-8",
           extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), *(extra or [])])
    return [body]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread per scrape, so a slow database answer never blocks /healthz."""

    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    """No access line on stderr for every scrape (every 15 s or so)."""

    def log_message(self, *_args: object) -> None:
        pass


class MetricsServer:
    """metrics_app on host:port, served from a background thread until close().

    Binds when made: a port that cannot be bound raises OSError before the worker starts.
    """

    def __init__(self, engine: Engine, token: str, host: str, port: int) -> None:
        self._server = make_server(host, port, metrics_app(engine, token),
                                   server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="leadform-worker-metrics")
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
