"""One error body for everything under /api, whatever went wrong:

    {"error": {"code": "not_found", "message": "No lead 12 in this workspace.", "details": null}}

`code` is stable and meant for programs; `message` is for people; `details` holds
field errors (validation) or what else helps, else null. The app's error handler
sends every HTTP error of an /api path here, so unknown URLs (404), wrong methods
(405), oversized bodies (413) and crashes (500) look the same as errors views raise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException, default_exceptions

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "server_error",
}

MESSAGES = {
    400: "The request is not valid.",
    401: "Send a valid API token: Authorization: Bearer lf_...",
    403: "This token may not do that.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    409: "That conflicts with the current state.",
    413: "The request body is too large.",
    415: "Send the body as JSON (Content-Type: application/json).",
    422: "Some fields are not valid.",
    429: "Too many requests for this token: wait a little and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
}


def api_abort(status: int, message: str | None = None, *, code: str | None = None,
              details: Any = None, headers: Mapping[str, str] | None = None) -> NoReturn:
    """Stop the request with the API's error body."""
    error = default_exceptions[status]()
    error.data = {"message": message, "code": code, "details": details,  # type: ignore[attr-defined]
                  "headers": dict(headers or {})}
    raise error


def error_response(error: HTTPException) -> Response:
    """The JSON answer for an HTTP error raised anywhere under /api."""
    status = error.code or 500
    data: dict[str, Any] = getattr(error, "data", None) or {}
    details = data.get("details")
    message = data.get("message")
    if "messages" in data and details is None:  # webargs: field errors by location
        details = data["messages"]
        message = message or _validation_message(status, details)
    body = {"error": {
        "code": data.get("code") or CODES.get(status, f"http_{status}"),
        "message": message or MESSAGES.get(status) or error.description or error.name,
        "details": details,
    }}
    response = jsonify(body)
    response.status_code = status
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _validation_message(status: int, details: Any) -> str:
    """`Not valid: limit (query), email (json).` from webargs' nested messages."""
    names = []
    if isinstance(details, Mapping):
        for location, fields in details.items():
            if isinstance(fields, Mapping):
                names += [f"{name} ({location})" for name in fields]
    if not names:
        return MESSAGES.get(status, "The request is not valid.")
    what = "parameters" if status == 400 else "fields"
    return f"Some {what} are not valid: {', '.join(names[:10])}."
