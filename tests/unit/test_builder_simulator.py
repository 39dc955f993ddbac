"""The test panel's inputs, and a sample run through a small form with routing."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from app.builder.simulator import (
    Sample,
    hidden_names,
    parse_known,
    read_sample,
    run_sample,
    sample_fields,
)
from app.qualify import RepState, TeamState

DEFINITION = {
    "schema": 1, "title": "T",
    "steps": [
        {"id": "one", "fields": [
            {"id": "size", "type": "choice", "label": "Size",
             "options": [{"value": "small"}, {"value": "big", "label": "Big"}]},
            {"id": "tools", "type": "multi_choice", "label": "Tools",
             "options": [{"value": "a"}, {"value": "b"}]},
            {"id": "intro", "type": "statement", "label": "Hello"}],
         "next": [{"if": {"==": [{"var": "answers.size"}, "big"]}, "goto": "three"}]},
        {"id": "two", "fields": [{"id": "name", "type": "short_text", "label": "Name"}]},
        {"id": "three", "fields": [{"id": "ok", "type": "yes_no", "label": "OK?"}]},
    ],
    "endings": [{"id": "end", "type": "route"}],
    "route": [{"if": {"==": [{"var": "lead.stage"}, "sql"]}, "to": {"book": "ae/intro"}},
              {"if": True, "to": {"nurture": "general"}}],
}
MODEL = {"schema": 1, "thresholds": {"mql": 5, "sql": 10}, "rules": [
    {"id": "big", "if": {"==": [{"var": "answers.size"}, "big"]}, "points": 8,
     "dimension": "fit", "reason": "Big company"},
    {"id": "pricing", "if": {">=": [{"var": "signals.pricing_views_7d"}, 1]}, "points": 4,
     "dimension": "intent", "reason": "Saw pricing"}]}
TEAMS = {"ae": TeamState("ae", (RepState(7, "Ann"),))}
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_every_answerable_field_gets_an_input():
    fields = {spec.id: spec for spec in sample_fields(DEFINITION)}

    assert list(fields) == ["size", "tools", "name", "ok"]
    assert fields["size"].widget == "select" and fields["size"].options[1] == ("big", "Big")
    assert fields["tools"].widget == "multi" and fields["name"].widget == "text"
    assert fields["ok"].options == (("yes", "Yes"), ("no", "No"))


def test_known_lines_read_numbers_and_booleans():
    assert parse_known("employees=120\nvip = true\n\nrole=vp=cto") == (
        {"employees": 120, "vip": True, "role": "vp=cto"}, None)
    assert parse_known("Role: vp")[1].startswith("Line 1:")


def test_a_sample_is_walked_scored_routed_and_assigned():
    sample = read_sample(Sample({"size": "big", "tools": [], "other": "x"}, "",
                                {"pricing_views_7d": "2"}), sample_fields(DEFINITION))
    result = run_sample(DEFINITION, sample, MODEL, TEAMS, {}, NOW)

    assert sample.answers == {"size": "big"} and sample.errors == {}
    assert [(turn.step, turn.then, turn.branch) for turn in result.turns] == [
        ("one", "three", 0), ("three", "end", None)]
    assert [reason.rule for reason in result.outcome.score.reasons] == ["big", "pricing"]
    assert result.outcome.stage.stage == "sql"
    assert result.outcome.destination.target == "ae/intro" and result.routed
    assert result.outcome.rep_name == "Ann"


def test_hidden_values_reach_the_conditions():
    definition = {**DEFINITION, "hidden": ["utm_source"], "route": [
        {"if": {"==": [{"var": "hidden.utm_source"}, "ads"]}, "to": {"nurture": "ads"}},
        {"if": True, "to": {"nurture": "general"}}]}
    sample = read_sample(Sample(hidden={"utm_source": " ads ", "other": "x"}), [],
                         hidden_names(definition))
    result = run_sample(definition, sample, MODEL, TEAMS, {}, NOW)

    assert sample.hidden == {"utm_source": "ads"}
    assert result.outcome.destination.target == "ads"


def test_bad_signal_counts_are_named():
    sample = read_sample(Sample({}, "", {"visit_days_30d": "-1", "page_views_30d": "1.5"}), [])

    assert set(sample.errors) == {"signal-visit_days_30d", "signal-page_views_30d"}


def test_without_a_model_only_the_walk_is_shown():
    result = run_sample(DEFINITION, read_sample(Sample(), []), None, {}, {}, NOW)

    assert result.outcome is None and result.ending["id"] == "end"
    assert [turn.step for turn in result.turns] == ["one", "two", "three"]


def _draft(change) -> dict:
    draft = copy.deepcopy(DEFINITION)
    change(draft)
    return draft


@pytest.mark.parametrize("branches", [True, 3, "three", {"if": True, "goto": "three"}, None,
                                      [True, "three"]])
def test_branches_that_are_not_a_list_of_rules_are_no_branch(branches):
    """A draft being edited (or stored before a check) may hold anything under `next`."""
    draft = _draft(lambda d: d["steps"][0].__setitem__("next", branches))

    result = run_sample(draft, read_sample(Sample({"size": "big"}), sample_fields(draft)),
                        None, {}, {}, NOW)

    assert [turn.branch for turn in result.turns][0] is None


@pytest.mark.parametrize("change", [
    lambda d: d.__setitem__("steps", "one"),
    lambda d: d.__setitem__("steps", {"id": "one"}),
    lambda d: d["steps"].__setitem__(1, "two"),
    lambda d: d["steps"][1].__setitem__("fields", "name"),
    lambda d: d["steps"][1].__setitem__("fields", {"id": "name"}),
    lambda d: d["steps"][1]["fields"].__setitem__(0, "name"),
    lambda d: d["steps"][1]["fields"][0].pop("id"),
    lambda d: d["steps"][1]["fields"][0].__setitem__("id", ["name"]),
    lambda d: d["steps"][1]["fields"][0].__setitem__("type", ["short_text"]),
    lambda d: d["steps"][0]["fields"][0].__setitem__("options", True),
    lambda d: d["steps"][0]["fields"][0].__setitem__("options", [{"label": "no value"}]),
], ids=["steps-text", "steps-object", "step-text", "fields-text", "fields-object",
        "field-text", "field-without-id", "field-id-list", "type-list", "options-true",
        "option-without-value"])
def test_the_inputs_of_a_broken_draft_skip_what_makes_no_sense(change):
    fields = sample_fields(_draft(change))

    assert all(isinstance(spec.id, str) for spec in fields)
    assert all(value for spec in fields for value, _text in spec.options)
