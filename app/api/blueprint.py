"""The API's blueprint: flask-smorest's, plus the house conventions in one place.

    blp = ApiBlueprint("leads", __name__, description="...")

    @blp.get("/leads/<int:lead_id>")
    @blp.scoped("leads:read")          # first: 401/403 come before any parsing
    @blp.response(200, LeadSchema)
    def get_lead(lead_id): ...

`scoped` authenticates the token and documents the security requirement and the
401/403/429 answers; `query` parses query strings with 400 on bad values (a bad
filter is a bad request), `body` parses JSON bodies with 422 (the syntax was right,
the content is not). Every request counts against its token's rate limit, and a
body that is not JSON is refused with 415.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from flask_smorest import Blueprint

from app.api.auth import authenticate, rate_limit, rate_limit_key
from app.api.errors import api_abort
from app.api.pagination import MAX_ID
from app.extensions import limiter

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
SECURITY = [{"bearerAuth": []}]
# Path ids: positive and within the database's integer range (bigger ones are a 404).
ID = f"int(min=1, max={MAX_ID})"


class ApiBlueprint(Blueprint):
    def __init__(self, name: str, import_name: str, *, stores_input: bool = True,
                 **kwargs: Any) -> None:
        kwargs.setdefault("url_prefix", "/api/v1")
        super().__init__(name, import_name, **kwargs)
        self.before_request(_json_only)
        if stores_input:
            self.before_request(_storable_text_only)
        limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)(self)

    def scoped(self, scope: str) -> Decorator:
        """Only tokens holding `scope`; documents it as `x-scope` with the error answers."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                authenticate(scope)
                return view(*args, **kwargs)

            documented = self.doc(security=SECURITY, **{"x-scope": scope})(guarded)
            for status, name in ((401, "UNAUTHORIZED"), (403, "FORBIDDEN"),
                                 (429, "TOO_MANY_REQUESTS")):
                documented = self.alt_response(status, response=name)(documented)
            return documented

        return decorator

    def query(self, schema: Any) -> Decorator:
        return self.arguments(schema, location="query", error_status_code=400)

    def body(self, schema: Any, **kwargs: Any) -> Decorator:
        return self.arguments(schema, location="json", error_status_code=422, **kwargs)


def _has_body() -> bool:
    return request.method in ("POST", "PUT", "PATCH") and bool(
        request.content_length or request.headers.get("Transfer-Encoding"))


def _json_only() -> None:
    """A body must be JSON: a form post or plain text is refused with 415, not guessed at.
    No body at all is fine (actions like publish or replay)."""
    if _has_body() and not request.is_json:
        api_abort(415, "Send the body as JSON with Content-Type: application/json.")


def _storable_text_only() -> None:
    """No text may carry NUL characters, which no database column can store."""
    if b"%00" in request.query_string:
        api_abort(400, "The query string may not contain NUL characters.")
    if _has_body():
        body = request.get_data(cache=True)
        if b"\\u0000" in body or b"\x00" in body:
            api_abort(422, "Text in the body may not contain NUL characters (\\u0000).")
