"""Reading a rule builder back from posted form data, with a message per bad row.

The builder posts, under a name prefix `p` (so several fit in one <form>):

    p.editor        "rows" or "json" (which one the marketer is using)
    p.mode          "all" or "any" for the top group
    p.<i>.var       a row's variable, p.<i>.op its operator, p.<i>.value its value(s)
    p.<i>.mode      instead of .var: item i is a group; its rows are p.<i>.<j>.var ...
    p.json          the JsonLogic textarea, p.json_before what it said when rendered

The JSON wins when the marketer edited it (or works in JSON); otherwise the rows do.
Rows that cannot be read keep what was typed, so re-rendering loses nothing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final, Literal, Protocol

from app.builder.rules import (
    OPERATOR_BY_KEY,
    Condition,
    Group,
    Mode,
    from_jsonlogic,
    operators_for,
    to_jsonlogic,
)
from app.builder.variables import Variable
from app.forms.types import JSON
from app.qualify.conditions import structural_problem

MAX_ROWS: Final = 50  # per group
MAX_JSON: Final = 20_000
MAX_TEXT: Final = 500
PREFIX: Final = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_INDEX = re.compile(r"(\d{1,3})\.(var|mode)")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
Editor = Literal["rows", "json"]


class FormData(Protocol):
    """What the builder reads: werkzeug's MultiDict (request.form) fits."""

    def __iter__(self) -> Iterator[str]: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...


@dataclass(frozen=True)
class ParsedGroup:
    group: Group
    errors: dict[str, str] = field(default_factory=dict)  # row path ("0", "1.2") → message


@dataclass(frozen=True)
class RuleInput:
    """One builder's state: what it shows, the condition it stands for, what is wrong."""

    editor: Editor
    group: Group | None  # what the rows show; None when only JSON can say the rule
    json_text: str
    rule: JSON | None = None  # the condition to store; None: no condition (always)
    errors: dict[str, str] = field(default_factory=dict)  # row path or "json" → message

    @property
    def ok(self) -> bool:
        return not self.errors


def check_prefix(prefix: str) -> str:
    if not PREFIX.fullmatch(prefix):
        raise ValueError(f"A rule builder prefix is lowercase letters, digits, - or _: {prefix!r}")
    return prefix


def field_name(prefix: str, path: tuple[int, ...], part: str) -> str:
    """The posted name of one input: field_name("r", (1, 0), "var") is "r.1.0.var"."""
    return ".".join([prefix, *(str(index) for index in path), part])


