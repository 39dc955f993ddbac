"""One log line per request, and a request id that ties a request's log lines together.

The id comes from the proxy's X-Request-ID when it is well formed (so the load
balancer's and our lines match), else it is generated; it is echoed in the
response's X-Request-ID header.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from app import metrics
from app.redaction import REDACTED, is_secret_name

log = logging.getLogger("leadform.requests")
REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+/=-]{7,127}$")
# Probed every few seconds by load balancers and Prometheus: logged at DEBUG only.
QUIET_ENDPOINTS = frozenset({"ops.healthz", "ops.readyz", "ops.metrics"})


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is well formed, else a new one (a hostile header never lands
    in our logs as is)."""
    if header and _WELL_FORMED_ID.match(header):
        return header
    return uuid.uuid4().hex


def loggable_path(path: str, view_args: dict[str, object] | None) -> str:
    """The path with secret URL arguments (an invitation's `<token>`) replaced."""
    secrets = {str(value) for name, value in (view_args or {}).items()
               if value and isinstance(value, str) and is_secret_name(name)}
    if not secrets:
        return path
    return "/".join(REDACTED if segment in secrets else segment for segment in path.split("/"))


def configure_request_log(app: Flask) -> None:
    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))

    # First of all before_request functions: a request another one ends (a rate
    # limit's 429) is timed and logged too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _finish(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:  # a request that failed before our before_request ran
            return response
        duration = time.perf_counter() - started
        response.headers[REQUEST_ID_HEADER] = g.request_id
        endpoint = request.endpoint or "unmatched"
        metrics.observe_request(request.method, endpoint, response.status_code, duration)
        # request_id itself is stamped on every record by app.logs.
        fields: dict[str, object] = {
            "method": request.method,
            "path": loggable_path(request.path, request.view_args),
            "status": response.status_code, "duration_ms": round(duration * 1000, 2),
            "endpoint": endpoint,
        }
        workspace = (request.view_args or {}).get("workspace")
        if workspace:
            fields["workspace"] = workspace
        level = logging.DEBUG if endpoint in QUIET_ENDPOINTS else logging.INFO
        log.log(level, "%s %s %s %.1fms", fields["method"], fields["path"],
                fields["status"], fields["duration_ms"], extra=fields)
        return response
