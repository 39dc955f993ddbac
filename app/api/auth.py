"""Who is calling: the bearer token, its workspace, and whether it holds a scope.

`Authorization: Bearer lf_...` names one token of one workspace; every query of
the request is scoped to `g.api_workspace` (invariant 8). Missing, unknown,
expired and revoked tokens all get the same 401 (with `WWW-Authenticate`), so
nobody learns which tokens exist; a token without the scope gets a 403 naming it.
"""

from __future__ import annotations

from typing import cast

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from app import db
from app.api.errors import api_abort
from app.api.tokens import note_use, recognise
from app.models import ApiToken, Workspace, utcnow

REALM = 'Bearer realm="leadform"'
_UNSET = object()


def bearer_secret() -> str | None:
    """The token of the `Authorization: Bearer` header, if there is one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def current_token() -> ApiToken | None:
    """The request's active token (looked up once per request), or None."""
    token = g.get("api_token", _UNSET)
    if token is _UNSET:
        secret = bearer_secret()
        token = recognise(db.session(), secret, utcnow()) if secret else None
        g.api_token = token
    return cast(ApiToken | None, token)


def authenticate(scope: str) -> ApiToken:
    """The caller's token if it holds `scope`; else the request ends with 401 or 403."""
    token = current_token()
    if token is None:
        if bearer_secret() is None:
            api_abort(401, "Send an API token: Authorization: Bearer lf_...",
                      code="unauthorized", headers={"WWW-Authenticate": REALM})
        api_abort(401, "The API token is not valid: it is unknown, expired or revoked.",
                  code="invalid_token",
                  headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    if scope not in (token.scopes or []):
        api_abort(403, f"This token does not have the scope {scope}.",
                  code="insufficient_scope", details={"required_scope": scope},
                  headers={"WWW-Authenticate":
                           f'{REALM}, error="insufficient_scope", scope="{scope}"'})
    session = db.session()
    if note_use(session, token, utcnow()):
        session.commit()
    workspace = session.get(Workspace, token.workspace_id)
    assert workspace is not None  # the token row cascades with its workspace
    g.api_workspace = workspace
    return token


def workspace() -> Workspace:
    """The calling token's workspace (set by `authenticate`)."""
    return cast(Workspace, g.api_workspace)


def rate_limit_key() -> str:
    """Limits count per token; calls without a valid token count per client address."""
    token = current_token()
    if token is not None:
        return f"api-token:{token.id}"
    return f"api-ip:{get_remote_address()}"


def rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])