def form_pairs(group: Group, prefix: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser posts for these rows (values as typed)."""
    pairs = [(field_name(prefix, (), "editor"), "rows"), (field_name(prefix, (), "mode"),
                                                          group.mode)]
    for index, item in enumerate(group.items):
        if isinstance(item, Group):
            pairs.append((field_name(prefix, (index,), "mode"), item.mode))
            pairs += [pair for sub, row in enumerate(item.items) if isinstance(row, Condition)
                      for pair in _row_pairs(prefix, (index, sub), row)]
        else:
            pairs += _row_pairs(prefix, (index,), item)
    return pairs


def _row_pairs(prefix: str, path: tuple[int, ...], row: Condition) -> list[tuple[str, str]]:
    values = row.value if isinstance(row.value, list) else [] if row.value is None else [row.value]
    return [(field_name(prefix, path, "var"), row.variable),
            (field_name(prefix, path, "op"), row.operator)] + [
        (field_name(prefix, path, "value"), as_text(value)) for value in values]


# --- rows -----------------------------------------------------------------------------------


def _indices(data: FormData, base: str) -> list[tuple[int, str]]:
    """(index, "var" or "mode") of the items directly under `base`, in order."""
    found: dict[int, str] = {}
    start = base + "."
    for key in data:
        if isinstance(key, str) and key.startswith(start):
            match = _INDEX.fullmatch(key[len(start):])
            if match:
                found.setdefault(int(match.group(1)), match.group(2))
    return sorted(found.items())[:MAX_ROWS]


def _number(text: str) -> int | float | None:
    if len(text) > 50 or not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    if not math.isfinite(value):
        return None
    return int(value) if re.fullmatch(r"[+-]?\d+", text) else value


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def as_text(value: JSON) -> str:
    """A value as an input shows it: 11, 2.5, "a"; a list shows its first item."""
    if isinstance(value, list):
        return as_text(value[0]) if value else ""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _one_value(variable: Variable, value: JSON) -> tuple[JSON, str | None]:
    """The typed value of a one-value row, or the text as typed and why it is refused."""
    text = as_text(value).strip()
    if variable.kind == "number":
        number = _number(text)
        if number is None:
            return text, "Enter a number." if not text else f"‘{text}’ is not a number."
        return number, None
    if variable.kind == "date":
        return text, None if _is_date(text) else "Enter a date as YYYY-MM-DD."
    if variable.options:
        if not text:
            return text, "Choose an option."
        if text not in variable.option_values():
            return text, f"‘{text}’ is not one of the options of ‘{variable.label}’."
        return text, None
    if not text:
        return text, "Enter a value."
    if len(text) > MAX_TEXT:
        return text, f"Keep the value under {MAX_TEXT} characters."
    return text, None


def _many_values(variable: Variable, value: JSON) -> tuple[JSON, str | None]:
    picked = [as_text(item).strip() for item in (value if isinstance(value, list) else [value])]
    picked = [item for item in picked if item]
    if not picked:
        return [], "Choose at least one option."
    unknown = [item for item in picked if item not in variable.option_values()]
    if unknown:
        return picked, f"‘{unknown[0]}’ is not one of the options of ‘{variable.label}’."
    return [item for item in variable.option_values() if item in picked], None


def check_condition(condition: Condition, variables: Mapping[str, Variable], *,
                    adjust: bool = False) -> tuple[Condition, str | None]:
    """The row with its value typed (a number, a date, options), or why it is refused.

    With `adjust`, an operator that does not fit the variable becomes its first one.
    A refused row keeps what was typed.
    """
    variable = variables.get(condition.variable)
    operator = OPERATOR_BY_KEY.get(condition.operator)
    if variable is not None and adjust and (operator is None
                                            or variable.kind not in operator.kinds):
        operator = operators_for(variable.kind)[0]
        condition = replace(condition, operator=operator.key)
    shape = operator.value if operator is not None else "one"
    if shape == "none":
        condition = replace(condition, value=None)
    elif shape == "one" and isinstance(condition.value, list):
        condition = replace(condition, value=as_text(condition.value))
    if not condition.variable:
        return condition, "Choose what to test."
    if variable is None:
        return condition, f"‘{condition.variable}’ is not available here; choose another."
    if operator is None:
        return condition, "Choose an operator."
    if variable.kind not in operator.kinds:
        return condition, f"‘{operator.label}’ does not apply to ‘{variable.label}’."
    if shape == "none":
        return condition, None
    check = _many_values if shape == "many" else _one_value
    value, error = check(variable, condition.value)
    return replace(condition, value=value), error


def check_group(group: Group, variables: list[Variable], *, adjust: bool = False
                ) -> ParsedGroup:
    """Every row checked (see check_condition); emptied nested groups dropped."""
    by_name = {variable.name: variable for variable in variables}
    errors: dict[str, str] = {}

    def walk(current: Group, path: str) -> Group:
        items: list[Condition | Group] = []
        for item in current.items[:MAX_ROWS]:
            item_path = f"{path}{len(items)}"
            if isinstance(item, Group):
                if path == "" and (sub := walk(item, item_path + ".")).items:
                    items.append(sub)
                continue
            checked, error = check_condition(item, by_name, adjust=adjust)
            items.append(checked)
            if error:
                errors[item_path] = error
        return Group(current.mode, items)

    return ParsedGroup(walk(group, ""), errors)


def _mode(data: FormData, key: str) -> Mode:
    return "any" if data.get(key) == "any" else "all"


def _posted_group(data: FormData, base: str, depth: int) -> Group:
    items: list[Condition | Group] = []
    for index, kind in _indices(data, base):
        item_base = f"{base}.{index}"
        if kind == "mode" and depth == 0:
            items.append(_posted_group(data, item_base, 1))
        elif kind == "var":
            values: list[JSON] = [str(value) for value in data.getlist(f"{item_base}.value")]
            items.append(Condition(str(data.get(f"{item_base}.var") or "").strip(),
                                   str(data.get(f"{item_base}.op") or ""), values))
    return Group(_mode(data, f"{base}.mode"), items)


def group_from_form(data: FormData, prefix: str, variables: list[Variable], *,
                    adjust: bool = False) -> ParsedGroup:
    """The rows posted under `prefix` as a group, and a message for each bad row.

    With `adjust` (a re-render while editing), an operator that does not fit the
    row's variable is replaced by the variable's first one instead of refused.
    """
    return check_group(_posted_group(data, check_prefix(prefix), 0), variables, adjust=adjust)


# --- JSON -----------------------------------------------------------------------------------


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def parse_json_rule(text: str) -> tuple[JSON | None, str | None]:
    """The condition in a JSON textarea (None when empty), or why it cannot be used."""
    stripped = text.strip()
    if not stripped:
        return None, None
    if len(stripped) > MAX_JSON:
        return None, f"The condition is too long (over {MAX_JSON} characters)."
    try:
        rule = json.loads(stripped, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        return None, (f"This is not valid JSON: {error.msg} "
                      f"(line {error.lineno}, column {error.colno}).")
    except RecursionError:
        return None, "The condition is nested too deeply."
    except ValueError as error:
        return None, f"This is not valid JSON: {error}."
    problem = structural_problem(rule)
    return (None, problem) if problem else (rule, None)


def show_json(rule: JSON | None) -> str:
    return "" if rule is None else json.dumps(rule, ensure_ascii=False)


def _same_json(text: str, before: str) -> bool:
    try:
        return bool(json.loads(text) == json.loads(before))
    except (ValueError, RecursionError):
        return text.replace("\r\n", "\n").strip() == before.replace("\r\n", "\n").strip()


def rule_input(rule: JSON | None, editor: Editor = "rows") -> RuleInput:
    """The builder for a stored condition (None: no condition): rows if they can say it."""
    group = Group() if rule is None else from_jsonlogic(rule)
    return RuleInput("json" if group is None else editor, group, show_json(rule), rule)


def settle(state: RuleInput, variables: list[Variable], *, adjust: bool = False
           ) -> RuleInput:
    """Check the rows of a builder in row mode and work out the condition they make.

    While rows have errors the JSON keeps its last good text.
    """
    if state.editor != "rows" or state.group is None:
        return state
    parsed = check_group(state.group, variables, adjust=adjust)
    if parsed.errors:
        return replace(state, group=parsed.group, rule=None, errors=parsed.errors)
    rule = to_jsonlogic(parsed.group) if parsed.group.items else None
    return replace(state, group=parsed.group, rule=rule, json_text=show_json(rule), errors={})


def read_rule(data: FormData, prefix: str, variables: list[Variable], *,
              adjust: bool = False) -> RuleInput:
    """What a posted builder stands for; `rule` is only meaningful when `ok`."""
    check_prefix(prefix)
    editor: Editor = "json" if data.get(f"{prefix}.editor") == "json" else "rows"
    text = str(data.get(f"{prefix}.json") or "")
    before = str(data.get(f"{prefix}.json_before") or "")
    if editor == "json" or not _same_json(text, before):
        rule, error = parse_json_rule(text)
        if error:
            return RuleInput("json", None, text, None, {"json": error})
        return replace(rule_input(rule, editor), json_text=text)
    posted = RuleInput("rows", _posted_group(data, prefix, 0), text)
    return settle(posted, variables, adjust=adjust)


__all__ = ["MAX_ROWS", "FormData", "ParsedGroup", "RuleInput", "as_text", "check_condition",
           "check_group", "check_prefix", "field_name", "form_pairs", "group_from_form",
           "parse_json_rule", "read_rule", "rule_input", "settle", "show_json"]
