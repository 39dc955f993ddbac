"""The alert settings a worker or dispatcher needs, read once from the app config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.alerts.addresses import Network, parse_allow_list
from app.alerts.mail import SmtpSettings


@dataclass(frozen=True)
class AlertSettings:
    allow: tuple[Network, ...] = ()
    http_timeout: float = 15.0
    lease_seconds: float = 40.0
    smtp: SmtpSettings | None = None
    base_url: str | None = None
    worker_threads: int = 4
    poll_seconds: float = 1.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AlertSettings:
        return cls(
            allow=tuple(parse_allow_list(_as_list(config.get("ALERTS_ALLOWED_NETWORKS")))),
            http_timeout=float(config.get("ALERTS_HTTP_TIMEOUT", 15.0)),
            lease_seconds=float(config.get("ALERTS_LEASE_SECONDS", 40.0)),
            smtp=SmtpSettings.from_config(config),
            base_url=(config.get("BASE_URL") or None),
            worker_threads=max(1, int(config.get("ALERTS_WORKER_THREADS", 4))),
            poll_seconds=float(config.get("ALERTS_POLL_SECONDS", 1.0)),
        )


def _as_list(value: Any) -> list[str]:
    """A list setting may come from the environment as "a, b" as well as JSON."""
    if not value:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item) for item in value]
