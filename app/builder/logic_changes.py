"""Draft changes of the Logic tab: visibility rules and branches, addressed by id.

Each function returns a change for `edit_draft`. Steps and fields are found by id,
and a branch must still be the one the marketer saw (`original`), so an edit made
on a stale page is refused instead of landing on the wrong branch.
"""

from __future__ import annotations

from typing import Any

from app.builder.drafts import Change, ChangeRefused
from app.builder.shapes import objects_of
from app.forms.types import JSON

STALE = "This form changed since the page was loaded; reload the page and try again."


def _step(draft: dict[str, Any], step_id: str) -> dict[str, Any]:
    for step in objects_of(draft.get("steps")):
        if step.get("id") == step_id:
            return step
    raise ChangeRefused(STALE)


def _field(step: dict[str, Any], field_id: str) -> dict[str, Any]:
    for field in objects_of(step.get("fields")):
        if field.get("id") == field_id:
            return field
    raise ChangeRefused(STALE)


def _set_rule(target: dict[str, Any], rule: JSON | None) -> None:
    if rule is None:
        target.pop("visible_if", None)
    else:
        target["visible_if"] = rule


def set_visibility(step_id: str, field_id: str | None, rule: JSON | None) -> Change:
    """Show a step (or one of its fields) only if `rule` holds; None: always."""

    def change(draft: dict[str, Any]) -> None:
        step = _step(draft, step_id)
        _set_rule(_field(step, field_id) if field_id else step, rule)

    return change


def _branches(draft: dict[str, Any], step_id: str, index: int | None,
              original: Any) -> list[Any]:
    branches = _step(draft, step_id).setdefault("next", [])
    if not isinstance(branches, list):
        raise ChangeRefused(STALE)
    if index is not None and not (0 <= index < len(branches) and branches[index] == original):
        raise ChangeRefused(STALE)
    return branches


def _branch(rule: JSON | None, goto: str) -> dict[str, Any]:
    return {"if": True if rule is None else rule, "goto": goto}


def _tidy(draft: dict[str, Any], step_id: str) -> None:
    step = _step(draft, step_id)
    if not step.get("next"):
        step.pop("next", None)


def add_branch(step_id: str, rule: JSON | None, goto: str) -> Change:
    """A new last branch: if `rule` holds (None: always), go to `goto`."""

    def change(draft: dict[str, Any]) -> None:
        _branches(draft, step_id, None, None).append(_branch(rule, goto))

    return change


def update_branch(step_id: str, index: int, original: Any, rule: JSON | None,
                  goto: str) -> Change:
    def change(draft: dict[str, Any]) -> None:
        _branches(draft, step_id, index, original)[index] = _branch(rule, goto)

    return change


def delete_branch(step_id: str, index: int, original: Any) -> Change:
    def change(draft: dict[str, Any]) -> None:
        del _branches(draft, step_id, index, original)[index]
        _tidy(draft, step_id)

    return change


def move_branch(step_id: str, index: int, original: Any, offset: int) -> Change:
    """Move a branch up (-1) or down (+1); order matters: the first that holds wins."""

    def change(draft: dict[str, Any]) -> None:
        branches = _branches(draft, step_id, index, original)
        other = index + offset
        if 0 <= other < len(branches):
            branches[index], branches[other] = branches[other], branches[index]

    return change


__all__ = ["STALE", "add_branch", "delete_branch", "move_branch", "set_visibility",
           "update_branch"]
