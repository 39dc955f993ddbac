"""Screens: what one page of a hosted form shows, and which page comes next. Pure.

In the default display a screen is a whole step; with `"display":
"conversational"` it is one field of a step, and the step's branches are taken
after its last visible field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.logic import Next, first_step, next_step, visible_fields


@dataclass(frozen=True)
class Screen:
    step: str
    field: str | None = None

    @property
    def key(self) -> str:
        return self.step if self.field is None else f"{self.step}/{self.field}"

    @classmethod
    def from_key(cls, key: str) -> Screen:
        step, _, field = key.partition("/")
        return cls(step, field or None)


Place = Screen | Next  # a Next here is always an ending


def is_conversational(definition: Mapping[str, Any]) -> bool:
    return definition.get("display") == "conversational"


def screen_fields(
    definition: Mapping[str, Any], screen: Screen, data: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The visible fields this screen shows (in conversational display, at most one)."""
    fields = visible_fields(definition, screen.step, data)
    if screen.field is None:
        return fields
    return [spec for spec in fields if spec["id"] == screen.field]


def first_screen(definition: Mapping[str, Any], data: Mapping[str, Any]) -> Place:
    start = first_step(definition, data)
    if start.kind == "ending":
        return start
    return _past_empty(definition, enter_step(definition, start.id, data), data)


def enter_step(definition: Mapping[str, Any], step_id: str, data: Mapping[str, Any]) -> Screen:
    if not is_conversational(definition):
        return Screen(step_id)
    fields = visible_fields(definition, step_id, data)
    return Screen(step_id, fields[0]["id"] if fields else None)


def screen_after(definition: Mapping[str, Any], screen: Screen, data: Mapping[str, Any]) -> Place:
    """The next screen once this one is answered, or the ending."""
    if screen.field is not None:
        ids = [spec["id"] for spec in visible_fields(definition, screen.step, data)]
        if screen.field in ids and ids.index(screen.field) + 1 < len(ids):
            return Screen(screen.step, ids[ids.index(screen.field) + 1])
    following = next_step(definition, screen.step, data)
    if following.kind == "ending":
        return following
    return _past_empty(definition, enter_step(definition, following.id, data), data)


def _past_empty(definition: Mapping[str, Any], place: Place, data: Mapping[str, Any]) -> Place:
    """Move past screens left with no fields (e.g. every question already known)."""
    for _ in range(len(definition.get("steps", [])) + 1):
        if not isinstance(place, Screen) or screen_fields(definition, place, data):
            return place
        following = next_step(definition, place.step, data)
        if following.kind == "ending":
            return following
        place = enter_step(definition, following.id, data)
    return place


def screens_ahead(definition: Mapping[str, Any], screen: Screen, data: Mapping[str, Any]) -> int:
    """How many more screens the respondent will likely see, given the answers so far.

    Drives the progress bar; bounded so a broken definition cannot loop.
    """
    limit = sum(len(step.get("fields", [])) + 1 for step in definition.get("steps", []))
    count, place = 0, screen_after(definition, screen, data)
    while isinstance(place, Screen) and count < limit:
        count += 1
        place = screen_after(definition, place, data)
    return count


def progress_percent(visited: int, ahead: int) -> int:
    """Share of the form done when the current screen is shown (0 on the first)."""
    total = visited + ahead + 1
    return round(100 * visited / total) if total else 0
