"""Conditions as a marketer builds them: rows (variable, operator, value) in all/any groups.

The stored form is always plain JsonLogic; a `Group` is only a view of it. So
`from_jsonlogic` answers None for any rule the rows cannot show exactly, and the
editor falls back to the raw JSON. Every shape `to_jsonlogic` writes, it reads back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias

from app.forms.types import JSON

Mode: TypeAlias = Literal["all", "any"]
Kind: TypeAlias = Literal["text", "number", "date", "choice", "multi", "boolean"]
ValueShape: TypeAlias = Literal["none", "one", "many"]

KINDS: Final[tuple[Kind, ...]] = ("text", "number", "date", "choice", "multi", "boolean")
NAMESPACES: Final = ("answers", "hidden", "contact", "signals", "lead", "submission")
MAX_NESTING: Final = 1  # groups inside the top group; deeper rules are edited as JSON
MAX_VARIABLE = 200


@dataclass(frozen=True)
class Condition:
    """One row: `answers.size` `eq` `"11-200"`. `value` is None for operators without one."""

    variable: str
    operator: str
    value: JSON = None


@dataclass(frozen=True)
class Group:
    """Rows joined by `all` (and) or `any` (or); items may be groups one level down."""

    mode: Mode = "all"
    items: list[Condition | Group] = field(default_factory=list)


@dataclass(frozen=True)
class Operator:
    """One choice in the operator menu, the kinds of variable it applies to, its value."""

    key: str
    label: str
    kinds: frozenset[Kind]
    value: ValueShape
    date_label: str = ""  # ordering reads as before/after for dates

    def label_for(self, kind: Kind) -> str:
        return self.date_label if kind == "date" and self.date_label else self.label


_ALL_KINDS = frozenset(KINDS)
OPERATORS: Final[tuple[Operator, ...]] = (
    Operator("eq", "equals", frozenset({"text", "number", "date", "choice"}), "one", "is on"),
    Operator("ne", "does not equal", frozenset({"text", "number", "date", "choice"}), "one",
             "is not on"),
    Operator("in", "is one of", frozenset({"choice"}), "many"),
    Operator("not_in", "is not one of", frozenset({"choice"}), "many"),
    Operator("contains", "contains", frozenset({"text", "multi"}), "one"),
    Operator("not_contains", "does not contain", frozenset({"text", "multi"}), "one"),
    Operator("gt", "is greater than", frozenset({"number", "date"}), "one", "is after"),
    Operator("ge", "is at least", frozenset({"number", "date"}), "one", "is on or after"),
    Operator("lt", "is less than", frozenset({"number", "date"}), "one", "is before"),
    Operator("le", "is at most", frozenset({"number", "date"}), "one", "is on or before"),
    Operator("is_true", "is true", frozenset({"boolean"}), "none"),
    Operator("is_false", "is false", frozenset({"boolean"}), "none"),
    Operator("answered", "is answered", _ALL_KINDS, "none"),
    Operator("empty", "is empty", _ALL_KINDS, "none"),
)
OPERATOR_BY_KEY: Final = {operator.key: operator for operator in OPERATORS}

# Operators written as {op: [var, literal]}, and the builder key each stands for.
_COMPARE: Final = {"==": "eq", "!=": "ne", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}
_COMPARE_OP: Final = {key: op for op, key in _COMPARE.items()}
_NEGATED: Final = {"in": "not_in", "contains": "not_contains"}


def operators_for(kind: Kind) -> list[Operator]:
    """The operators that make sense for a kind of variable, in menu order."""
    return [operator for operator in OPERATORS if kind in operator.kinds]


# --- to JsonLogic ---------------------------------------------------------------------------


def condition_rule(condition: Condition) -> JSON:
    """The JsonLogic of one row; raises ValueError for an unknown operator."""
    var: JSON = {"var": condition.variable}
    key, value = condition.operator, condition.value
    if key in _COMPARE_OP:
        return {_COMPARE_OP[key]: [var, value]}
    if key == "in":
        return {"in": [var, list(value) if isinstance(value, list) else [value]]}
    if key == "contains":
        return {"in": [value, var]}
    if key in ("not_in", "not_contains"):
        positive = "in" if key == "not_in" else "contains"
        return {"!": condition_rule(Condition(condition.variable, positive, value))}
    if key in ("is_true", "is_false"):
        return {"===": [var, key == "is_true"]}
    if key in ("answered", "empty"):
        return {"!=" if key == "answered" else "==": [var, None]}
    raise ValueError(f"Unknown operator {key!r}")


def to_jsonlogic(group: Group, *, top: bool = True) -> JSON:
    """Plain JsonLogic for a group: a lone condition unwrapped, an empty group a literal.

    An empty `all` group always holds (true) and an empty `any` group never does
    (false), as in logic; callers that mean "no condition" check for emptiness first.
    """
    if not group.items:
        return group.mode == "all"
    if top and len(group.items) == 1 and isinstance(group.items[0], Condition):
        return condition_rule(group.items[0])
    parts = [condition_rule(item) if isinstance(item, Condition) else to_jsonlogic(item, top=False)
             for item in group.items]
    return {"and" if group.mode == "all" else "or": parts}


# --- from JsonLogic -------------------------------------------------------------------------


def _operation(rule: Any) -> tuple[str, list[Any]] | None:
    if not (isinstance(rule, dict) and len(rule) == 1):
        return None
    ((op, raw),) = rule.items()
    return (op, raw if isinstance(raw, list) else [raw]) if isinstance(op, str) else None


def _variable(arg: Any) -> str | None:
    """The name of `{"var": "answers.x"}`; a default value or odd name is not the builder's."""
    if not (isinstance(arg, dict) and len(arg) == 1 and isinstance(arg.get("var"), str)):
        return None
    name = arg["var"]
    top, dot, rest = name.partition(".")
    ok = top in NAMESPACES and dot and rest and len(name) <= MAX_VARIABLE
    return name if ok else None


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int) and not isinstance(value, bool)


