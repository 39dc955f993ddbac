"""Conditions and visibility: what a response sees, decided on the server."""

from __future__ import annotations

from typing import Any

import pytest

from app.logic import facts, holds, is_step_visible, prune_answers, visible_fields, visible_steps
from app.logic.visibility import UnknownStep


def ask(field_id: str, kind: str = "short_text", **extra: Any) -> dict[str, Any]:
    field = {"id": field_id, "type": kind, "label": field_id.title(), **extra}
    if kind in ("choice", "dropdown", "multi_choice") and "options" not in extra:
        field["options"] = [{"value": "a"}, {"value": "b"}]
    return field


def is_(field_id: str, value: Any) -> dict[str, Any]:
    return {"==": [{"var": f"answers.{field_id}"}, value]}


def form(*steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": 1,
        "title": "Test",
        "steps": list(steps),
        "endings": [{"id": "done", "type": "message", "title": "Thanks"}],
    }


CHAIN = form(
    {"id": "one", "fields": [ask("role", "choice"), ask("team", visible_if=is_("role", "a"))]},
    {
        "id": "two",
        "visible_if": {"!=": [{"var": "answers.team"}, None]},
        "fields": [ask("budget", "number"), ask("notes", visible_if={"var": "hidden.src"})],
    },
    {"id": "three", "fields": [ask("size", visible_if={">": [{"var": "answers.budget"}, 10]})]},
)


def test_facts_has_every_namespace_even_when_empty() -> None:
    assert facts() == {
        "answers": {},
        "hidden": {},
        "contact": {},
        "signals": {},
        "lead": {},
        "submission": {},
    }


def test_facts_copies_its_parts() -> None:
    answers = {"role": "a"}
    data = facts(answers=answers, lead={"stage": "mql"})
    answers["role"] = "b"
    assert data["answers"] == {"role": "a"}
    assert data["lead"] == {"stage": "mql"}


def test_no_condition_holds() -> None:
    assert holds(None, facts())


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (True, True),
        (False, False),
        (is_("role", "a"), True),
        (is_("role", "b"), False),
        ({"var": "contact.email"}, False),
        ({"in": ["x", {"var": "answers.tags"}]}, True),
    ],
)
def test_holds_evaluates_jsonlogic_truthiness(condition: Any, expected: bool) -> None:
    data = facts(answers={"role": "a", "tags": ["x"]})
    assert holds(condition, data) is expected


def test_a_broken_condition_counts_as_false_instead_of_crashing() -> None:
    assert holds({"no_such_operator": [1, 2]}, facts()) is False


def test_holds_without_data_uses_an_empty_document() -> None:
    assert holds({"!": [{"var": "answers.role"}]}, None) is True


def test_visible_steps_skips_steps_whose_condition_fails() -> None:
    assert visible_steps(CHAIN, facts()) == ["one", "three"]
    assert visible_steps(CHAIN, facts(answers={"team": "x"})) == ["one", "two", "three"]


def test_is_step_visible_follows_visible_if() -> None:
    assert not is_step_visible(CHAIN, "two", facts())
    assert is_step_visible(CHAIN, "two", facts(answers={"team": "x"}))


def test_visible_fields_returns_the_field_dicts_whose_condition_holds() -> None:
    shown = visible_fields(CHAIN, "one", facts(answers={"role": "b"}))
    assert shown == [CHAIN["steps"][0]["fields"][0]]
    assert [f["id"] for f in visible_fields(CHAIN, "one", facts(answers={"role": "a"}))] == [
        "role",
        "team",
    ]


def test_visible_fields_can_read_hidden_values() -> None:
    data = facts(answers={"team": "x"}, hidden={"src": "ad"})
    assert [f["id"] for f in visible_fields(CHAIN, "two", data)] == ["budget", "notes"]


@pytest.mark.parametrize("call", [visible_fields, is_step_visible])
def test_an_unknown_step_is_a_key_error(call: Any) -> None:
    with pytest.raises(UnknownStep) as caught:
        call(CHAIN, "nope", facts())
    assert isinstance(caught.value, KeyError)


def test_prune_keeps_answers_to_visible_fields() -> None:
    answers = {"role": "a", "team": "x", "budget": 20, "size": "big"}
    assert prune_answers(CHAIN, answers) == answers


def test_prune_drops_an_answer_to_a_hidden_field() -> None:
    assert prune_answers(CHAIN, {"role": "b", "team": "x"}) == {"role": "b"}


def test_prune_follows_a_chain_of_hidden_fields_to_a_fixed_point() -> None:
    # role=b hides team; without team step two hides, so budget goes; without
    # budget, size on step three hides too.
    answers = {"role": "b", "team": "x", "budget": 20, "size": "big"}
    assert prune_answers(CHAIN, answers) == {"role": "b"}


def test_prune_uses_the_rest_of_the_facts_document() -> None:
    answers = {"role": "a", "team": "x", "notes": "hi"}
    assert prune_answers(CHAIN, answers) == {"role": "a", "team": "x"}
    kept = prune_answers(CHAIN, answers, facts(hidden={"src": "ad"}))
    assert kept == answers


def test_prune_leaves_keys_that_are_not_fields_to_validation() -> None:
    assert prune_answers(CHAIN, {"role": "b", "extra": 1}) == {"role": "b", "extra": 1}


def test_prune_does_not_change_its_input() -> None:
    answers = {"role": "b", "team": "x"}
    prune_answers(CHAIN, answers)
    assert answers == {"role": "b", "team": "x"}


def test_prune_terminates_on_a_condition_that_flips_when_pruned() -> None:
    # "flip" shows only while "flop" is unanswered and vice versa.
    flip = form(
        {
            "id": "only",
            "fields": [
                ask("flip", visible_if={"!": [{"var": "answers.flop"}]}),
                ask("flop", visible_if={"!": [{"var": "answers.flip"}]}),
            ],
        }
    )
    pruned = prune_answers(flip, {"flip": "x", "flop": "y"})
    assert pruned == {}
    assert prune_answers(flip, pruned) == pruned
