"""The rule builder's model: rows and groups stand for plain JsonLogic, and back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.builder.rules import (
    OPERATORS,
    Condition,
    Group,
    condition_rule,
    from_jsonlogic,
    operators_for,
    to_jsonlogic,
)
from app.builder.variables import (
    SIGNALS,
    Variable,
    field_kind,
    variables_for_form,
    variables_for_workspace,
)
from app.logic import facts, holds

SIZE = Condition("answers.size", "eq", "11-200")


@pytest.mark.parametrize(("condition", "rule"), [
    (SIZE, {"==": [{"var": "answers.size"}, "11-200"]}),
    (Condition("answers.size", "ne", "1-10"), {"!=": [{"var": "answers.size"}, "1-10"]}),
    (Condition("answers.size", "in", ["a", "b"]),
     {"in": [{"var": "answers.size"}, ["a", "b"]]}),
    (Condition("answers.size", "not_in", ["a"]),
     {"!": {"in": [{"var": "answers.size"}, ["a"]]}}),
    (Condition("answers.goals", "contains", "demo"), {"in": ["demo", {"var": "answers.goals"}]}),
    (Condition("answers.goals", "not_contains", "demo"),
     {"!": {"in": ["demo", {"var": "answers.goals"}]}}),
    (Condition("lead.total", "gt", 40), {">": [{"var": "lead.total"}, 40]}),
    (Condition("lead.total", "ge", 40), {">=": [{"var": "lead.total"}, 40]}),
    (Condition("lead.total", "lt", 2.5), {"<": [{"var": "lead.total"}, 2.5]}),
    (Condition("lead.total", "le", 40), {"<=": [{"var": "lead.total"}, 40]}),
    (Condition("answers.ok", "is_true"), {"===": [{"var": "answers.ok"}, True]}),
    (Condition("answers.ok", "is_false"), {"===": [{"var": "answers.ok"}, False]}),
    (Condition("answers.size", "answered"), {"!=": [{"var": "answers.size"}, None]}),
    (Condition("answers.size", "empty"), {"==": [{"var": "answers.size"}, None]}),
])
def test_each_operator_writes_plain_jsonlogic_and_reads_back(condition, rule):
    assert to_jsonlogic(Group("all", [condition])) == rule
    assert from_jsonlogic(rule) == Group("all", [condition])


def test_a_single_condition_is_not_wrapped_but_several_are_joined():
    other = Condition("answers.ok", "is_true")
    assert to_jsonlogic(Group("any", [SIZE])) == condition_rule(SIZE)
    assert to_jsonlogic(Group("all", [SIZE, other])) == {
        "and": [condition_rule(SIZE), condition_rule(other)]}
    assert to_jsonlogic(Group("any", [SIZE, Group("all", [other])])) == {
        "or": [condition_rule(SIZE), {"and": [condition_rule(other)]}]}


def test_empty_groups_are_the_literals_true_and_false():
    assert to_jsonlogic(Group("all", [])) is True
    assert to_jsonlogic(Group("any", [])) is False
    assert from_jsonlogic(True) == Group("all", [])
    assert from_jsonlogic(False) == Group("any", [])


@pytest.mark.parametrize("rule", [
    {"==": [{"var": "answers.size"}, True]},  # booleans are is_true / is_false
    {"==": [{"var": ["answers.size", "x"]}, "a"]},  # a default value
    {"==": ["a", {"var": "answers.size"}]},  # literal first
    {"==": [{"var": "answers.size"}, {"var": "answers.other"}]},
    {"==": [{"var": "nowhere.size"}, "a"]},  # not a namespace of the facts
    {"==": [{"var": "answers"}, "a"]},
    {"in": [{"var": "answers.size"}, []]},
    {"in": [{"var": "answers.size"}, [True]]},
    {"!": {"==": [{"var": "answers.size"}, "a"]}},
    {"and": []},  # null in JsonLogic, not true
    {"and": [{"or": [{"and": [{"==": [{"var": "answers.size"}, "a"]}]}]}]},  # too deep
    {"if": [True, True, False]},
    {"==": [{"var": "answers.size"}, float("inf")]},
    "text",
    None,
])
def test_rules_the_rows_cannot_show_exactly_are_left_to_the_json_editor(rule: Any):
    assert from_jsonlogic(rule) is None


def test_the_demo_forms_conditions_all_show_as_rows(demo_definition):
    rules = [step.get("visible_if") for step in demo_definition["steps"]]
    rules += [branch["if"] for step in demo_definition["steps"] for branch in step.get("next", [])]
    rules += [rule["if"] for rule in demo_definition["route"]]
    for rule in filter(lambda r: r is not None, rules):
        group = from_jsonlogic(rule)
        assert group is not None, rule
        assert to_jsonlogic(group) == rule


def test_every_kind_has_operators_and_every_operator_a_kind():
    for kind in ("text", "number", "date", "choice", "multi", "boolean"):
        keys = [operator.key for operator in operators_for(kind)]
        assert "answered" in keys and "empty" in keys
    assert all(operator.kinds for operator in OPERATORS)
    assert [o.key for o in operators_for("boolean")] == ["is_true", "is_false", "answered",
                                                           "empty"]


# --- variables ------------------------------------------------------------------------------

FORM: dict[str, Any] = {
    "schema": 1, "title": "T", "hidden": ["utm_source"],
    "steps": [{"id": "one", "fields": [
        {"id": "size", "type": "choice", "label": "Team size", "property": "company_size",
         "options": [{"value": "small", "label": "Small"}, {"value": "big"}]},
        {"id": "goals", "type": "multi_choice", "label": "Goals",
         "options": [{"value": "demo"}, {"value": "trial"}]},
        {"id": "seats", "type": "number", "label": "Seats"},
        {"id": "ok", "type": "yes_no", "label": "OK?"},
        {"id": "start", "type": "date", "label": "Start"},
        {"id": "name", "type": "short_text", "label": "Name"},
        {"id": "note", "type": "statement", "label": "Read this"},
    ]}],
    "endings": [{"id": "end", "type": "message"}],
}


def test_a_forms_variables_come_with_labels_kinds_and_options():
    found = {variable.name: variable for variable in variables_for_form(FORM)}
    assert found["answers.size"] == Variable("answers.size", "Team size", "choice",
                                             (("small", "Small"), ("big", "big")))
    assert [found[f"answers.{name}"].kind for name in ("goals", "seats", "ok", "start", "name")
            ] == ["multi", "number", "boolean", "date", "text"]
    assert "answers.note" not in found  # a statement has no answer
    assert found["hidden.utm_source"].kind == "text"
    assert found["contact.company_size"].option_values() == ["small", "big"]
    assert not any(name.startswith(("lead.", "signals.")) for name in found)


def test_routing_also_offers_the_lead_and_signals():
    names = [v.name for v in variables_for_workspace([FORM, FORM])]
    assert len(names) == len(set(names))
    assert {"lead.stage", "lead.total", "lead.fit", "lead.intent"} <= set(names)
    assert {f"signals.{name}" for name in SIGNALS} <= set(names)


def test_the_signals_offered_are_the_ones_computed():
    from datetime import UTC, datetime

    from app.leads.signals import signal_facts

    computed = signal_facts(None, 1, datetime.now(UTC))  # type: ignore[arg-type]
    assert set(SIGNALS) == set(computed) - {"last_at"}


def test_field_kinds_follow_the_field_type_registry():
    assert field_kind({"type": "dropdown"}) == "choice"
    assert field_kind({"type": "consent"}) == "boolean"
    assert field_kind({"type": "scale"}) == "number"
    assert field_kind({"type": "hidden"}) == "text"
    assert field_kind({"type": "statement"}) is None
    assert field_kind({"type": "nonsense"}) is None


# --- properties -----------------------------------------------------------------------------

CATALOGUE = variables_for_form(FORM)
TEXTS = ("a", "hello", "x y")
DATES = ("2024-01-01", "2024-06-30", "2025-12-31")


def _value(variable: Variable, shape: str) -> st.SearchStrategy[Any]:
    if shape == "none":
        return st.none()
    if shape == "many":
        return st.lists(st.sampled_from(variable.option_values()), min_size=1, unique=True)
    if variable.kind == "number":
        return st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False))
    if variable.kind == "date":
        return st.sampled_from(DATES)
    if variable.options:
        return st.sampled_from(variable.option_values())
    return st.sampled_from(TEXTS)


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    variable = draw(st.sampled_from(CATALOGUE))
    operator = draw(st.sampled_from(operators_for(variable.kind)))
    return Condition(variable.name, operator.key, draw(_value(variable, operator.value)))


def groups(nested: bool = True) -> st.SearchStrategy[Group]:
    inner = conditions() | groups(nested=False) if nested else conditions()
    return st.builds(Group, st.sampled_from(["all", "any"]), st.lists(inner, max_size=4))


def normal(group: Group) -> Group:
    """A lone condition is written unwrapped, so its group's mode does not survive."""
    if len(group.items) == 1 and isinstance(group.items[0], Condition):
        return Group("all", group.items)
    return group


