"""The settings panels of the Build tab: posted form values → a field, step or ending. Pure.

Parsing here catches what a browser can get wrong (a number that isn't one, an
option without a label); the definition's own rules (duplicate option values, a
regex that can't run, a key already used) are checked by `drafts.edit_draft`,
whose issue paths `input_for_path` maps back to the input to show them next to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from app.forms.fields import FIELD_TYPES

Posted = Mapping[str, list[str]]  # request.form.to_dict(flat=False)

TEXT_SETTINGS = ("label", "help", "why", "placeholder")
ENDING_TYPES = ("message", "redirect", "book", "nurture", "disqualify", "route")
_VALIDATION_LABELS = {
    "min_length": "Shortest answer (characters)", "max_length": "Longest answer (characters)",
    "pattern": "Must match (regular expression)", "min": "Lowest", "max": "Highest",
}


def one(posted: Posted, name: str) -> str:
    values = posted.get(name) or [""]
    return values[0].replace("\r\n", "\n").strip()


def field_from_form(current: Mapping[str, Any], posted: Posted) -> tuple[dict[str, Any],
                                                                         dict[str, str]]:
    """The field as the panel says it should be, and errors keyed by input name.

    Keys the panel doesn't show (visible_if, set in the Logic tab) are kept.
    """
    kind = FIELD_TYPES[current["type"]]
    field: dict[str, Any] = {key: value for key, value in current.items()
                             if key in ("visible_if",)}
    field["id"] = one(posted, "key") or current["id"]
    field["type"] = current["type"]
    errors: dict[str, str] = {}
    for name in TEXT_SETTINGS:
        value = one(posted, name)
        if value:
            field[name] = value
    if current["type"] != "statement":
        if one(posted, "required"):
            field["required"] = True
        if one(posted, "property"):
            field["property"] = one(posted, "property").lower()
        if one(posted, "prefill"):
            field["prefill"] = True
    if kind.has_options:
        options, option_errors = options_from_form(current.get("options") or [], posted)
        field["options"] = options
        errors.update(option_errors)
    validation, validation_errors = validation_from_form(current["type"], posted)
    if validation:
        field["validation"] = validation
    errors.update(validation_errors)
    return field, errors


def options_from_form(current: list[dict[str, Any]], posted: Posted
                      ) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Rows of (value, label). A new row's value comes from its label; old values stay."""
    values, labels = posted.get("option_value") or [], posted.get("option_label") or []
    options: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for row, label in enumerate(labels):
        label = label.strip()
        value = values[row].strip() if row < len(values) else ""
        if not label and not value:
            continue  # an empty row is simply dropped
        if not label:
            errors[f"option_label-{row}"] = "Give this option a label."
            continue
        options.append({"value": value or value_from_label(label, options), "label": label})
    if not options and not errors:
        errors["options"] = "A choice question needs at least one option."
    return options, errors


def value_from_label(label: str, existing: list[dict[str, str]]) -> str:
    """A stable, readable value for a new option: "11–200 people" → "11-200-people"."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9+]+", "-", text).strip("-")[:60] or "option"
    taken = {option["value"] for option in existing}
    value, number = base, 2
    while value in taken:
        value, number = f"{base}-{number}", number + 1
    return value


def validation_keys(type_name: str) -> list[tuple[str, str]]:
    """(key, label) of the validation settings this field type takes, in a stable order."""
    allowed = FIELD_TYPES[type_name].allowed_validation
    return [(key, label) for key, label in _VALIDATION_LABELS.items() if key in allowed]


def validation_from_form(type_name: str, posted: Posted) -> tuple[dict[str, Any], dict[str, str]]:
    rules: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, _label in validation_keys(type_name):
        text = one(posted, f"validation_{key}")
        if not text:
            continue
        if key == "pattern" or type_name == "date":
            rules[key] = text
            continue
        number = _number(text, whole=key in ("min_length", "max_length") or type_name in (
            "multi_choice", "scale"))
        if number is None:
            errors[f"validation_{key}"] = ("Enter a whole number." if key.endswith("length")
                                           or type_name in ("multi_choice", "scale")
                                           else "Enter a number.")
        else:
            rules[key] = number
    return rules, errors


def _number(text: str, *, whole: bool) -> int | float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if value.is_integer():
        return int(value)
    return None if whole else value


def step_from_form(current: Mapping[str, Any], posted: Posted) -> dict[str, Any]:
    step = dict(current)
    step["id"] = one(posted, "key") or current["id"]
    title = one(posted, "title")
    if title:
        step["title"] = title
    else:
        step.pop("title", None)
    return step


def ending_from_form(current: Mapping[str, Any], posted: Posted
                     ) -> tuple[dict[str, Any], dict[str, str]]:
    """An ending keeps only the keys its type allows, so switching type never half-saves."""
    kind = one(posted, "type") or current["type"]
    if kind not in ENDING_TYPES:
        return dict(current), {"type": "Choose how the form ends."}
    ending: dict[str, Any] = {"id": one(posted, "key") or current["id"], "type": kind}
    for name in ("title", "message"):
        if one(posted, name):
            ending[name] = one(posted, name)
    errors: dict[str, str] = {}
    if kind == "redirect":
        ending["url"] = one(posted, "url")
        if not ending["url"]:
            errors["url"] = "Enter the address to send people to, like https://example.com/thanks."
    if kind == "book":
        target = one(posted, "booking")
        team, _, meeting_type = target.partition("/")
        if not team or not meeting_type:
            errors["booking"] = "Choose the team and meeting type people book with."
        else:
            ending.update(team=team, meeting_type=meeting_type)
    if kind == "nurture":
        if one(posted, "track"):
            ending["track"] = one(posted, "track")
        else:
            errors["track"] = "Choose the nurture track."
    return ending, errors


def input_for_path(path: str, base: str) -> str | None:
    """The panel input an issue at JSON pointer `path` belongs to, below element `base`.

    `/steps/0/fields/2/options/1/value` under `/steps/0/fields/2` → `option_value-1`.
    """
    if path != base and not path.startswith(base + "/"):
        return None
    rest = path[len(base):].strip("/").split("/") if path != base else []
    if not rest or rest == [""]:
        return "element"
    head = rest[0]
    if head == "id":
        return "key"
    if head == "options":
        if len(rest) >= 3 and rest[1].isdigit():
            return f"option_{'value' if rest[2] == 'value' else 'label'}-{rest[1]}"
        return "options"
    if head == "validation":
        return f"validation_{rest[1]}" if len(rest) > 1 else "validation"
    if head in ("team", "meeting_type"):
        return "booking"
    return head
