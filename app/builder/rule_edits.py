"""Edits to a rule builder's rows, one per htmx request: add a row or a group, remove
one, switch between the rows and the JSON. Pure: a state in, a state out."""

from __future__ import annotations

import re
from dataclasses import replace

from app.builder.rule_form import MAX_ROWS, RuleInput
from app.builder.rules import Condition, Group, operators_for
from app.builder.variables import Variable
from app.forms.types import JSON


def new_condition(variables: list[Variable]) -> Condition:
    """A fresh row: the first variable and its first operator, no value yet."""
    if not variables:
        return Condition("", "eq", "")
    first = variables[0]
    operator = operators_for(first.kind)[0]
    value: JSON = None if operator.value == "none" else [] if operator.value == "many" else ""
    return Condition(first.name, operator.key, value)


def _without(items: list[Condition | Group], path: list[int]) -> list[Condition | Group]:
    index, rest = path[0], path[1:]
    if not 0 <= index < len(items):
        return items
    item = items[index]
    if rest and isinstance(item, Group):
        inner = _without(item.items, rest)
        return items[:index] + ([Group(item.mode, inner)] if inner else []) + items[index + 1:]
    return items[:index] + items[index + 1:]


def apply_action(state: RuleInput, action: str, variables: list[Variable]) -> RuleInput:
    """One edit: add, add:<group>, group, remove:<path>, json, rows; anything else: none."""
    verb, _, where = action.partition(":")
    if verb == "json":  # rows that cannot be read yet stay, with their messages
        return state if state.errors else replace(state, editor="json")
    if verb == "rows":
        if state.errors.get("json"):
            return state
        if state.group is None:
            return replace(state, editor="json", errors={
                "json": "The builder cannot show this condition; edit it here as JSON."})
        return replace(state, editor="rows")
    group = state.group
    if group is None or state.editor != "rows":
        return state
    items = list(group.items)
    if verb == "add" and not where:
        items.append(new_condition(variables))
    elif verb == "add" and where.isdigit() and int(where) < len(items) \
            and isinstance(target := items[int(where)], Group):
        items[int(where)] = Group(target.mode, [*target.items, new_condition(variables)])
    elif verb == "group":
        items.append(Group("any" if group.mode == "all" else "all", [new_condition(variables)]))
    elif verb == "remove" and re.fullmatch(r"\d{1,3}(\.\d{1,3})?", where):
        items = _without(items, [int(part) for part in where.split(".")])
    else:
        return state
    return replace(state, group=Group(group.mode, items[:MAX_ROWS]))


__all__ = ["apply_action", "new_condition"]