def _answer(variable: Variable) -> st.SearchStrategy[Any]:
    kind = variable.kind
    if kind == "multi":
        value = st.lists(st.sampled_from(variable.option_values()), unique=True)
    elif kind == "boolean":
        value = st.booleans()
    elif kind == "number":
        value = st.integers(-6, 6)
    elif kind == "date":
        value = st.sampled_from(DATES)
    elif variable.options:
        value = st.sampled_from(variable.option_values())
    else:
        value = st.sampled_from(("", *TEXTS, "hello world"))
    return st.none() | value


def facts_strategy() -> st.SearchStrategy[dict[str, Any]]:
    optional = {variable.name: _answer(variable) for variable in CATALOGUE}
    return st.fixed_dictionaries({}, optional=optional).map(_as_facts)


def _as_facts(flat: dict[str, Any]) -> dict[str, Any]:
    parts: dict[str, dict[str, Any]] = {"answers": {}, "hidden": {}, "contact": {}}
    for name, value in flat.items():
        section, _, key = name.partition(".")
        parts[section][key] = value
    return facts(**parts)


def direct(item: Condition | Group, data: dict[str, Any]) -> bool:
    """What a row means, in Python, with JsonLogic's reading of a missing number (0)."""
    if isinstance(item, Group):
        results = [direct(sub, data) for sub in item.items]
        return all(results) if item.mode == "all" else any(results)
    section, _, key = item.variable.partition(".")
    value, wanted = data[section].get(key), item.value
    number = 0 if value is None else value
    checks = {
        "eq": lambda: value == wanted, "ne": lambda: value != wanted,
        "in": lambda: value in wanted, "not_in": lambda: value not in wanted,
        "contains": lambda: isinstance(value, list | str) and value != "" and wanted in value,
        "gt": lambda: number > wanted, "ge": lambda: number >= wanted,
        "lt": lambda: number < wanted, "le": lambda: number <= wanted,
        "is_true": lambda: value is True, "is_false": lambda: value is False,
        "answered": lambda: value is not None, "empty": lambda: value is None,
    }
    if item.operator == "not_contains":
        return not direct(Condition(item.variable, "contains", wanted), data)
    if item.operator in ("gt", "ge", "lt", "le") and isinstance(wanted, str):
        if not isinstance(value, str):
            return False  # a date compared with nothing: NaN in JavaScript
        number = value
    return bool(checks[item.operator]())


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(groups())
def test_a_group_survives_the_trip_through_jsonlogic(group: Group):
    assert from_jsonlogic(to_jsonlogic(group)) == normal(group)


@PROPERTY
@given(groups(), facts_strategy())
def test_the_jsonlogic_means_what_the_rows_say(group: Group, data: dict[str, Any]):
    assert holds(to_jsonlogic(group), data) == direct(group, data)


def test_every_operator_is_documented_with_its_jsonlogic():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "rule-builder.md").read_text("utf-8")
    for operator in OPERATORS:
        assert f"| {operator.label} " in text, operator.key
    for name in SIGNALS:
        assert name in text
