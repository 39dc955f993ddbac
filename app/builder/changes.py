"""What changed between two definitions, in sentences a marketer reads in the version history.

Steps, endings and fields are matched by id (field ids are unique form-wide), so a
moved or relabelled field reads as one change, not a removal and an addition.
Pure; never raises on an odd document (an old version may predate today's rules).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.builder.shapes import objects_of

NAME_LENGTH = 60

# Field keys with their own sentence; the rest are "settings".
FIELD_WORDS = {
    "label": "the label",
    "help": "the help text",
    "why": "the ‘why we ask’ text",
    "placeholder": "the placeholder",
    "validation": "the validation",
    "property": "the contact property",
    "prefill": "prefilling",
}
TOP_LEVEL = {  # keys compared as a whole, in the order their sentences come
    "title": "Changed the title",
    "description": "Changed the description",
    "display": "Changed how the form is displayed",
    "hidden": "Changed the hidden fields",
    "route": "Changed the route rules",
    "profiling": "Changed progressive profiling",
    "settings": "Changed settings",
}


def summarize_changes(old: Any, new: Any) -> list[str]:
    """Sentences saying how `new` differs from `old`; empty when they mean the same."""
    old, new = _mapping(old), _mapping(new)
    if old == new:
        return []
    lines = [sentence for key, sentence in list(TOP_LEVEL.items())[:3]
             if old.get(key) != new.get(key)]
    lines += _step_changes(objects_of(old.get("steps")), objects_of(new.get("steps")))
    lines += _field_changes(old, new)
    lines += _ending_changes(objects_of(old.get("endings")), objects_of(new.get("endings")))
    lines += [sentence for key, sentence in list(TOP_LEVEL.items())[3:]
              if old.get(key) != new.get(key)]
    known = {"schema", "steps", "endings", *TOP_LEVEL}
    for key in sorted({*old, *new} - known):
        if old.get(key) != new.get(key):
            lines.append(f"Changed ‘{shorten(key)}’")
    return lines or ["Changed the definition"]


def _step_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Iterator[str]:
    before, after = _by_id(old), _by_id(new)
    for step in old:
        if step.get("id") not in after:
            yield f"Removed step ‘{_step_name(step)}’"
    for step in new:
        if step.get("id") not in before:
            yield f"Added step ‘{_step_name(step)}’"
    if _common_order(old, after) != _common_order(new, before):
        yield "Reordered steps"
    for step in new:
        was = before.get(step.get("id"))
        if was is None:
            continue
        if was.get("title") != step.get("title"):
            yield f"Renamed step ‘{_step_name(was)}’ to ‘{_step_name(step)}’"
        if was.get("visible_if") != step.get("visible_if"):
            yield f"Changed when step ‘{_step_name(step)}’ is shown"
        if was.get("next") != step.get("next"):
            yield f"Changed the branches after step ‘{_step_name(step)}’"


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    before, after = _fields(old), _fields(new)
    for field_id, (field, step) in before.items():
        if field_id not in after:
            yield f"Removed field ‘{_field_name(field)}’ from step ‘{_step_name(step)}’"
    for field_id, (field, step) in after.items():
        if field_id not in before:
            yield f"Added field ‘{_field_name(field)}’ to step ‘{_step_name(step)}’"
    for field_id, (field, step) in after.items():
        if field_id not in before:
            continue
        was, was_in = before[field_id]
        if was_in.get("id") != step.get("id"):
            yield f"Moved field ‘{_field_name(field)}’ to step ‘{_step_name(step)}’"
        yield from _one_field(was, field)
    yield from _field_orders(old, new)


def _one_field(was: dict[str, Any], field: dict[str, Any]) -> Iterator[str]:
    name = _field_name(was)
    if was.get("type") != field.get("type"):
        yield f"Changed the type of ‘{name}’ to {str(field.get('type')).replace('_', ' ')}"
    if was.get("label") != field.get("label"):
        yield (f"Changed the label of ‘{name}’ to ‘{shorten(field['label'])}’"
               if field.get("label") else f"Removed the label of ‘{name}’")
    if was.get("options") != field.get("options"):
        yield f"Changed options of ‘{name}’"
    if bool(was.get("required")) != bool(field.get("required")):
        yield f"Made ‘{name}’ {'required' if field.get('required') else 'optional'}"
    if was.get("visible_if") != field.get("visible_if"):
        yield f"Changed when ‘{name}’ is shown"
    described = {"type", "label", "options", "required", "visible_if", "id"}
    for key, words in FIELD_WORDS.items():
        described.add(key)
        if key != "label" and was.get(key) != field.get(key):
            yield f"Changed {words} of ‘{name}’"
    if any(was.get(key) != field.get(key) for key in {*was, *field} - described):
        yield f"Changed the settings of ‘{name}’"


def _field_orders(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    """Fields that stayed in a step but in another order."""
    before = {step.get("id"): step for step in objects_of(old.get("steps"))}
    for step in objects_of(new.get("steps")):
        was = before.get(step.get("id"))
        if was is None:
            continue
        old_ids = [f.get("id") for f in objects_of(was.get("fields"))]
        new_ids = [f.get("id") for f in objects_of(step.get("fields"))]
        kept_old = [field_id for field_id in old_ids if field_id in new_ids]
        kept_new = [field_id for field_id in new_ids if field_id in old_ids]
        if kept_old != kept_new:
            yield f"Reordered fields in step ‘{_step_name(step)}’"


def _ending_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Iterator[str]:
    before, after = _by_id(old), _by_id(new)
    for ending in old:
        if ending.get("id") not in after:
            yield f"Removed ending ‘{_ending_name(ending)}’"
    for ending in new:
        if ending.get("id") not in before:
            yield f"Added ending ‘{_ending_name(ending)}’"
    if _common_order(old, after) != _common_order(new, before):
        yield "Reordered endings (the first is the default)"
    for ending in new:
        was = before.get(ending.get("id"))
        if was is not None and was != ending:
            yield f"Changed ending ‘{_ending_name(was)}’"


# --- reading odd documents safely ------------------------------------------------------------

def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _by_id(items: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {item.get("id"): item for item in items}


def _common_order(items: list[dict[str, Any]], others: dict[Any, Any]) -> list[Any]:
    return [item.get("id") for item in items if item.get("id") in others]


def _fields(definition: dict[str, Any]) -> dict[Any, tuple[dict[str, Any], dict[str, Any]]]:
    """Every field by id, with the step it is in."""
    return {field.get("id"): (field, step)
            for step in objects_of(definition.get("steps"))
            for field in objects_of(step.get("fields"))}


def shorten(text: Any) -> str:
    """One line of at most NAME_LENGTH characters, for names inside sentences."""
    text = " ".join(str(text).split())
    return text if len(text) <= NAME_LENGTH else text[:NAME_LENGTH - 1] + "…"


def _step_name(step: dict[str, Any]) -> str:
    return shorten(step.get("title") or step.get("id") or "untitled")


def _field_name(field: dict[str, Any]) -> str:
    return shorten(field.get("label") or field.get("id") or "untitled")


def _ending_name(ending: dict[str, Any]) -> str:
    return shorten(ending.get("title") or ending.get("id") or "untitled")
