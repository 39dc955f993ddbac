"""Configuration defaults; read by `create_app`, never at import time elsewhere."""

from __future__ import annotations

import os

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": "dev-only-change-me",
    "DATABASE_URL": None,
    "SQLALCHEMY_ECHO": False,
    "SQLITE_BUSY_TIMEOUT_MS": 15_000,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_PARTS": 200,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    # Hosted forms: a complete submit faster than this is a bot (it sees a normal ending).
    "MIN_FILL_SECONDS": 3.0,
    "SUBMIT_RATE_LIMIT": "30 per minute",
    "BEACON_RATE_LIMIT": "120 per minute",
    # Progressive profiling: how long a personal link (?lf=...) proves who opens it.
    "PERSONAL_LINK_DAYS": 30,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": False,
    "RATELIMIT_HEADERS_ENABLED": True,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Static files are compressed once and kept in memory (app.web.assets); Flask-Compress
    # streaming would wrap the open file (leaking its handle) and never offers gzip.
    "COMPRESS_STREAMS": False,
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/javascript", "application/javascript",
        "application/json", "application/schema+json", "image/svg+xml",
    ],
}


def database_url_from_environment() -> str | None:
    """`DATABASE_URL` is the conventional name; `LEADFORM_DATABASE_URL` also works."""
    return os.environ.get("DATABASE_URL") or None
