"""Configuration defaults; read by `create_app`, never at import time elsewhere."""

from __future__ import annotations

import os

DEV_SECRET_KEY = "dev-only-change-me"  # noqa: S105 - the value refused in production
MIN_SECRET_KEY_LENGTH = 32
ENVIRONMENTS = ("development", "production")

DEFAULTS: dict[str, object] = {
    # development | production; None: development under FLASK_DEBUG, else production.
    "ENV": None,
    # Outside development and TESTING a real key is required (see secret_key_problem).
    "SECRET_KEY": DEV_SECRET_KEY,
    # A file holding the key (Docker secrets); `make` writes instance/secret_key, read
    # when neither LEADFORM_SECRET_KEY nor this is set.
    "SECRET_KEY_FILE": None,
    # Trusted reverse proxies in front of the app, per X-Forwarded-* header (0: ignore it).
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "PROXY_FIX_X_HOST": 0,
    "PROXY_FIX_X_PORT": 0,
    "PROXY_FIX_X_PREFIX": 0,
    # Strict-Transport-Security on secure requests only; 0 turns it off.
    "HSTS_MAX_AGE": 365 * 24 * 60 * 60,
    "HSTS_INCLUDE_SUBDOMAINS": True,
    # json | text; None: text in development, json in production.
    "LOG_FORMAT": None,
    "LOG_LEVEL": "INFO",
    # Bearer token for /metrics; unset: /metrics is a 404.
    "METRICS_TOKEN": None,
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
    # Back office sign-in: attempts per IP, whatever the outcome.
    "LOGIN_RATE_LIMIT": "10 per minute",
    # REST API: requests per token (calls without a valid token: per client address).
    "API_RATE_LIMIT": "600 per minute",
    # Session cookies are HTTPS-only by default. `make run`/`make dev` serve plain
    # http://127.0.0.1 and set LEADFORM_SESSION_COOKIE_SECURE=false so that signing in works.
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # None: follow SESSION_COOKIE_SECURE (see create_app).
    "REMEMBER_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 14,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": False,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Alerts: where the back office lives (links in alerts), SMTP, webhook delivery.
    "BASE_URL": None,
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_SECURITY": "starttls",
    "SMTP_FROM": "Leadform <alerts@localhost>",
    # Networks webhooks may reach although not public (SSRF guard), e.g. "127.0.0.1".
    "ALERTS_ALLOWED_NETWORKS": [],
    "ALERTS_FAST_PATH": True,
    "ALERTS_HTTP_TIMEOUT": 15.0,
    # A killed worker's claims come back after this many seconds.
    "ALERTS_LEASE_SECONDS": 40.0,
    "ALERTS_WORKER_THREADS": 4,
    # `flask worker` serves its own /metrics and /healthz here when set (a worker on a
    # machine without the web's PROMETHEUS_MULTIPROC_DIR); 0.0.0.0 to be scraped remotely.
    "WORKER_METRICS_PORT": None,
    "WORKER_METRICS_BIND": "127.0.0.1",
    "ALERTS_POLL_SECONDS": 1.0,
    "ALERTS_MAX_PAYLOAD_BYTES": 64_000,
    "ALERTS_SECRET_ROTATION_HOURS": 24,
    # Booking: how long cancel/reschedule links work; how often reps' calendar feeds refresh.
    "BOOKING_LINK_DAYS": 60,
    "BOOKING_FEED_REFRESH_MINUTES": 15,
    # Data lifecycle: days kept (0 keeps forever); workspaces may set their own. The worker
    # deletes older rows every RETENTION_RUN_MINUTES (`flask retention run` does it now).
    "RETENTION_PARTIAL_RESPONSE_DAYS": 90,
    "RETENTION_DELIVERY_LOG_DAYS": 90,
    "RETENTION_SIGNAL_DAYS": 365,
    "RETENTION_AUDIT_LOG_DAYS": 730,
    "RETENTION_RUN_MINUTES": 60,
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


def resolve_environment(configured: object, debug: bool) -> str:
    """LEADFORM_ENV, else development under FLASK_DEBUG, else production (fail safe)."""
    env = str(configured).strip().lower() if configured else (
        "development" if debug else "production")
    if env not in ENVIRONMENTS:
        raise ValueError(f"LEADFORM_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    return env


def secret_key_problem(key: object) -> str | None:
    """Why `key` may not sign production cookies and links, or None when it may."""
    if not key or not isinstance(key, str | bytes):
        return "LEADFORM_SECRET_KEY is not set"
    if key == DEV_SECRET_KEY:
        return "LEADFORM_SECRET_KEY is the development default"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return (f"LEADFORM_SECRET_KEY is {len(key)} characters long; "
                f"use at least {MIN_SECRET_KEY_LENGTH}")
    return None
