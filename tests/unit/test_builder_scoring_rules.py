"""Parsing a scoring rule and thresholds as typed, and placing the model's issues by row."""

from __future__ import annotations

import pytest

from app.builder.scoring_rules import (
    EditRefused,
    RuleInput,
    ThresholdInput,
    moved,
    parse_rule,
    place_issues,
    unique_id,
    with_thresholds,
)
from app.forms.types import Issue
from app.qualify import validate_model

MODEL = {"schema": 1, "rules": [
    {"id": "a", "if": True, "points": 1, "dimension": "fit", "reason": "A"},
    {"id": "b", "if": True, "points": 2, "dimension": "intent", "reason": "B"},
], "thresholds": {"mql": 40, "sql": 70}, "caps": {"fit": 60}}


def raw(**fields: str) -> RuleInput:
    return RuleInput(**{"condition": "true", "points": "10", "dimension": "fit",
                        "reason": "Big budget", **fields})


def test_a_rule_is_parsed_with_a_name_made_from_its_reason():
    parsed = parse_rule(raw(points="−5", half_life="7"), taken_ids=["big-budget"])

    assert parsed.errors == {}
    assert parsed.rule == {"id": "big-budget-2", "if": True, "points": -5, "dimension": "fit",
                           "reason": "Big budget", "half_life_days": 7}
    assert validate_model({**MODEL, "rules": [parsed.rule]}) == []


@pytest.mark.parametrize(("fields", "name"), [
    ({"points": "1e3"}, "points"), ({"points": ""}, "points"), ({"points": "1001"}, "points"),
    ({"dimension": "money"}, "dimension"), ({"reason": ""}, "reason"),
    ({"reason": "x" * 201}, "reason"), ({"condition": "{"}, "condition"),
    ({"condition": " "}, "condition"), ({"half_life": "0"}, "half_life"),
    ({"half_life": "nan"}, "half_life"), ({"id": "x" * 61}, "id"),
])
def test_each_bad_input_is_named(fields, name):
    parsed = parse_rule(raw(**fields))

    assert parsed.rule is None and list(parsed.errors) == [name]


def test_a_rule_round_trips_through_its_inputs():
    rule = {"id": "p", "if": {">=": [{"var": "signals.pricing_views_7d"}, 2]}, "points": 15,
            "dimension": "intent", "reason": "Pricing", "half_life_days": 3.5}

    assert parse_rule(RuleInput.of(rule)).rule == rule


def test_unique_ids_avoid_taken_and_reserved_names():
    assert unique_id("Budget over $50k!", []) == "budget-over-50k"
    assert unique_id("?!", ["rule"]) == "rule-2"


def test_moving_past_either_end_is_refused():
    assert [r["id"] for r in moved(MODEL, 1, -1)["rules"]] == ["b", "a"]
    with pytest.raises(EditRefused):
        moved(MODEL, 1, 1)
    with pytest.raises(EditRefused):
        moved(MODEL, 5, -1)


def test_thresholds_and_caps():
    changed, errors = with_thresholds(MODEL, ThresholdInput("30", "65.5", "", "20"))

    assert errors == {}
    assert changed["thresholds"] == {"mql": 30, "sql": 65.5} and changed["caps"] == {"intent": 20}
    assert MODEL["caps"] == {"fit": 60}  # the input model is left alone
    _, errors = with_thresholds(MODEL, ThresholdInput("70", "70", "-1", "x"))
    assert set(errors) == {"mql", "fit_cap", "intent_cap"}
    assert ThresholdInput.of(MODEL) == ThresholdInput("40", "70", "60", "")


def test_issues_are_placed_by_row_and_input():
    placed = place_issues([Issue("/rules/1/points", "Too many."), Issue("/rules/1/if", "Bad."),
                           Issue("/thresholds/mql", "High.")])

    assert placed.rows == {1: {"points": "Too many.", "condition": "Bad."}}
    assert [issue.path for issue in placed.other] == ["/thresholds/mql"]
