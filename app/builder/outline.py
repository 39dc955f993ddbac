"""Structural edits of a draft: add, delete, move and duplicate steps, fields and endings. Pure.

Each function edits the definition dict in place (the editor passes these to
`drafts.edit_draft`, which checks the result) and raises `OutlineError` for a
request that makes no sense ("no such field", "a step needs a question").
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from app.builder.shapes import objects_of
from app.forms.fields import FIELD_TYPES

Draft = dict[str, Any]


class OutlineError(ValueError):
    """A structural edit that cannot be made; the message is for the marketer."""


@dataclass(frozen=True)
class PaletteItem:
    type: str
    label: str  # what the palette button says
    hint: str


# The palette, in the order marketers reach for them; "hidden" fields are added
# from the Share tab's hidden values, not here.
PALETTE = (
    PaletteItem("short_text", "Short text", "A name, a company, a job title"),
    PaletteItem("email", "Email", "Checked for a real address"),
    PaletteItem("choice", "Single choice", "Pick one of a few options"),
    PaletteItem("multi_choice", "Multiple choice", "Pick any number of options"),
    PaletteItem("dropdown", "Dropdown", "Pick one of a long list"),
    PaletteItem("yes_no", "Yes / No", "A quick yes or no"),
    PaletteItem("long_text", "Long text", "A few sentences"),
    PaletteItem("phone", "Phone", "A phone number"),
    PaletteItem("number", "Number", "A quantity or a budget"),
    PaletteItem("scale", "Scale", "A rating from low to high"),
    PaletteItem("date", "Date", "A calendar date"),
    PaletteItem("consent", "Consent", "A checkbox to agree"),
    PaletteItem("statement", "Statement", "Text only, no answer"),
)
PALETTE_TYPES = frozenset(item.type for item in PALETTE)

_DEFAULT_LABELS = {
    "short_text": "Your answer", "long_text": "Tell us more", "email": "Work email",
    "phone": "Phone number", "number": "How many?", "choice": "Choose one",
    "multi_choice": "Choose all that apply", "dropdown": "Pick one", "yes_no": "Yes or no?",
    "scale": "How likely are you to recommend us?", "date": "Pick a date",
    "consent": "I agree to be contacted about this request",
    "statement": "A few words before the next questions.",
}
_ID_BASES = {"short_text": "text", "long_text": "details", "multi_choice": "choices",
             "yes_no": "yes_no", "statement": "note"}


def add_step(draft: Draft, *, after: str | None = None) -> str:
    """A new step with one short text question, after step `after` (or at the end)."""
    steps = draft["steps"]
    step_id = unique_id(_place_ids(draft), "step")
    field = new_field(draft, "short_text")
    index = _step_index(draft, after) + 1 if after else len(steps)
    steps.insert(index, {"id": step_id, "title": "New step", "fields": [field]})
    return step_id


def delete_step(draft: Draft, step_id: str) -> None:
    if len(draft["steps"]) == 1:
        raise OutlineError("A form needs at least one step.")
    del draft["steps"][_step_index(draft, step_id)]


def move_step(draft: Draft, step_id: str, index: int) -> None:
    steps = draft["steps"]
    step = steps.pop(_step_index(draft, step_id))
    steps.insert(_clamp(index, len(steps)), step)


def duplicate_step(draft: Draft, step_id: str) -> str:
    """A copy right after the original, with fresh ids for the step and its fields."""
    index = _step_index(draft, step_id)
    copy_ = copy.deepcopy(draft["steps"][index])
    copy_["id"] = unique_id(_place_ids(draft), f"{step_id}_copy")
    copy_.pop("next", None)  # branches of the original point onwards from it, not from the copy
    taken = _field_ids(draft)
    for field in copy_["fields"]:
        field["id"] = unique_id(taken, field["id"])
        taken.add(field["id"])
        field.pop("visible_if", None)
    if copy_.get("title"):
        copy_["title"] = f"{copy_['title']} (copy)"[:500]
    draft["steps"].insert(index + 1, copy_)
    return str(copy_["id"])


def new_field(draft: Draft, type_name: str) -> dict[str, Any]:
    """A field of `type_name` with a fresh id and sensible defaults, not yet placed."""
    if type_name not in FIELD_TYPES or type_name == "hidden":
        raise OutlineError(f"Unknown question type {type_name[:40]!r}.")
    field: dict[str, Any] = {
        "id": unique_id(_field_ids(draft), _ID_BASES.get(type_name, type_name)),
        "type": type_name,
        "label": _DEFAULT_LABELS.get(type_name, "Your answer"),
    }
    if FIELD_TYPES[type_name].has_options:
        field["options"] = [{"value": "option-1", "label": "Option 1"},
                            {"value": "option-2", "label": "Option 2"}]
    if type_name == "scale":
        field["validation"] = {"min": 1, "max": 5}
    if type_name == "email":
        field["property"] = "email"
        if any(f.get("property") == "email" for f in iter_fields(draft)):
            del field["property"]
    return field


def add_field(draft: Draft, step_id: str, type_name: str, index: int | None = None) -> str:
    """A new field at `index` of step `step_id` (at its end by default); returns its id."""
    fields = draft["steps"][_step_index(draft, step_id)]["fields"]
    field = new_field(draft, type_name)
    fields.insert(len(fields) if index is None else _clamp(index, len(fields)), field)
    return str(field["id"])


def delete_field(draft: Draft, field_id: str) -> None:
    step_index, field_index = locate_field(draft, field_id)
    fields = draft["steps"][step_index]["fields"]
    if len(fields) == 1:
        raise OutlineError("A step needs at least one question: delete the step instead.")
    del fields[field_index]


def move_field(draft: Draft, field_id: str, step_id: str, index: int) -> None:
    """Move a field within its step or into another one (drag and drop, or the arrows)."""
    source_step, source_index = locate_field(draft, field_id)
    target_step = _step_index(draft, step_id)
    source_fields = draft["steps"][source_step]["fields"]
    if source_step != target_step and len(source_fields) == 1:
        raise OutlineError("A step needs at least one question: this is the last one of its step.")
    field = source_fields.pop(source_index)
    target_fields = draft["steps"][target_step]["fields"]
    target_fields.insert(_clamp(index, len(target_fields)), field)


def duplicate_field(draft: Draft, field_id: str) -> str:
    step_index, field_index = locate_field(draft, field_id)
    copy_ = copy.deepcopy(draft["steps"][step_index]["fields"][field_index])
    copy_["id"] = unique_id(_field_ids(draft), f"{field_id}_copy")
    copy_.pop("property", None)  # two fields filling one property would fight
    draft["steps"][step_index]["fields"].insert(field_index + 1, copy_)
    return str(copy_["id"])


def add_ending(draft: Draft, type_name: str = "message") -> str:
    ending_id = unique_id(_place_ids(draft), "ending" if type_name == "message" else type_name)
    ending: dict[str, Any] = {"id": ending_id, "type": type_name}
    if type_name == "message":
        ending.update(title="Thank you!", message="We'll be in touch soon.")
    draft["endings"].append(ending)
    return ending_id


def delete_ending(draft: Draft, ending_id: str) -> None:
    if len(draft["endings"]) == 1:
        raise OutlineError("A form needs at least one ending.")
    del draft["endings"][ending_index(draft, ending_id)]


# --- finding things ------------------------------------------------------------------------


def iter_fields(draft: Draft) -> list[dict[str, Any]]:
    return [field for step in objects_of(draft.get("steps"))
            for field in objects_of(step.get("fields"))]


def locate_field(draft: Draft, field_id: str) -> tuple[int, int]:
    for step_index, step in enumerate(draft["steps"]):
        for field_index, field in enumerate(step["fields"]):
            if field.get("id") == field_id:
                return step_index, field_index
    raise OutlineError(f"There is no question {field_id[:63]!r} in this form.")


def _step_index(draft: Draft, step_id: str) -> int:
    for index, step in enumerate(draft["steps"]):
        if step.get("id") == step_id:
            return index
    raise OutlineError(f"There is no step {step_id[:63]!r} in this form.")


def step_index(draft: Draft, step_id: str) -> int:
    return _step_index(draft, step_id)


def ending_index(draft: Draft, ending_id: str) -> int:
    for index, ending in enumerate(draft["endings"]):
        if ending.get("id") == ending_id:
            return index
    raise OutlineError(f"There is no ending {ending_id[:63]!r} in this form.")


_SUFFIX = re.compile(r"_[0-9]+$")


def unique_id(taken: set[str], base: str) -> str:
    """`base`, or `base_2`, `base_3`... whichever is free; always a valid id."""
    base = re.sub(r"[^a-z0-9_-]", "_", base.lower())[:56] or "item"
    if not base[0].isalpha():
        base = f"q_{base}"[:56]
    if base not in taken:
        return base
    stem = _SUFFIX.sub("", base)
    number = 2
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


def _field_ids(draft: Draft) -> set[str]:
    ids = {str(field.get("id")) for field in iter_fields(draft)}
    profiling = draft.get("profiling")
    queue = profiling.get("queue") if isinstance(profiling, dict) else None
    return ids | {str(field.get("id")) for field in objects_of(queue)}


def _place_ids(draft: Draft) -> set[str]:
    return ({str(step.get("id")) for step in objects_of(draft.get("steps"))}
            | {str(ending.get("id")) for ending in objects_of(draft.get("endings"))})


def _clamp(index: int, length: int) -> int:
    return max(0, min(index, length))
