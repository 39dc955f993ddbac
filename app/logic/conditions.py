"""Evaluate form conditions against the one data document they all share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.logic.jsonlogic import JsonLogicError, apply, truthy

#: The top-level names a condition may read; everything else is a lint error.
NAMESPACES: tuple[str, ...] = ("answers", "hidden", "contact", "signals", "lead", "submission")


def facts(
    answers: Mapping[str, Any] | None = None,
    hidden: Mapping[str, Any] | None = None,
    contact: Mapping[str, Any] | None = None,
    signals: Mapping[str, Any] | None = None,
    lead: Mapping[str, Any] | None = None,
    submission: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Build the data document of docs/definition.md, so every caller shapes it alike.

    Each part is copied (shallowly), so later changes to the caller's dicts do not
    leak into a decision already taken. Absent parts are empty, never missing, so
    `{"var": "contact.email"}` reads null rather than failing.
    """
    parts = (answers, hidden, contact, signals, lead, submission)
    return {name: dict(part or {}) for name, part in zip(NAMESPACES, parts, strict=True)}


def holds(condition: Any, data: Mapping[str, Any] | None) -> bool:
    """Whether an optional condition holds; no condition (None) always holds.

    A condition that fails at run time (JsonLogicError, e.g. a hostile or broken
    rule that slipped past lint) counts as False: a marketer's mistake must never
    crash a prospect's submit. It hides what it guards and no branch fires on it.
    """
    if condition is None:
        return True
    try:
        return truthy(apply(condition, facts() if data is None else data))
    except JsonLogicError:
        return False


#: Operators whose second argument runs once per element, with the element as data.
ITERATORS = frozenset({"map", "filter", "reduce", "all", "none", "some"})
MAX_RULE_DEPTH = 100


@dataclass(frozen=True)
class Operation:
    """One operation inside a rule, with where it sits, for checks that point at it."""

    op: str
    args: list[Any]
    path: tuple[str | int, ...]  # to the operator key, relative to the rule
    arg_paths: list[tuple[str | int, ...]]
    per_element: bool  # inside a map/filter/... sub-rule, where vars name the element


def operations(
    rule: Any, path: tuple[str | int, ...] = (), per_element: bool = False, depth: int = 0
) -> Iterator[Operation]:
    """Every operation in a rule, outermost first; deeper than MAX_RULE_DEPTH is not walked."""
    if depth > MAX_RULE_DEPTH:
        return
    if isinstance(rule, list):
        for index, item in enumerate(rule):
            yield from operations(item, (*path, index), per_element, depth + 1)
        return
    if not (isinstance(rule, Mapping) and len(rule) == 1):
        return  # a literal; JsonLogic reads objects with several keys as data too
    ((op, raw),) = rule.items()
    op_path = (*path, str(op))
    args = raw if isinstance(raw, list) else [raw]
    arg_paths = [(*op_path, i) for i in range(len(args))] if isinstance(raw, list) else [op_path]
    yield Operation(str(op), args, op_path, arg_paths, per_element)
    for index, (arg, arg_path) in enumerate(zip(args, arg_paths, strict=True)):
        inner = per_element or (op in ITERATORS and index == 1)
        yield from operations(arg, arg_path, inner, depth + 1)


def is_literal(value: Any) -> bool:
    """Plain data with no operation inside, e.g. `"a"` or `["a", "b"]`."""
    if isinstance(value, list):
        return all(is_literal(item) for item in value)
    return not isinstance(value, dict)


def answer_field(arg: Any) -> str | None:
    """The field id X of `{"var": "answers.X"}` (or `["answers.X", default]`), else None."""
    if not (isinstance(arg, dict) and len(arg) == 1 and "var" in arg):
        return None
    name = arg["var"]
    if isinstance(name, list) and name:
        name = name[0]
    if isinstance(name, str) and name.startswith("answers.") and name.count(".") == 1:
        return name.removeprefix("answers.")
    return None
