"""Which steps and fields a response sees: the server decides, never the browser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.logic.conditions import facts, holds

Definition = Mapping[str, Any]


class UnknownStep(KeyError):
    """A step id that the definition does not have (a caller's bug, not a prospect's)."""


def steps_of(definition: Definition) -> list[dict[str, Any]]:
    """The step dicts in order, skipping anything that is not a dict."""
    return [step for step in definition.get("steps") or [] if isinstance(step, dict)]


def fields_of(step: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The field dicts of one step in order, skipping anything that is not a dict."""
    return [field for field in step.get("fields") or [] if isinstance(field, dict)]


def find_step(definition: Definition, step_id: str) -> dict[str, Any]:
    """The step with this id, or UnknownStep."""
    for step in steps_of(definition):
        if step.get("id") == step_id:
            return step
    raise UnknownStep(step_id)


def is_step_visible(definition: Definition, step_id: str, data: Mapping[str, Any]) -> bool:
    """Whether the step's visible_if holds; an invisible step is skipped."""
    return holds(find_step(definition, step_id).get("visible_if"), data)


def visible_steps(definition: Definition, data: Mapping[str, Any]) -> list[str]:
    """Ids of the steps whose visible_if holds, in form order."""
    return [step["id"] for step in steps_of(definition) if holds(step.get("visible_if"), data)]


def visible_fields(
    definition: Definition, step_id: str, data: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The field dicts of a step whose visible_if holds (the step's own visibility aside)."""
    step = find_step(definition, step_id)
    return [field for field in fields_of(step) if holds(field.get("visible_if"), data)]


def invisible_field_ids(definition: Definition, data: Mapping[str, Any]) -> set[str]:
    """Ids of fields not asked under `data`: on an invisible step or hidden themselves."""
    invisible: set[str] = set()
    for step in steps_of(definition):
        step_shown = holds(step.get("visible_if"), data)
        for field in fields_of(step):
            if not step_shown or not holds(field.get("visible_if"), data):
                invisible.add(field.get("id"))
    return invisible


def prune_answers(
    definition: Definition,
    answers: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Drop answers to fields that are not visible given the remaining answers.

    The second pass of STYLE.md item 4: answers decide visibility, then answers to
    invisible fields go, which may hide more fields, so repeat to a fixed point.
    Each pass drops at least one answer or stops, so there are at most as many
    passes as fields. `data` supplies the rest of the facts document (hidden,
    contact, ...); its own `answers` are ignored. Keys that are not field ids are
    left for validation to judge.
    """
    base = dict(data) if data is not None else facts()
    current = dict(answers)
    field_count = sum(len(fields_of(step)) for step in steps_of(definition))
    for _ in range(field_count + 1):
        drop = invisible_field_ids(definition, {**base, "answers": current}) & current.keys()
        if not drop:
            break
        current = {key: value for key, value in current.items() if key not in drop}
    return current
