"""Conditions in words, for summaries and the change log: "Team size is one of ‘a’, ‘b’"."""

from __future__ import annotations

from collections.abc import Iterable

from app.builder.rules import OPERATOR_BY_KEY, Condition, Group, from_jsonlogic
from app.builder.variables import Variable
from app.forms.types import JSON

MAX_SUMMARY = 160


def _quoted(text: str) -> str:
    return f"‘{text}’"


def _value(condition: Condition, variable: Variable | None) -> str:
    labels = dict(variable.options) if variable else {}
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    shown = [_quoted(labels.get(str(v), str(v))) if isinstance(v, str) else str(v)
             for v in values]
    return ", ".join(shown)


def describe_condition(condition: Condition, variables: dict[str, Variable]) -> str:
    variable = variables.get(condition.variable)
    subject = f"“{variable.label if variable else condition.variable}”"
    operator = OPERATOR_BY_KEY.get(condition.operator)
    if operator is None:
        return f"{subject} {condition.operator}"
    verb = operator.label_for(variable.kind if variable else "text")
    if operator.value == "none":
        return f"{subject} {verb}"
    return f"{subject} {verb} {_value(condition, variable)}"


def describe_group(group: Group, variables: dict[str, Variable], nested: bool = False) -> str:
    if not group.items:
        return "always" if group.mode == "all" else "never"
    parts = [describe_group(item, variables, True) if isinstance(item, Group)
             else describe_condition(item, variables) for item in group.items]
    text = (" and " if group.mode == "all" else " or ").join(parts)
    return f"({text})" if nested and len(parts) > 1 else text


def describe_rule(rule: JSON | None, variables: Iterable[Variable],
                  limit: int = MAX_SUMMARY) -> str:
    """A condition in words; "always" for none; JSON the rows cannot show says so."""
    if rule is None:
        return "always"
    group = from_jsonlogic(rule)
    if group is None:
        return "a custom JSON condition"
    text = describe_group(group, {variable.name: variable for variable in variables})
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = ["describe_condition", "describe_group", "describe_rule"]
