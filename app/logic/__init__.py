"""Form logic, pure: no Flask, no database; plain dicts in, plain values out."""

from app.logic.branching import BranchLoop, Next, Path, first_step, next_step, walk
from app.logic.conditions import facts, holds
from app.logic.jsonlogic import JsonLogicError, apply
from app.logic.lint import LintIssue, lint
from app.logic.visibility import (
    UnknownStep,
    is_step_visible,
    prune_answers,
    visible_fields,
    visible_steps,
)

__all__ = [
    "BranchLoop",
    "JsonLogicError",
    "LintIssue",
    "Next",
    "Path",
    "UnknownStep",
    "apply",
    "facts",
    "first_step",
    "holds",
    "is_step_visible",
    "lint",
    "next_step",
    "prune_answers",
    "visible_fields",
    "visible_steps",
    "walk",
]
