"""Answer piping: `{{answers.first_name}}` in a label becomes the respondent's answer.

Returns plain text; templates escape it like any other text (invariant 9).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*(answers|hidden)\.([a-z][a-z0-9_-]{0,62})\s*\}\}")
MAX_PIPED_LENGTH = 200


def pipe(text: str, answers: Mapping[str, Any], hidden: Mapping[str, Any] | None = None) -> str:
    """Replace placeholders with answers; unknown or empty ones become empty text."""
    sources = {"answers": answers, "hidden": hidden or {}}

    def replace(match: re.Match[str]) -> str:
        value = sources[match.group(1)].get(match.group(2))
        if value is None or value is False:
            return ""
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        return str(value)[:MAX_PIPED_LENGTH]

    return _PLACEHOLDER.sub(replace, text)


def tidy(text: str) -> str:
    """Drop the space a blank placeholder leaves before punctuation: 'Thanks, !' -> 'Thanks!'."""
    return re.sub(r"[,\s]+([!?.])", r"\1", text).strip()
