"""Properties of the logic layer over generated valid definitions and fitting answers."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import answers_for, definitions, definitions_with_answers

from app.logic import facts, lint, next_step, prune_answers, walk
from app.logic.branching import BranchLoop

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Reachability mistakes need a rare shape (a skippable step with an unconditional
# branch on the path), so this one looks harder.
THOROUGH = settings(PROPERTY, max_examples=250)


def step_ids(definition: dict[str, Any]) -> list[str]:
    return [step["id"] for step in definition["steps"]]


def ending_ids(definition: dict[str, Any]) -> list[str]:
    return [ending["id"] for ending in definition["endings"]]


@PROPERTY
@given(definitions_with_answers())
def test_next_step_from_any_step_lands_on_a_known_step_or_ending(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    definition, answers = case
    data = facts(answers=answers)
    for step_id in step_ids(definition):
        found = next_step(definition, step_id, data)
        known = step_ids(definition) if found.kind == "step" else ending_ids(definition)
        assert found.id in known


@THOROUGH
@given(definitions_with_answers())
def test_a_form_without_lint_errors_never_loops(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    definition, answers = case
    if any(issue.severity == "error" for issue in lint(definition)):
        return
    path = walk(definition, facts(answers=answers))
    assert len(path.steps) <= len(definition["steps"])
    assert len(set(path.steps)) == len(path.steps)
    assert path.ending in ending_ids(definition)


@PROPERTY
@given(definitions(backward=False))
def test_forward_only_branches_never_make_loop_errors(definition: dict[str, Any]) -> None:
    assert not [issue for issue in lint(definition) if "loop" in issue.message]


@THOROUGH
@given(definitions_with_answers())
def test_lint_only_calls_unreachable_what_no_walk_reaches(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    definition, answers = case
    issues = lint(definition)
    try:
        path = walk(definition, facts(answers=answers))
    except BranchLoop as loop:
        assert any("loop" in issue.message for issue in issues)
        visited, ending = loop.steps, None
    else:
        visited, ending = path.steps, path.ending
    unreachable = {issue.path for issue in issues if "never" in issue.message}
    for step_id in visited:
        assert f"/steps/{step_ids(definition).index(step_id)}" not in unreachable
    if ending is not None:
        assert f"/endings/{ending_ids(definition).index(ending)}" not in unreachable


@PROPERTY
@given(definitions())
def test_lint_finds_no_reference_mistakes_in_generated_forms(definition: dict[str, Any]) -> None:
    issues = lint(definition)
    assert all(isinstance(issue.as_dict(), dict) for issue in issues)
    assert not [issue for issue in issues if "/if" in issue.path or "visible_if" in issue.path]


@PROPERTY
@given(st.data(), definitions())
def test_prune_is_idempotent_and_only_removes_answers(
    data: st.DataObject, definition: dict[str, Any]
) -> None:
    answers = data.draw(answers_for(definition))
    pruned = prune_answers(definition, answers)
    assert pruned.items() <= answers.items()
    assert prune_answers(definition, pruned) == pruned
