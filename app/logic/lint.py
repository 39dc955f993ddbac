"""Publish-time checks for logic mistakes a schema cannot see.

Each check is a small generator of issues over an index of the definition; `lint`
runs them all behind a guard, so a strange definition yields an issue, not a crash.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.logic.branching import live_branches, moves, reachable, shortest_route
from app.logic.conditions import (
    NAMESPACES,
    Operation,
    answer_field,
    facts,
    is_literal,
    operations,
)
from app.logic.jsonlogic import JsonLogicError, apply, operators, referenced_vars
from app.logic.lint_index import Condition, Field, Form, build_form, dicts, id_of, pointer

Severity = Literal["error", "warning"]

OPTION_TYPES = frozenset({"choice", "dropdown", "multi_choice"})
EQUALITY = frozenset({"==", "===", "!=", "!=="})


@dataclass(frozen=True)
class LintIssue:
    """One finding: where (a JSON pointer), what (plain English), how bad."""

    path: str
    message: str
    severity: Severity

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "severity": self.severity}


def _error(path: str, message: str) -> LintIssue:
    return LintIssue(path, message, "error")


def _warning(path: str, message: str) -> LintIssue:
    return LintIssue(path, message, "warning")


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else json.dumps(value)


# --- checks -------------------------------------------------------------------------------


def check_duplicate_ids(form: Form) -> Iterator[LintIssue]:
    """Steps and endings share one namespace (a goto names either); fields are form-wide."""
    seen: set[str] = set()
    places = [("steps", step.index, step.id) for step in form.steps]
    places += [("endings", index, ending_id) for index, ending_id in form.endings]
    for kind, index, item_id in places:
        if item_id is None:
            continue
        if item_id in seen:
            yield _error(
                pointer(kind, index, "id"),
                f"Id {_show(item_id)} is used more than once (steps and endings share ids).",
            )
        seen.add(item_id)
    seen_fields: set[str] = set()
    for step in form.steps:
        for index, raw_field in dicts(step.raw.get("fields")):
            field_id = id_of(raw_field.get("id"))
            if field_id is None:
                continue
            if field_id in seen_fields:
                yield _error(
                    pointer("steps", step.index, "fields", index, "id"),
                    f"Field id {_show(field_id)} is used more than once.",
                )
            seen_fields.add(field_id)


def check_rules(form: Form) -> Iterator[LintIssue]:
    """Every condition must be a rule the evaluator knows, even where it is not reached."""
    known = operators()
    for condition in form.conditions:
        unknown = [op for op in operations(condition.rule) if op.op not in known]
        for operation in unknown:
            path = condition.path + pointer(*operation.path)
            yield _error(path, f"Unknown operator {_show(operation.op)}.")
        if unknown:
            continue
        try:
            apply(condition.rule, facts())
        except JsonLogicError as exc:
            if "operator" in str(exc).lower():
                yield _error(condition.path, str(exc))
            else:
                yield _warning(
                    condition.path,
                    f"This condition fails on an empty response ({exc}); "
                    "a condition that fails counts as false.",
                )


def _asked_later(condition: Condition, asked: Field) -> bool:
    if condition.kind == "step":
        return asked.step >= condition.step
    if condition.kind == "field":
        return (asked.step, asked.index) >= (condition.step, condition.field_index)
    if condition.kind == "branch":
        return asked.step > condition.step
    return False


def _check_variable(form: Form, condition: Condition, name: str) -> Iterator[LintIssue]:
    top, _, rest = name.partition(".")
    key = rest.partition(".")[0]
    if top not in NAMESPACES:
        yield _error(
            condition.path,
            f"Unknown variable {_show(name)}. Conditions can use "
            + ", ".join(f"{namespace}." for namespace in NAMESPACES)
            + ".",
        )
    elif top == "hidden" and key and key not in form.hidden:
        asked = form.fields.get(key)
        if asked is None or asked.raw.get("type") != "hidden":
            yield _error(condition.path, f"Condition refers to unknown hidden field {_show(key)}.")
    elif top == "answers" and key:
        asked = form.fields.get(key)
        if asked is None:
            yield _error(condition.path, f"Condition refers to unknown field {_show(key)}.")
        elif asked.raw.get("type") == "statement":
            yield _warning(condition.path, f"Field {_show(key)} is a statement and has no answer.")
        elif asked.raw.get("type") != "hidden" and _asked_later(condition, asked):
            yield _warning(
                condition.path,
                f"Field {_show(key)} is asked after this condition is evaluated, "
                "so it is always empty here.",
            )


def check_references(form: Form) -> Iterator[LintIssue]:
    """Conditions may only read fields and hidden names the form defines, when known."""
    for condition in form.conditions:
        for name in sorted(referenced_vars(condition.rule)):
            if name:
                yield from _check_variable(form, condition, name)


def _same(literal: Any, value: Any, loose: bool) -> bool:
    if isinstance(literal, bool) or isinstance(value, bool):
        return literal is value
    if literal == value:
        return True
    if loose and isinstance(literal, int | float) and isinstance(value, str):
        try:
            return float(value) == literal
        except ValueError:
            return False
    return False


def _option_issue(
    form: Form, field_id: str, literal: Any, path: str, loose: bool
) -> Iterator[LintIssue]:
    """A literal compared with a yes/no or option field must be a value it can take."""
    asked = form.fields.get(field_id)
    kind = _type_of(form, field_id)
    if literal is None or kind is None:
        return
    if kind == "yes_no" and not isinstance(literal, bool):
        yield _error(
            path,
            f"Field {_show(field_id)} is yes/no, so compare it with true or false, "
            f"not {_show(literal)}.",
        )
    elif kind in OPTION_TYPES and asked is not None:
        values = [option.get("value") for _, option in dicts(asked.raw.get("options"))]
        items = enumerate(literal) if isinstance(literal, list) else [(None, literal)]
        for index, item in items:
            if item is not None and not any(_same(item, value, loose) for value in values):
                yield _error(
                    path if index is None else path + pointer(index),
                    f"{_show(item)} is not an option of field {_show(field_id)} "
                    f"(options: {', '.join(str(value) for value in values)}).",
                )


def _type_of(form: Form, field_id: str | None) -> str | None:
    """The field's type name; None for an unknown field or a type that is not a string."""
    asked = form.fields.get(field_id) if field_id is not None else None
    kind = asked.raw.get("type") if asked else None
    return kind if isinstance(kind, str) else None