def _condition(rule: Any) -> Condition | None:
    operation = _operation(rule)
    if operation is None:
        return None
    op, args = operation
    if op == "!" and len(args) == 1:
        inner = _condition(args[0])
        if inner is not None and inner.operator in _NEGATED:
            return Condition(inner.variable, _NEGATED[inner.operator], inner.value)
        return None
    if len(args) != 2:
        return None
    first, second = args
    if op == "in":
        if (name := _variable(first)) and isinstance(second, list) and second \
                and all(_is_scalar(item) for item in second):
            return Condition(name, "in", list(second))
        if isinstance(first, str) and (name := _variable(second)):
            return Condition(name, "contains", first)
        return None
    name = _variable(first)
    if name is None:
        return None
    if op == "===" and isinstance(second, bool):
        return Condition(name, "is_true" if second else "is_false")
    if op in ("==", "!=") and second is None:
        return Condition(name, "empty" if op == "==" else "answered")
    if op in _COMPARE and _is_scalar(second):
        return Condition(name, _COMPARE[op], second)
    return None


def _item(rule: Any, depth: int) -> Condition | Group | None:
    if isinstance(rule, bool) or (operation := _operation(rule)) is None:
        return _group(rule, depth)
    op, _ = operation
    return _group(rule, depth) if op in ("and", "or") else _condition(rule)


def _group(rule: Any, depth: int) -> Group | None:
    if depth > MAX_NESTING:
        return None
    if isinstance(rule, bool):
        return Group("all" if rule else "any", [])
    operation = _operation(rule)
    if operation is None or operation[0] not in ("and", "or") or not operation[1]:
        return None  # {"and": []} is null in JsonLogic, not true: not a builder shape
    items = [_item(arg, depth + 1) for arg in operation[1]]
    if any(item is None for item in items):
        return None
    return Group("all" if operation[0] == "and" else "any",
                 [item for item in items if item is not None])


def from_jsonlogic(rule: Any) -> Group | None:
    """The group a rule shows as in the builder, or None when only JSON can say it."""
    if isinstance(rule, bool) or (operation := _operation(rule)) is None \
            or operation[0] in ("and", "or"):
        return _group(rule, 0)
    condition = _condition(rule)
    return Group("all", [condition]) if condition is not None else None


__all__ = ["KINDS", "OPERATORS", "OPERATOR_BY_KEY", "Condition", "Group", "Kind", "Mode",
           "Operator", "condition_rule", "from_jsonlogic", "operators_for", "to_jsonlogic"]
