"""Reading a posted rule builder: typed values, a message per bad row, JSON when edited."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from test_builder_rules import CATALOGUE, FORM, PROPERTY, groups
from werkzeug.datastructures import MultiDict

from app.builder.rule_edits import apply_action, new_condition
from app.builder.rule_form import (
    RuleInput,
    check_group,
    form_pairs,
    group_from_form,
    parse_json_rule,
    read_rule,
    rule_input,
    settle,
)
from app.builder.rules import Condition, Group
from app.builder.variables import variables_for_form

VARIABLES = variables_for_form(FORM)


def posted(*pairs: tuple[str, str], **extra: str) -> MultiDict[str, str]:
    return MultiDict([*pairs, *extra.items()])


def rows(*pairs: tuple[str, str]) -> MultiDict[str, str]:
    return posted(("r.editor", "rows"), ("r.json", ""), ("r.json_before", ""), *pairs)


def test_rows_become_a_group_with_typed_values():
    data = rows(("r.mode", "any"), ("r.0.var", "answers.seats"), ("r.0.op", "ge"),
                ("r.0.value", " 12 "),
                ("r.1.mode", "all"), ("r.1.0.var", "answers.size"), ("r.1.0.op", "in"),
                ("r.1.0.value", "big"), ("r.1.0.value", "small"),
                ("r.1.1.var", "answers.ok"), ("r.1.1.op", "is_true"), ("r.1.1.value", "junk"))

    parsed = group_from_form(data, "r", VARIABLES)

    assert parsed.errors == {}
    assert parsed.group == Group("any", [
        Condition("answers.seats", "ge", 12),
        Group("all", [Condition("answers.size", "in", ["small", "big"]),
                      Condition("answers.ok", "is_true")]),
    ])


def test_rows_are_read_in_index_order_not_post_order():
    data = rows(("r.10.var", "answers.ok"), ("r.10.op", "is_true"),
                ("r.2.var", "answers.ok"), ("r.2.op", "is_false"))
    group = group_from_form(data, "r", VARIABLES).group
    assert [item.operator for item in group.items] == ["is_false", "is_true"]


@pytest.mark.parametrize(("row", "message"), [
    ({"var": "answers.gone", "op": "eq", "value": "x"}, "‘answers.gone’ is not available here"),
    ({"var": "", "op": "eq", "value": "x"}, "Choose what to test."),
    ({"var": "answers.seats", "op": "eq", "value": "twelve"}, "‘twelve’ is not a number."),
    ({"var": "answers.seats", "op": "gt", "value": ""}, "Enter a number."),
    ({"var": "answers.seats", "op": "gt", "value": "nan"}, "‘nan’ is not a number."),
    ({"var": "answers.size", "op": "eq", "value": "huge"},
     "‘huge’ is not one of the options of ‘Team size’."),
    ({"var": "answers.size", "op": "in"}, "Choose at least one option."),
    ({"var": "answers.goals", "op": "contains", "value": "nap"}, "not one of the options"),
    ({"var": "answers.start", "op": "lt", "value": "2024-02-30"}, "Enter a date as YYYY-MM-DD."),
    ({"var": "answers.name", "op": "eq", "value": "  "}, "Enter a value."),
    ({"var": "answers.name", "op": "eq", "value": "x" * 501}, "under 500 characters"),
    ({"var": "answers.seats", "op": "contains", "value": "1"},
     "‘contains’ does not apply to ‘Seats’."),
    ({"var": "answers.seats", "op": "bogus", "value": "1"}, "Choose an operator."),
])
def test_a_bad_row_gets_its_own_message_and_keeps_what_was_typed(row: dict[str, str], message):
    pairs = [("r.0.var", "answers.ok"), ("r.0.op", "is_true")]
    pairs += [(f"r.1.{key}", value) for key, value in row.items()]

    state = read_rule(rows(*pairs), "r", VARIABLES)

    assert not state.ok and state.rule is None
    assert list(state.errors) == ["1"] and message in state.errors["1"]
    assert state.group is not None
    assert state.group.items[1].variable == row["var"]
    if "value" in row and row["op"] != "in":
        assert state.group.items[1].value == row["value"].strip()


def test_adjusting_swaps_an_operator_that_does_not_fit_a_new_variable():
    data = rows(("r.0.var", "answers.ok"), ("r.0.op", "gt"), ("r.0.value", "3"))
    state = read_rule(data, "r", VARIABLES, adjust=True)
    assert state.group == Group("all", [Condition("answers.ok", "is_true")])
    assert state.ok and state.rule == {"===": [{"var": "answers.ok"}, True]}


def test_no_rows_means_no_condition():
    state = read_rule(rows(("r.mode", "any")), "r", VARIABLES)
    assert state.ok and state.rule is None and state.json_text == ""


def test_an_edited_json_wins_over_the_rows():
    data = posted(("r.editor", "rows"), ("r.0.var", "answers.ok"), ("r.0.op", "is_true"),
                  ("r.json_before", '{"===": [{"var": "answers.ok"}, true]}'),
                  ("r.json", '{"===": [{"var": "answers.ok"}, false]}'))
    state = read_rule(data, "r", VARIABLES)
    assert state.ok and state.rule == {"===": [{"var": "answers.ok"}, False]}
    assert state.editor == "rows" and state.group == Group("all", [
        Condition("answers.ok", "is_false")])


def test_json_reformatted_by_the_browser_is_not_an_edit():
    data = posted(("r.0.var", "answers.ok"), ("r.0.op", "is_false"),
                  ("r.json_before", '{"===": [{"var": "answers.ok"}, true]}'),
                  ("r.json", '{"===":\r\n [{"var": "answers.ok"}, true]}'))
    assert read_rule(data, "r", VARIABLES).rule == {"===": [{"var": "answers.ok"}, False]}


def test_json_the_rows_cannot_show_switches_to_the_json_editor():
    rule = {"if": [{"var": "answers.ok"}, True, False]}
    data = posted(("r.json", '{"if": [{"var": "answers.ok"}, true, false]}'))
    state = read_rule(data, "r", VARIABLES)
    assert state.ok and state.rule == rule and state.editor == "json" and state.group is None


@pytest.mark.parametrize(("text", "message"), [
    ('{"==": [1, ', "This is not valid JSON: "),
    ('{"==": [1, NaN]}', "This is not valid JSON: NaN is not allowed"),
    ('{"frobnicate": [1]}', "Unknown operator 'frobnicate'."),
    ("[" * 11000 + "]" * 11000, "too long"),
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ("[" * 100 + "]" * 100, "nested deeper than 64 levels"),
])
def test_bad_json_is_refused_with_a_message_and_kept(text: str, message: str):
    state = read_rule(posted(("r.editor", "json"), ("r.json", text)), "r", VARIABLES)
    assert not state.ok and message in state.errors["json"]
    assert state.json_text == text


def test_parse_json_rule_reads_an_empty_box_as_no_condition():
    assert parse_json_rule("  \n") == (None, None)
    assert parse_json_rule("true") == (True, None)


@pytest.mark.parametrize("prefix", ["", "R", "a.b", "x" * 41, "a b", "1a"])
def test_a_prefix_must_be_a_plain_name(prefix: str):
    with pytest.raises(ValueError):
        group_from_form(posted(), prefix, VARIABLES)


# --- editing actions ------------------------------------------------------------------------


def state_of(group: Group) -> RuleInput:
    return settle(RuleInput("rows", group, ""), VARIABLES)


OK = Condition("answers.ok", "is_true")


def test_adding_a_row_uses_the_first_variable_and_its_first_operator():
    assert new_condition(VARIABLES) == Condition("answers.size", "eq", "")
    state = apply_action(state_of(Group("all", [OK])), "add", VARIABLES)
    assert state.group == Group("all", [OK, Condition("answers.size", "eq", "")])


def test_adding_a_group_and_a_row_to_it_then_removing_rows():
    state = apply_action(state_of(Group("all", [OK])), "group", VARIABLES)
    state = apply_action(state, "add:1", VARIABLES)
    assert state.group == Group("all", [OK, Group("any", [new_condition(VARIABLES)] * 2)])
    state = apply_action(state, "remove:1.0", VARIABLES)
    assert state.group == Group("all", [OK, Group("any", [new_condition(VARIABLES)])])
    state = apply_action(state, "remove:1.0", VARIABLES)  # an emptied group goes
    assert state.group == Group("all", [OK])
    state = apply_action(state, "remove:0", VARIABLES)
    assert state.group == Group("all", [])


@pytest.mark.parametrize("action", ["remove:7", "add:0", "remove:x", "explode", "add:99"])
def test_actions_that_do_not_fit_change_nothing(action: str):
    state = state_of(Group("all", [OK]))
    assert apply_action(state, action, VARIABLES) == state


def test_switching_to_rows_is_refused_for_json_the_rows_cannot_show():
    state = rule_input({"if": [True, True, False]})
    assert state.editor == "json"
    switched = apply_action(state, "rows", VARIABLES)
    assert switched.editor == "json" and "cannot show" in switched.errors["json"]
    assert apply_action(rule_input(True), "json", VARIABLES).editor == "json"


def test_switching_to_json_waits_for_rows_that_cannot_be_read_yet():
    half_done = state_of(Group("all", [Condition("answers.seats", "gt", "")]))
    assert apply_action(half_done, "json", VARIABLES) == half_done


def test_switching_to_rows_keeps_the_message_about_broken_json():
    broken = RuleInput("json", None, "{", None, {"json": "This is not valid JSON: x."})
    assert apply_action(broken, "rows", VARIABLES) == broken


def test_settle_writes_the_json_of_valid_rows_and_keeps_the_old_json_otherwise():
    good = settle(RuleInput("rows", Group("all", [OK]), "old"), VARIABLES)
    assert good.json_text == '{"===": [{"var": "answers.ok"}, true]}'
    bad = settle(RuleInput("rows", Group("all", [Condition("answers.seats", "gt", "")]), "old"),
                 VARIABLES)
    assert bad.json_text == "old" and bad.errors == {"0": "Enter a number."}


# --- properties -----------------------------------------------------------------------------


def _valid(group: Group) -> bool:
    return not check_group(group, CATALOGUE).errors


def _canonical(group: Group) -> Group:
    """Picks in option order, emptied groups gone: how the builder reads rows back."""
    options = {variable.name: variable.option_values() for variable in CATALOGUE}
    items: list[Condition | Group] = []
    for item in group.items:
        if isinstance(item, Group):
            if item.items:
                items.append(_canonical(item))
        elif isinstance(item.value, list):
            picks = [value for value in options[item.variable] if value in item.value]
            items.append(Condition(item.variable, item.operator, picks))
        else:
            items.append(item)
    return Group(group.mode, items)


@PROPERTY
@given(groups())
def test_what_the_builder_posts_reads_back_as_the_same_rows(group: Any):
    parsed = group_from_form(MultiDict(form_pairs(group, "rule")), "rule", CATALOGUE)
    expected = check_group(group, CATALOGUE)
    assert parsed == expected
    if _valid(group):
        assert parsed.group == _canonical(group)
