"""Which answers fill which contact properties: read off the definition. Pure."""

from __future__ import annotations

from typing import Any


def mapped_answers(definition: dict[str, Any], answers: dict[str, Any],
                   from_profile: set[str]) -> dict[str, Any]:
    """property -> answer for every answered field that maps to a property.

    Answers that came from the profile (skipped fields) are not new facts.
    """
    mapped: dict[str, Any] = {}
    for step in definition["steps"]:
        for spec in step["fields"]:
            name = spec.get("property")
            if name and spec["id"] in answers and spec["id"] not in from_profile:
                mapped[name] = answers[spec["id"]]
    return mapped
