"""The pure core never crashes on what people and databases hand it.

Definitions, scoring models, routes, facts and plans are generated both plausible
and junk (tests/unit/strategies.py). Each function may answer with issues, errors
or "no destination", but it may not raise, and its own last-resort guards (lint's
"Could not check", scoring's "Scoring failed", the checkers' "could not be checked")
must never be what catches the input: they hide a bug behind a message. Example
counts come from the Hypothesis profile (tests/conftest.py: `LEADFORM_FUZZ=deep`).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    definitions,
    fact_documents,
    json_values,
    known_properties,
    profiled_definitions,
    route_rules,
    rules,
    scoring_models,
    sound_routes,
    sound_scoring_models,
)

from app.forms import Issue, validate
from app.logic import LintIssue, lint
from app.profiling.plan import Plan, apply_plan, make_plan
from app.qualify import Destination, lint_route, route, score, validate_model

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
GUARDS = ("Could not check", "Could not read", "could not be checked", "Scoring failed")


def assert_no_guard_fired(messages: list[str]) -> None:
    assert not [message for message in messages if message.startswith(GUARDS)
                or any(guard in message for guard in GUARDS)], messages


def assert_issues(issues: object, kind: type) -> None:
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue, kind)
        assert issue.path == "" or issue.path.startswith("/")
        assert isinstance(issue.message, str) and issue.message
    assert_no_guard_fired([issue.message for issue in issues])  # type: ignore[attr-defined]


@given(json_values)
def test_lint_never_fails_on_any_json_value(value: object) -> None:
    assert_issues(lint(value), LintIssue)


@given(st.data(), definitions())
def test_lint_never_fails_when_a_definition_is_mangled(data: st.DataObject,
                                                        definition: dict[str, Any]) -> None:
    step = data.draw(st.sampled_from(definition["steps"]))
    target = data.draw(st.sampled_from(["step", "field", "definition", "branch"]))
    junk = data.draw(json_values | rules())
    if target == "step":
        step[data.draw(st.sampled_from(["visible_if", "next", "fields", "id", "title"]))] = junk
    elif target == "field":
        field = data.draw(st.sampled_from(step["fields"]))
        field[data.draw(st.sampled_from(["visible_if", "options", "id", "type"]))] = junk
    elif target == "branch":
        step["next"] = [{"if": data.draw(rules()), "goto": junk}]
    else:
        definition[data.draw(st.sampled_from(["steps", "endings", "hidden", "route"]))] = junk
    assert_issues(lint(definition), LintIssue)
    assert_issues(validate(definition), Issue)


@given(definitions())
def test_lint_and_validate_never_fail_on_a_generated_definition(
        definition: dict[str, Any]) -> None:
    assert validate(definition) == []
    assert_issues(lint(definition), LintIssue)


@given(profiled_definitions().flatmap(
    lambda definition: st.tuples(st.just(definition), known_properties(definition))))
def test_a_profiling_plan_always_gives_a_valid_definition(
        case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    definition, known = case
    assert validate(definition) == []
    before = copy.deepcopy(definition)
    plan = make_plan(definition, known)
    effective = apply_plan(definition, plan)
    assert definition == before  # the published definition is never changed
    emptied = {f"/steps/{index}/fields" for index, step in enumerate(effective["steps"])
               if not step["fields"]}  # every question known: the screens skip such steps
    assert {issue.path for issue in validate(effective)} <= emptied
    assert_issues(lint(effective), LintIssue)
    ids = [field["id"] for step in effective["steps"] for field in step["fields"]]
    assert len(ids) == len(set(ids))
    assert not set(plan.skipped) & set(ids)
    assert Plan.from_dict(plan.as_dict()) == plan  # it survives being stored on a response


@given(scoring_models(), fact_documents() | json_values)
def test_score_never_fails_and_adds_up(model: Any, facts: Any) -> None:
    result = score(model, facts, NOW)
    assert_no_guard_fired([error.message for error in result.errors])
    fit = sum(reason.points for reason in result.reasons if reason.dimension == "fit")
    intent = sum(reason.points for reason in result.reasons if reason.dimension == "intent")
    assert round(fit, 2) == result.fit and round(intent, 2) == result.intent
    assert round(result.fit + result.intent, 2) == result.total
    assert all(reason.rule for reason in result.reasons)  # invariant 6: each names its rule


@given(scoring_models())
def test_validate_model_never_fails(model: Any) -> None:
    assert_issues(validate_model(model), Issue)


@given(sound_scoring_models(), fact_documents())
def test_a_valid_model_scores_without_rule_errors_or_a_guard(model: Any,
                                                             facts: dict[str, Any]) -> None:
    assert validate_model(model) == []
    result = score(model, facts, NOW)
    assert result.errors == ()
    assert len(result.reasons) <= len(model["rules"]) + 2  # a rule's reason, and the caps'


@given(route_rules(), fact_documents() | json_values)
def test_route_never_fails_and_picks_a_real_rule(items: Any, facts: Any) -> None:
    found = route(items, facts)
    assert isinstance(found, Destination)
    if found.kind == "none":
        assert found.rule_index == -1
    else:
        assert isinstance(items, list) and 0 <= found.rule_index < len(items)
        assert {found.kind: found.target} == items[found.rule_index]["to"]
        assert found.fallback == (found.rule_index == len(items) - 1)


@given(route_rules())
def test_lint_route_never_fails(items: Any) -> None:
    assert_issues(lint_route(items, {"ae-team"}, {"general"}), Issue)


@given(sound_routes(), fact_documents() | json_values)
def test_a_route_without_lint_issues_always_reaches_a_destination(
        items: list[Any], facts: Any) -> None:
    assert lint_route(items, {"ae-team"}, {"general"}) == []
    assert route(items, facts).kind != "none"


# --- bugs the fuzzing found, as examples ------------------------------------------------

ONE_STEP = {"schema": 1, "title": "T",
            "steps": [{"id": "s0", "fields": [{"id": "q0", "type": "short_text", "label": "Q"}]}],
            "endings": [{"id": "end0", "type": "message", "title": "Bye"}]}


def test_lint_reports_a_goto_that_is_a_list_instead_of_failing() -> None:
    definition = copy.deepcopy(ONE_STEP)
    definition["steps"][0]["next"] = [{"if": True, "goto": []}]
    issues = lint(definition)
    assert_issues(issues, LintIssue)
    assert [issue.path for issue in issues] == ["/steps/0/next/0/goto"]


def test_lint_reads_a_next_that_is_not_a_list_as_no_branches() -> None:
    definition = copy.deepcopy(ONE_STEP)
    definition["steps"][0]["next"] = True
    assert_issues(lint(definition), LintIssue)


def test_capture_drops_control_characters_from_what_the_url_brings() -> None:
    from app.responses.capture import capture

    found = capture({"steps": []}, {"utm_source": "a\x00b\x1f", "gclid": "\x00"},
                    url="https://x.example/?a=\x00", referrer="https://r.example/\x00")
    assert found.hidden == {"utm_source": "ab"}
    assert found.meta == {"landing_page": "https://x.example/?a=", "referrer": "https://r.example/"}


def test_lint_reads_a_field_type_that_is_not_a_string_as_unknown() -> None:
    definition = copy.deepcopy(ONE_STEP)
    definition["steps"][0]["fields"][0]["type"] = []
    definition["steps"][0]["next"] = [{"if": {"==": [{"var": "answers.q0"}, "x"]},
                                       "goto": "end0"}]
    assert_issues(lint(definition), LintIssue)
