"""The scoring model is checked before it is stored: every mistake has a path and a reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.forms.types import Issue
from app.qualify import validate_model

# The example of docs/qualification.md.
MODEL: dict[str, Any] = {
    "schema": 1,
    "rules": [
        {"id": "budget-50k", "if": {"==": [{"var": "answers.budget"}, "over_50k"]},
         "points": 25, "dimension": "fit", "reason": "Budget over $50k a year"},
        {"id": "free-email", "if": {"==": [{"var": "contact.email_type"}, "free"]},
         "points": -20, "dimension": "fit", "reason": "Free email address"},
        {"id": "pricing", "if": {">=": [{"var": "signals.pricing_views_7d"}, 2]},
         "points": 15, "dimension": "intent", "reason": "Viewed pricing twice this week",
         "half_life_days": 7},
    ],
    "caps": {"fit": 60, "intent": 60},
    "thresholds": {"mql": 40, "sql": 70},
    "sql_gates": [
        {"id": "work-email", "if": {"==": [{"var": "contact.email_type"}, "work"]},
         "reason": "SQL needs a work email"},
    ],
}


DELETE = object()


def changed(path: str, value: Any) -> dict[str, Any]:
    """The example model with the value at `path` ("rules/2/points") replaced or, for
    the value DELETE, removed."""
    model = copy.deepcopy(MODEL)
    *parents, last = path.split("/")
    node: Any = model
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return model


def test_the_example_model_of_the_docs_is_valid():
    assert validate_model(MODEL) == []


def test_caps_and_gates_are_optional():
    model = {key: value for key, value in MODEL.items() if key not in ("caps", "sql_gates")}

    assert validate_model(model) == []


@pytest.mark.parametrize("model, path, words", [
    ([], "", "must be a JSON object"),
    (changed("schema", 2), "/schema", "\"schema\": 1"),
    (changed("schema", True), "/schema", "\"schema\": 1"),
    (changed("colour", "red"), "/colour", "Unknown key 'colour'"),
    (changed("rules", {}), "/rules", "list of rules"),
    (changed("rules", DELETE), "/rules", "list of rules"),
    (changed("rules/1", "free-email"), "/rules/1", "rule object"),
    (changed("rules/0/why", "x"), "/rules/0/why", "Unknown key 'why'"),
    (changed("rules/0/id", DELETE), "/rules/0/id", "needs an id"),
    (changed("rules/0/id", " "), "/rules/0/id", "needs an id"),
    (changed("rules/1/id", "budget-50k"), "/rules/1/id", "Duplicate rule id 'budget-50k'"),
    (changed("rules/0/id", "cap:fit"), "/rules/0/id", "reserved for caps"),
    (changed("rules/0/if", DELETE), "/rules/0/if", "needs a condition"),
    (changed("rules/2/points", "ten"), "/rules/2/points", "whole number"),
    (changed("rules/2/points", 1.5), "/rules/2/points", "whole number"),
    (changed("rules/2/points", True), "/rules/2/points", "whole number"),
    (changed("rules/2/points", 1001), "/rules/2/points", "between -1000 and 1000"),
    (changed("rules/1/points", -1001), "/rules/1/points", "between -1000 and 1000"),
    (changed("rules/0/dimension", "vibes"), "/rules/0/dimension", "'fit' or 'intent'"),
    (changed("rules/0/dimension", DELETE), "/rules/0/dimension", "'fit' or 'intent'"),
    (changed("rules/0/reason", DELETE), "/rules/0/reason", "needs a reason"),
    (changed("rules/0/reason", ""), "/rules/0/reason", "needs a reason"),
    (changed("rules/2/half_life_days", 0), "/rules/2/half_life_days", "positive"),
    (changed("rules/2/half_life_days", -7), "/rules/2/half_life_days", "positive"),
    (changed("rules/2/half_life_days", "7"), "/rules/2/half_life_days", "positive"),
    (changed("rules/2/half_life_days", float("nan")), "/rules/2/half_life_days", "positive"),
    (changed("rules/0/if", {"frobnicate": [1]}), "/rules/0/if", "Unknown operator 'frobnicate'"),
    (changed("rules/0/if", {"if": [False, {"zap": 1}, True]}), "/rules/0/if",
     "Unknown operator 'zap'"),
    (changed("rules/0/if", {"==": [{"var": "answer.budget"}, 1]}), "/rules/0/if",
     "Rule refers to unknown fact 'answer.budget'"),
    (changed("rules/0/if", {"var": "budget"}), "/rules/0/if",
     "Rule refers to unknown fact 'budget'"),
    (changed("caps", [60]), "/caps", "Expected an object"),
    (changed("caps/fit", -1), "/caps/fit", "0 or more"),
    (changed("caps/fit", "60"), "/caps/fit", "0 or more"),
    (changed("caps/reach", 10), "/caps/reach", "Unknown dimension 'reach'"),
    (changed("thresholds", DELETE), "/thresholds", "Expected thresholds"),
    (changed("thresholds/mql", DELETE), "/thresholds/mql", "must be a number"),
    (changed("thresholds/sql", "70"), "/thresholds/sql", "must be a number"),
    (changed("thresholds/mql", -1), "/thresholds/mql", "0 or more"),
    (changed("thresholds/mql", 80), "/thresholds/mql", "must not be above SQL"),
    (changed("thresholds/hot", 90), "/thresholds/hot", "Unknown key 'hot'"),
    (changed("sql_gates", {}), "/sql_gates", "list of gates"),
    (changed("sql_gates/0", "work"), "/sql_gates/0", "Expected a gate"),
    (changed("sql_gates/0/if", DELETE), "/sql_gates/0/if", "needs a condition"),
    (changed("sql_gates/0/if", {"zap": []}), "/sql_gates/0/if", "Unknown operator 'zap'"),
    (changed("sql_gates/0/if", {"var": "email_type"}), "/sql_gates/0/if",
     "unknown fact 'email_type'"),
    (changed("sql_gates/0/reason", DELETE), "/sql_gates/0/reason", "needs a reason"),
])
def test_a_mistake_in_the_model_is_reported_at_its_path(model, path, words):
    issues = validate_model(model)

    assert any(issue.path == path and words in issue.message for issue in issues), issues


def test_every_fact_root_of_the_docs_is_known():
    roots = ["answers", "hidden", "contact", "signals", "submission", "workspace", "lead"]
    condition = {"and": [{"var": f"{root}.x"} for root in roots]}

    assert validate_model(changed("rules/0/if", condition)) == []


def test_variables_inside_map_and_filter_read_the_item_not_the_facts():
    condition = {"some": [{"var": "workspace.competitor_domains"},
                          {"==": [{"var": ""}, {"var": "contact.company_domain"}]}]}

    assert validate_model(changed("rules/0/if", condition)) == []


def test_a_condition_that_only_fails_on_some_facts_is_not_a_model_mistake():
    assert validate_model(changed("rules/0/if", {"/": [1, {"var": "answers.n"}]})) == []


def test_equal_thresholds_are_allowed():
    assert validate_model(changed("thresholds", {"mql": 50, "sql": 50})) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=25,
)
PARTS = st.fixed_dictionaries({}, optional={
    "schema": JSON, "rules": st.lists(JSON, max_size=3), "caps": JSON, "thresholds": JSON,
    "sql_gates": JSON})


@given(st.one_of(JSON, PARTS))
def test_validate_model_never_raises_and_returns_issues(junk):
    issues = validate_model(junk)

    assert all(isinstance(issue, Issue) and (issue.path == "" or issue.path.startswith("/"))
               for issue in issues)
