"""Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`.

https://www.standardwebhooks.com/ — the receiver verifies with the same secret
(`whsec_` + base64 key). During a rotation both secrets sign, space-separated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format marker, not a secret


def new_secret() -> str:
    """A fresh signing secret: 24 random bytes, as Standard Webhooks formats them."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def is_secret(value: str) -> bool:
    if not value.startswith(SECRET_PREFIX):
        return False
    try:
        return len(base64.b64decode(value[len(SECRET_PREFIX):], validate=True)) >= 16
    except ValueError:
        return False


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_in_force: Iterable[str], message_id: str, timestamp: int,
                     body: bytes) -> str:
    """The `webhook-signature` value: one signature per secret in force."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_in_force)


def webhook_headers(secrets_in_force: Iterable[str], message_id: str, timestamp: int,
                    body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_in_force, message_id, timestamp, body),
        "Content-Type": "application/json",
    }
