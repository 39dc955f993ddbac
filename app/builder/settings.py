"""Changing one key of a draft's `settings` without leaving empty objects behind."""

from __future__ import annotations

from typing import Any


def put_setting(draft: dict[str, Any], key: str, value: Any) -> None:
    """Set `settings.<key>`; an empty value removes the key, and empty settings go too."""
    settings = draft.get("settings")
    if not isinstance(settings, dict):
        settings = draft["settings"] = {}
    if value:
        settings[key] = value
    else:
        settings.pop(key, None)
    if not settings:
        del draft["settings"]