def _comparison_issues(form: Form, operation: Operation, base: str) -> Iterator[LintIssue]:
    args, paths = operation.args, [base + pointer(*path) for path in operation.arg_paths]
    if len(args) < 2:
        return
    if operation.op in EQUALITY:
        loose = operation.op in ("==", "!=")
        for var_side, literal_side in ((0, 1), (1, 0)):
            field_id, literal = answer_field(args[var_side]), args[literal_side]
            if field_id is not None and is_literal(literal):
                yield from _option_issue(form, field_id, literal, paths[literal_side], loose)
    elif operation.op == "in":
        needle_field, haystack_field = answer_field(args[0]), answer_field(args[1])
        haystack, needles = args[1], args[0]
        if haystack_field and _type_of(form, haystack_field) == "multi_choice":
            if is_literal(needles) and not isinstance(needles, list):
                yield from _option_issue(form, haystack_field, needles, paths[0], loose=False)
        if needle_field and _type_of(form, needle_field) in ("choice", "dropdown"):
            if isinstance(haystack, list) and is_literal(haystack):
                yield from _option_issue(form, needle_field, haystack, paths[1], loose=False)


def check_comparisons(form: Form) -> Iterator[LintIssue]:
    """Comparing a choice with a value it cannot take is a typo that never matches."""
    for condition in form.conditions:
        for operation in operations(condition.rule):
            if not operation.per_element:
                yield from _comparison_issues(form, operation, condition.path)


