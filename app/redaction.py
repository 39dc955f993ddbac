"""Taking secrets out of log text: values of secret-looking keys, and known secret values.

Pure: no Flask, no logging setup. `app.logs` applies it to every log record and to
every formatted line, so a secret that slips into a message, an `extra` field or an
exception's text is replaced before anything is written.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

REDACTED = "[REDACTED]"
# Shorter values are too likely to be ordinary words ("test") to be replaced everywhere.
MIN_KNOWN_SECRET_LENGTH = 8

_SECRET_NAMES = (
    "password", "passwd", "pwd", r"secret(?:_key)?", "client_secret", "token", "access_token",
    "refresh_token", r"api[_-]?key", "apikey", "authorization", "cookie", "set-cookie",
    "session", "smtp_password", "signature", r"webhook[_-]secret", "x-csrftoken", "csrf_token",
)
SECRET_NAMES_PATTERN = "|".join(_SECRET_NAMES)
# `key=value`, `key: value`, `"key": "value"`, `'key': 'value'` (also inside URLs' queries).
_KEY_VALUE = re.compile(
    rf"""(?P<key>["']?\b[\w-]*(?:{SECRET_NAMES_PATTERN})["']?)(?P<sep>\s*[:=]\s*)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?:Bearer|Basic)\s+[^\s,;&"']+|[^\s,;&"'}\]]+)""",
    re.IGNORECASE,
)
# Leadform's own secrets are recognisable anywhere: webhook signing secrets and API tokens.
_OWN_SECRETS = re.compile(r"\bwhsec_[A-Za-z0-9+/=]{16,}|\blf_[A-Za-z0-9_-]{20,}")
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
# Every pattern above needs one of these (lower-case) words, and most lines, a request's,
# have none: looking for them is twenty times cheaper than running the patterns.
_SECRET_WORDS = ("pass", "pwd", "secret", "token", "key", "authorization", "cookie",
                 "session", "signature", "bearer", "basic", "whsec_", "lf_")


def _replace_value(match: re.Match[str]) -> str:
    value = match.group("value")
    if value[:1] in "\"'":
        value = f"{value[0]}{REDACTED}{value[0]}"
    else:
        value = REDACTED
    return f"{match.group('key')}{match.group('sep')}{value}"


class Redactor:
    """Replaces secrets in text; known values (the SECRET_KEY, SMTP password) can be added."""

    def __init__(self) -> None:
        self._known: tuple[str, ...] = ()  # longest first: one containing another goes whole
        self._lock = threading.Lock()

    def add_known(self, values: Iterable[object]) -> None:
        """Values to replace wherever they appear (short or empty ones are ignored)."""
        fresh = {str(value) for value in values
                 if value and len(str(value)) >= MIN_KNOWN_SECRET_LENGTH}
        with self._lock:
            self._known = tuple(sorted(set(self._known) | fresh, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._known:
            if secret in text:
                text = text.replace(secret, REDACTED)
        lowered = text.lower()
        if not any(word in lowered for word in _SECRET_WORDS):
            return text
        text = _OWN_SECRETS.sub(REDACTED, text)
        text = _KEY_VALUE.sub(_replace_value, text)
        return _BEARER.sub(lambda match: f"{match.group(1)} {REDACTED}", text)


def is_secret_name(name: str) -> bool:
    """Whether a field or URL argument named `name` holds a secret (`token`, not `token_id`)."""
    if name.lower().endswith("_id"):
        return False
    return re.search(SECRET_NAMES_PATTERN, name, re.IGNORECASE) is not None
