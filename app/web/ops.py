"""What load balancers, orchestrators and Prometheus ask: liveness, readiness, metrics.

- `GET /healthz`: 200 while the process serves requests (no database involved);
- `GET /readyz`: 200 when the database answers and its schema is at the migrations'
  head, else 503 with a JSON reason;
- `GET /metrics`: Prometheus text for `Authorization: Bearer LEADFORM_METRICS_TOKEN`;
  404 when no token is configured.

None of them needs a sign-in or counts against a rate limit.
"""

from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from app import metrics
from app.db import engine
from app.extensions import limiter
from app.migrate import alembic_config

bp = Blueprint("ops", __name__)
limiter.exempt(bp)


@cache
def migration_heads() -> frozenset[str]:
    """The head revisions of the migrations this code ships (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # noqa: BLE001 - any failure means: do not send traffic here
        current_app.logger.warning("readiness: database unreachable: %s", type(error).__name__)
        return _unavailable("database unreachable", error=type(error).__name__)
    expected = migration_heads()
    if current != expected:
        return _unavailable("migrations not at head", database=sorted(current),
                            expected=sorted(expected))
    return _no_store(jsonify(status="ready", revision=sorted(current)))


@bp.get("/metrics")
def metrics_page() -> ResponseReturnValue:
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return Response("Not Found\n", status=404, mimetype="text/plain")
    if not metrics.bearer_token_matches(request.headers.get("Authorization", ""), token):
        return Response("A bearer token is required.\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = metrics.exposition(engine())
    return _no_store(Response(body, content_type=content_type))


def _unavailable(reason: str, **details: object) -> ResponseReturnValue:
    response = jsonify(status="unavailable", reason=reason, **details)
    response.status_code = 503
    return _no_store(response)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