def check_gotos(form: Form) -> Iterator[LintIssue]:
    """Every goto names a step or an ending, and not its own step."""
    targets = {step.id for step in form.steps} | {ending_id for _, ending_id in form.endings}
    for step in form.steps:
        for index, branch in dicts(step.raw.get("next")):
            goto, path = branch.get("goto"), pointer("steps", step.index, "next", index, "goto")
            if not isinstance(goto, str) or goto not in targets:
                yield _error(path, f"Goto target {_show(goto)} is not a step or an ending.")
            elif goto == step.id:
                yield _error(path, f"Step {_show(goto)} goes to itself, so it would loop forever.")


def check_dead_branches(form: Form) -> Iterator[LintIssue]:
    """Branches after one that always applies are never tried."""
    for step in form.steps:
        live = {index for index, _ in live_branches(step.raw)}
        for index, _ in dicts(step.raw.get("next")):
            if index not in live:
                yield _warning(
                    pointer("steps", step.index, "next", index),
                    "This branch is never tried: an earlier branch of this step always applies.",
                )


def check_cycles(form: Form) -> Iterator[LintIssue]:
    """A branch back to a step that can lead here again loops forever; say so on that branch."""
    steps = form.raw_steps()
    for pos, step in enumerate(form.steps):
        closing: dict[int, list[int]] = {}
        for landed, index in moves(steps, pos):
            if index is None or index in closing or landed > pos:
                continue  # fall-through and forward moves only go on; a loop needs a way back
            if steps[pos]["next"][index].get("goto") == step.id:
                continue  # a goto to itself is check_gotos' finding
            cycle = [pos] if landed == pos else shortest_route(steps, landed, pos)
            if cycle:
                closing[index] = cycle
        for index, cycle in closing.items():
            names = " → ".join(_show(form.steps[p].id) for p in [*cycle, cycle[0]])
            yield _error(
                pointer("steps", step.index, "next", index, "goto"),
                f"This branch makes a loop: {names}.",
            )


def _route_strings(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _route_strings(item)
    elif isinstance(value, str):
        yield value


def check_unreachable(form: Form) -> Iterator[LintIssue]:
    """Steps no response can reach, and endings nothing leads to."""
    reached = reachable(form.raw_steps())
    for pos, step in enumerate(form.steps):
        if pos not in reached:
            message = f"Step {_show(step.id)} can never be reached."
            yield _error(pointer("steps", step.index), message)
    used = {goto for step in form.steps for _, branch in dicts(step.raw.get("next"))
            if isinstance(goto := branch.get("goto"), str)}
    used |= set(_route_strings(form.route))
    for order, (index, ending_id) in enumerate(form.endings):
        if order > 0 and ending_id not in used:
            yield _warning(
                pointer("endings", index),
                f"Ending {_show(ending_id)} is never used: no branch goes to it "
                "and it is not the first (default) ending.",
            )


Check = Callable[[Form], Iterator[LintIssue]]
CHECKS: tuple[Check, ...] = (
    check_duplicate_ids,
    check_rules,
    check_references,
    check_comparisons,
    check_gotos,
    check_dead_branches,
    check_cycles,
    check_unreachable,
)


def _run(check: Check, form: Form) -> list[LintIssue]:
    try:
        return list(check(form))
    except Exception as exc:  # a guard: lint reports, it never takes the caller down
        name = check.__name__.removeprefix("check_").replace("_", " ")
        return [_error("", f"Could not check {name}: {type(exc).__name__}: {exc}")]


def lint(definition: Any) -> list[LintIssue]:
    """All logic issues of a definition, errors and warnings, in a stable order."""
    if not isinstance(definition, Mapping):
        return [_error("", "The definition is not a JSON object.")]
    try:
        form = build_form(definition)
    except Exception as exc:  # same guard as _run
        return [_error("", f"Could not read the definition: {type(exc).__name__}: {exc}")]
    issues = [issue for check in CHECKS for issue in _run(check, form)]
    return list(dict.fromkeys(issues))
