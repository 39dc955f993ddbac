"""An index of a definition for the linter: steps, fields, endings and every
condition with its JSON pointer, built once and tolerant of odd shapes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ConditionKind = Literal["step", "field", "branch", "route"]


def pointer(*parts: object) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass(frozen=True)
class Step:
    index: int  # position in the raw "steps" list, for pointers
    id: str | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class Field:
    step: int  # position of its step among `Form.steps`
    index: int  # position in its step's raw "fields" list
    raw: dict[str, Any]


@dataclass(frozen=True)
class Condition:
    path: str
    rule: Any
    kind: ConditionKind
    step: int = -1  # position among `Form.steps`; -1 for route rules
    field_index: int = -1


@dataclass
class Form:
    steps: list[Step] = field(default_factory=list)
    fields: dict[str, Field] = field(default_factory=dict)
    endings: list[tuple[int, str | None]] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)
    route: list[Any] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)

    def raw_steps(self) -> list[dict[str, Any]]:
        return [step.raw for step in self.steps]


def dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    items = value if isinstance(value, list) else []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def id_of(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _index_step(form: Form, index: int, raw: dict[str, Any]) -> None:
    pos = len(form.steps)
    form.steps.append(Step(index, id_of(raw.get("id")), raw))
    if raw.get("visible_if") is not None:
        path = pointer("steps", index, "visible_if")
        form.conditions.append(Condition(path, raw["visible_if"], "step", pos))
    for field_index, raw_field in dicts(raw.get("fields")):
        field_id = id_of(raw_field.get("id"))
        if field_id is not None:
            form.fields.setdefault(field_id, Field(pos, field_index, raw_field))
        if raw_field.get("visible_if") is not None:
            path = pointer("steps", index, "fields", field_index, "visible_if")
            rule = raw_field["visible_if"]
            form.conditions.append(Condition(path, rule, "field", pos, field_index))
    for branch_index, branch in dicts(raw.get("next")):
        if branch.get("if") is not None:
            path = pointer("steps", index, "next", branch_index, "if")
            form.conditions.append(Condition(path, branch["if"], "branch", pos))


def build_form(definition: Mapping[str, Any]) -> Form:
    """Index steps, fields, endings and every condition with its JSON pointer."""
    route, hidden = definition.get("route"), definition.get("hidden")
    form = Form(route=route if isinstance(route, list) else [])
    names = hidden if isinstance(hidden, list) else []
    form.hidden = {name for name in names if isinstance(name, str)}
    endings = dicts(definition.get("endings"))
    form.endings = [(index, id_of(end.get("id"))) for index, end in endings]
    for index, raw in dicts(definition.get("steps")):
        _index_step(form, index, raw)
    for index, rule in dicts(form.route):
        if rule.get("if") is not None:
            form.conditions.append(Condition(pointer("route", index, "if"), rule["if"], "route"))
    return form


