"""Configuration defaults; read by `create_app`, never at import time elsewhere."""

from __future__ import annotations

import os

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": "dev-only-change-me",
    "DATABASE_URL": None,
    "SQLALCHEMY_ECHO": False,
    "SQLITE_BUSY_TIMEOUT_MS": 15_000,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
}


def database_url_from_environment() -> str | None:
    """`DATABASE_URL` is the conventional name; `LEADFORM_DATABASE_URL` also works."""
    return os.environ.get("DATABASE_URL") or None
