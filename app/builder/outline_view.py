"""What the Build tab shows: the outline, the selected element, where an issue points. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.builder.outline import PALETTE
from app.forms.fields import FIELD_TYPES

_POINTER = re.compile(r"^/(?:(steps)/(\d+)(?:/fields/(\d+))?|(endings)/(\d+))")
TYPE_NAMES = {item.type: item.label for item in PALETTE} | {"hidden": "Hidden"}


@dataclass(frozen=True)
class Selection:
    """The element whose settings the panel shows; `kind` "form" when nothing is chosen."""

    kind: str  # "form", "step", "field" or "ending"
    pointer: str
    step: int | None = None
    field: int | None = None
    ending: int | None = None

    @property
    def step_pointer(self) -> str | None:
        return f"/steps/{self.step}" if self.step is not None else None


@dataclass(frozen=True)
class FieldItem:
    id: str
    type: str
    type_name: str
    label: str
    required: bool
    pointer: str
    selected: bool
    has_logic: bool
    issues: int


@dataclass(frozen=True)
class StepItem:
    id: str
    title: str
    number: int
    pointer: str
    selected: bool
    has_logic: bool
    issues: int
    fields: list[FieldItem] = field(default_factory=list)


@dataclass(frozen=True)
class EndingItem:
    id: str
    type: str
    title: str
    pointer: str
    selected: bool
    issues: int


@dataclass(frozen=True)
class Outline:
    steps: list[StepItem]
    endings: list[EndingItem]
    form_selected: bool
    form_issues: int


def select(draft: dict[str, Any], pointer: str | None) -> Selection:
    """Read `?at=`; a pointer to something that doesn't exist selects the form."""
    match = _POINTER.match(pointer or "")
    steps, endings = draft.get("steps", []), draft.get("endings", [])
    if match and match.group(1):
        step = int(match.group(2))
        if step < len(steps):
            if match.group(3) is not None:
                index = int(match.group(3))
                if index < len(steps[step].get("fields", [])):
                    return Selection("field", f"/steps/{step}/fields/{index}", step=step,
                                     field=index)
            return Selection("step", f"/steps/{step}", step=step)
    if match and match.group(4):
        index = int(match.group(5))
        if index < len(endings):
            return Selection("ending", f"/endings/{index}", ending=index)
    return Selection("form", "")


def element(draft: dict[str, Any], selection: Selection) -> dict[str, Any]:
    if selection.kind == "field":
        assert selection.step is not None and selection.field is not None
        return dict(draft["steps"][selection.step]["fields"][selection.field])
    if selection.kind == "step":
        assert selection.step is not None
        return dict(draft["steps"][selection.step])
    if selection.kind == "ending":
        assert selection.ending is not None
        return dict(draft["endings"][selection.ending])
    return dict(draft)


def outline(draft: dict[str, Any], selection: Selection,
            issues: list[dict[str, str]] | None = None) -> Outline:
    """Steps with their fields and endings, each counting the issues found inside it."""
    paths = [issue["path"] for issue in issues or []]

    def count(pointer: str) -> int:
        return sum(1 for path in paths if path == pointer or path.startswith(pointer + "/"))

    steps = []
    for step_index, step in enumerate(draft.get("steps", [])):
        step_pointer = f"/steps/{step_index}"
        fields = []
        for field_index, spec in enumerate(step.get("fields", [])):
            pointer = f"{step_pointer}/fields/{field_index}"
            fields.append(FieldItem(
                id=spec["id"], type=spec["type"],
                type_name=TYPE_NAMES.get(spec["type"], spec["type"]),
                label=spec.get("label") or spec["id"], required=bool(spec.get("required")),
                pointer=pointer, selected=selection.pointer == pointer,
                has_logic="visible_if" in spec, issues=count(pointer)))
        steps.append(StepItem(
            id=step["id"], title=step.get("title") or f"Step {step_index + 1}",
            number=step_index + 1, pointer=step_pointer,
            selected=selection.pointer == step_pointer,
            has_logic="visible_if" in step or bool(step.get("next")),
            issues=count(step_pointer) - sum(item.issues for item in fields), fields=fields))
    endings = [
        EndingItem(id=ending["id"], type=ending["type"],
                   title=ending.get("title") or ending["id"], pointer=f"/endings/{index}",
                   selected=selection.pointer == f"/endings/{index}",
                   issues=count(f"/endings/{index}"))
        for index, ending in enumerate(draft.get("endings", []))
    ]
    inside = sum(item.issues for item in steps) + sum(
        item.issues for step in steps for item in step.fields) + sum(e.issues for e in endings)
    return Outline(steps=steps, endings=endings, form_selected=selection.kind == "form",
                   form_issues=len(paths) - inside)


def screens(draft: dict[str, Any]) -> list[tuple[str, str]]:
    """(screen id, label) choices for the preview: every step, then every ending."""
    choices = [(step["id"], f"Step {index + 1}: {step.get('title') or step['id']}")
               for index, step in enumerate(draft.get("steps", []))]
    choices += [(ending["id"], f"Ending: {ending.get('title') or ending['id']}")
                for ending in draft.get("endings", [])]
    return choices


def preview_screen(draft: dict[str, Any], selection: Selection) -> str:
    """The screen the preview opens on: the selected step or ending, else the first step."""
    if selection.step is not None:
        return str(draft["steps"][selection.step]["id"])
    if selection.ending is not None:
        return str(draft["endings"][selection.ending]["id"])
    return str(draft["steps"][0]["id"])


def answerable(type_name: str) -> bool:
    return FIELD_TYPES[type_name].has_input
