"""What a form's URL brings along: hidden fields, UTM, prefill, referrer. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from app.forms.fields import field_type

STANDARD_PARAMETERS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid",
)
MAX_VALUE_LENGTH = 500
MAX_URL_LENGTH = 2000
# The embed script passes the host page's address and referrer under these names.
HOST_PAGE_PARAMETER = "lf_page"
HOST_REFERRER_PARAMETER = "lf_ref"
# Control characters mean nothing in a campaign name or an address, and PostgreSQL
# cannot store NUL: they are dropped from everything a URL brings along.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Captured:
    hidden: dict[str, str] = field(default_factory=dict)
    prefill: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"hidden": self.hidden, "prefill": self.prefill, "meta": self.meta}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Captured:
        return cls(hidden=dict(data.get("hidden") or {}), prefill=dict(data.get("prefill") or {}),
                   meta=dict(data.get("meta") or {}))


def capture(
    definition: Mapping[str, Any],
    query: Mapping[str, str],
    *,
    url: str,
    referrer: str | None,
) -> Captured:
    """Pick out of the query string what the definition asks to keep.

    Hidden names and standard UTM parameters go to `hidden`; values for
    fields marked `prefill` (and `hidden`-type fields) go to `prefill`, parsed
    by their field type so a bad value is simply not used.
    """
    names = set(STANDARD_PARAMETERS) | set(definition.get("hidden") or [])
    clipped = {name: _clip(query.get(name) or "", MAX_VALUE_LENGTH) for name in sorted(names)}
    hidden = {name: value for name, value in clipped.items() if value}
    prefill: dict[str, Any] = {}
    for step in definition.get("steps", []):
        for spec in step.get("fields", []):
            if not (spec.get("prefill") or spec.get("type") == "hidden"):
                continue
            raw = query.get(spec["id"])
            if raw:
                parsed = field_type(spec["type"]).parse(spec, _clip(raw, MAX_VALUE_LENGTH))
                if parsed.error is None and parsed.value is not None:
                    prefill[spec["id"]] = parsed.value
    meta = {
        "landing_page": _clip(query.get(HOST_PAGE_PARAMETER) or url, MAX_URL_LENGTH),
        "referrer": _clip(query.get(HOST_REFERRER_PARAMETER) or referrer or "", MAX_URL_LENGTH),
    }
    if query.get(HOST_PAGE_PARAMETER):
        meta["embedded"] = "1"
    return Captured(hidden=hidden, prefill=prefill, meta={k: v for k, v in meta.items() if v})


def source_of(hidden: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    """The channel a response is reported under: utm_source, else the referring host.

    Lower-cased so `Google` and `google` count together; `direct` when nothing says.
    """
    source = str(hidden.get("utm_source") or "").strip().lower()
    if source:
        return source[:100]
    if hidden.get("gclid"):
        return "google"
    host = (urlsplit(str(meta.get("referrer") or "")).hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    return host[:100] or "direct"


def campaign_of(hidden: Mapping[str, Any]) -> str | None:
    campaign = str(hidden.get("utm_campaign") or "").strip()
    return campaign[:200] or None


def _clip(value: str, limit: int) -> str:
    return _CONTROL.sub("", value)[:limit]
