"""Signed values the hosted form hands to the browser and gets back.

- the visitor cookie: a random id, signed so it cannot be forged;
- the start token: what the URL brought (hidden fields, UTM, prefill), carried
  until the first answer creates the response;
- the submission token: one per rendered screen, so a double click, a retry or
  a replayed POST is recognised and applied once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

VISITOR_SALT = "leadform.visitor"
SUBMISSION_SALT = "leadform.submission"
SUBMISSION_MAX_AGE = 60 * 60 * 24 * 7  # a week: a tab left open over a weekend still works


class TamperedToken(ValueError):
    """A signature did not verify: the value was changed, forged or is too old."""


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)


def sign_visitor(secret: str, visitor_id: str) -> str:
    return URLSafeSerializer(secret, salt=VISITOR_SALT).dumps(visitor_id)


def read_visitor(secret: str, cookie: str | None) -> str | None:
    """The visitor id from a cookie, or None when absent or not ours."""
    if not cookie:
        return None
    try:
        value = URLSafeSerializer(secret, salt=VISITOR_SALT).loads(cookie)
    except BadSignature:
        return None
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


@dataclass(frozen=True)
class Submission:
    """What a rendered screen was: which response, which screen, which render."""

    version_id: int
    response_id: int | None
    screen: str
    nonce: str
    start: dict[str, Any] | None = None  # only before the response exists


def sign_submission(secret: str, submission: Submission) -> str:
    payload = {
        "v": submission.version_id,
        "r": submission.response_id,
        "s": submission.screen,
        "n": submission.nonce,
    }
    if submission.start is not None:
        payload["c"] = submission.start
    return URLSafeTimedSerializer(secret, salt=SUBMISSION_SALT).dumps(payload)


def read_submission(secret: str, token: str | None) -> Submission:
    if not token:
        raise TamperedToken("This page is missing its form token.")
    try:
        payload = URLSafeTimedSerializer(secret, salt=SUBMISSION_SALT).loads(
            token, max_age=SUBMISSION_MAX_AGE
        )
    except BadSignature as error:
        raise TamperedToken("This form page has been changed or has expired.") from error
    try:
        return Submission(
            version_id=int(payload["v"]),
            response_id=None if payload["r"] is None else int(payload["r"]),
            screen=str(payload["s"]),
            nonce=str(payload["n"]),
            start=payload.get("c"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise TamperedToken("This form page's token is not valid.") from error


def new_nonce() -> str:
    return secrets.token_urlsafe(12)
