"""Publish-time lint: one mistake in, exactly one issue out, pointing at it."""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest

from app.logic import LintIssue, lint

# `app.logic.lint` is the re-exported function; the module holds CHECKS.
lint_module = importlib.import_module("app.logic.lint")


def var(name: str) -> dict[str, Any]:
    return {"var": name}


def ask(field_id: str, kind: str = "short_text", **extra: Any) -> dict[str, Any]:
    field = {"id": field_id, "type": kind, "label": field_id.title(), **extra}
    if kind in ("choice", "dropdown", "multi_choice") and "options" not in extra:
        field["options"] = [{"value": "small"}, {"value": "big"}]
    return field


def base() -> dict[str, Any]:
    """A small clean form that each case breaks in exactly one place."""
    return {
        "schema": 1,
        "title": "Talk to sales",
        "hidden": ["utm_source"],
        "steps": [
            {
                "id": "you",
                "fields": [
                    ask("email", "email", required=True),
                    ask("size", "choice"),
                    ask("tools", "multi_choice"),
                    ask("partner", "yes_no"),
                ],
                "next": [{"if": {"==": [var("answers.size"), "small"]}, "goto": "self-serve"}],
            },
            {"id": "project", "fields": [ask("timeline"), ask("intro", "statement")]},
            {"id": "extra", "fields": [ask("notes", "long_text")]},
        ],
        "endings": [
            {"id": "thanks", "type": "message", "title": "Thanks"},
            {"id": "self-serve", "type": "redirect", "url": "https://example.com/start"},
        ],
    }


def changed(path: str, value: Any) -> dict[str, Any]:
    """The base form with the value at a slash path ("steps/1/visible_if") set."""
    definition = base()
    *parents, last = path.split("/")
    target: Any = definition
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list) and last.isdigit():
        target[int(last)] = value
    elif isinstance(target, list):
        target.append(value)
    else:
        target[last] = value
    return definition


BRANCH = "steps/0/next/0"
CASES = [
    # references
    (
        "unknown field",
        changed("steps/1/visible_if", {"!!": [var("answers.nope")]}),
        ("/steps/1/visible_if", "refers to unknown field 'nope'", "error"),
    ),
    (
        "branch reads a later step",
        changed(BRANCH, {"if": {"!!": [var("answers.timeline")]}, "goto": "self-serve"}),
        ("/steps/0/next/0/if", "'timeline' is asked after this condition", "warning"),
    ),
    (
        "step visibility reads its own field",
        changed("steps/1/visible_if", {"!!": [var("answers.timeline")]}),
        ("/steps/1/visible_if", "always empty here", "warning"),
    ),
    (
        "field visibility reads a later field on its step",
        changed("steps/0/fields/0/visible_if", {"!!": [var("answers.size")]}),
        ("/steps/0/fields/0/visible_if", "'size' is asked after", "warning"),
    ),
    (
        "statement has no answer",
        changed("steps/2/visible_if", {"!!": [var("answers.intro")]}),
        ("/steps/2/visible_if", "'intro' is a statement", "warning"),
    ),
    (
        "unknown hidden name",
        changed("steps/1/visible_if", {"==": [var("hidden.utm_campaign"), "x"]}),
        ("/steps/1/visible_if", "unknown hidden field 'utm_campaign'", "error"),
    ),
    (
        "unknown top-level name",
        changed("steps/1/visible_if", {"==": [var("answer.size"), "big"]}),
        ("/steps/1/visible_if", "Unknown variable 'answer.size'. Conditions can use", "error"),
    ),
    (
        "route reads an unknown field",
        changed("route", [{"if": {"!!": [var("answers.nope")]}, "to": {"nurture": "x"}}]),
        ("/route/0/if", "unknown field 'nope'", "error"),
    ),
    (
        "unknown operator",
        changed("steps/1/visible_if", {"and": [True, {"bogus": [1]}]}),
        ("/steps/1/visible_if/and/1/bogus", "Unknown operator 'bogus'", "error"),
    ),
    # gotos
    (
        "goto to an unknown id",
        changed("steps/0/next/-", {"if": {"!!": [var("answers.email")]}, "goto": "nowhere"}),
        ("/steps/0/next/1/goto", "'nowhere' is not a step or an ending", "error"),
    ),
    (
        "goto to itself",
        changed("steps/1/next", [{"if": {"!!": [var("answers.timeline")]}, "goto": "project"}]),
        ("/steps/1/next/0/goto", "'project' goes to itself", "error"),
    ),
    # cycles
    (
        "branch back to an earlier step",
        changed("steps/2/next", [{"if": {"!": [var("answers.notes")]}, "goto": "project"}]),
        ("/steps/2/next/0/goto", "loop: 'project' → 'extra' → 'project'", "error"),
    ),
    # reachability
    (
        "step skipped by an unconditional branch",
        changed("steps/0/next", [{"if": True, "goto": "extra"}])
        | {"endings": base()["endings"][:1]},
        ("/steps/1", "Step 'project' can never be reached.", "error"),
    ),
    (
        "ending nothing leads to",
        changed("steps/0/next", []),
        ("/endings/1", "Ending 'self-serve' is never used", "warning"),
    ),
    # duplicates
    (
        "ending with a step's id",
        changed("endings/0/id", "extra"),
        ("/endings/0/id", "'extra' is used more than once", "error"),
    ),
    (
        "field id used twice",
        changed("steps/2/fields/0/id", "email"),
        ("/steps/2/fields/0/id", "Field id 'email' is used more than once", "error"),
    ),
    # choice comparisons
    (
        "choice compared with a value it does not offer",
        changed(BRANCH + "/if", {"==": [var("answers.size"), "maybe"]}),
        (
            "/steps/0/next/0/if/==/1",
            "'maybe' is not an option of field 'size' (options: small, big).",
            "error",
        ),
    ),
    (
        "literal on the left",
        changed(BRANCH + "/if", {"!==": ["huge", var("answers.size")]}),
        ("/steps/0/next/0/if/!==/0", "'huge' is not an option of field 'size'", "error"),
    ),
    (
        "literal in a multi choice",
        changed(BRANCH + "/if", {"in": ["medium", var("answers.tools")]}),
        ("/steps/0/next/0/if/in/0", "'medium' is not an option of field 'tools'", "error"),
    ),
    (
        "choice in a list with a stray value",
        changed(BRANCH + "/if", {"in": [var("answers.size"), ["small", "tiny"]]}),
        ("/steps/0/next/0/if/in/1/1", "'tiny' is not an option", "error"),
    ),
    (
        "yes/no compared with a string",
        changed(BRANCH + "/if", {"==": [var("answers.partner"), "yes"]}),
        (
            "/steps/0/next/0/if/==/1",
            "'partner' is yes/no, so compare it with true or false",
            "error",
        ),
    ),
    # dead branches
    (
        "branch after one that always applies",
        changed(
            "steps/0/next",
            [
                {"if": True, "goto": "project"},
                {"if": {"==": [var("answers.size"), "small"]}, "goto": "self-serve"},
            ],
        ),
        ("/steps/0/next/1", "never tried", "warning"),
    ),
]


@pytest.mark.parametrize(
    ("definition", "expected"),
    [(definition, expected) for _, definition, expected in CASES],
    ids=[name for name, _, _ in CASES],
)
def test_one_mistake_gives_exactly_one_issue(
    definition: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    path, message, severity = expected
    issues = lint(definition)
    assert len(issues) == 1, issues
    assert issues[0].path == path
    assert message in issues[0].message
    assert issues[0].severity == severity


REALISTIC = {
    "schema": 1,
    "title": "Talk to sales",
    "display": "steps",
    "hidden": ["utm_source", "utm_campaign"],
    "steps": [
        {
            "id": "you",
            "title": "About you",
            "fields": [
                ask("email", "email", required=True, property="email"),
                ask(
                    "size",
                    "choice",
                    options=[
                        {"value": "1-10", "label": "1–10"},
                        {"value": "11-200"},
                        {"value": "200+"},
                    ],
                ),
                ask("source", "hidden"),
            ],
            "next": [{"if": {"==": [var("answers.size"), "1-10"]}, "goto": "small"}],
        },
        {
            "id": "project",
            "visible_if": {"!=": [var("answers.size"), None]},
            "fields": [
                ask("timeline", "dropdown", options=[{"value": "now"}, {"value": "later"}]),
                ask("budget", "number", required=True),
                ask(
                    "why",
                    "long_text",
                    visible_if={"in": [var("answers.timeline"), ["now", "later"]]},
                ),
            ],
            "next": [
                {
                    "if": {
                        "and": [
                            {">=": [var("answers.budget"), 10000]},
                            {"==": [var("hidden.utm_source"), "partner"]},
                        ]
                    },
                    "goto": "partner",
                },
                {"if": {"==": [var("lead.stage"), "disqualified"]}, "goto": "no"},
            ],
        },
        {
            "id": "partner",
            "visible_if": {"==": [var("hidden.source"), "ads"]},
            "fields": [ask("note", "statement")],
        },
        {
            "id": "consent",
            "fields": [
                ask("ok", "consent", required=True),
                ask("agency", "yes_no", visible_if={"!!": [var("contact.company")]}),
                ask("details", visible_if={"===": [var("answers.agency"), True]}),
            ],
        },
    ],
    "endings": [
        {"id": "thanks", "type": "message", "title": "Thank you"},
        {"id": "small", "type": "redirect", "url": "https://example.com/self-serve"},
        {"id": "no", "type": "disqualify", "title": "Sorry"},
    ],
}


def test_a_clean_realistic_form_has_no_issues() -> None:
    assert lint(REALISTIC) == []


def test_lint_does_not_change_the_definition() -> None:
    before = copy.deepcopy(REALISTIC)
    lint(REALISTIC)
    assert before == REALISTIC


@pytest.mark.parametrize(
    "condition",
    [
        {"!=": [var("answers.size"), None]},
        {"==": [var(["answers.size", "small"]), "big"]},
        {"some": [var("answers.tools"), {"==": [var(""), "anything"]}]},
        {"==": [var("signals.pricing_views"), 3]},
        {"in": ["sm", var("answers.size")]},
    ],
    ids=["null check", "var with default", "per-element var", "signals", "substring"],
)
def test_conditions_that_are_fine(condition: Any) -> None:
    assert lint(changed("steps/1/visible_if", condition)) == []


def test_a_loop_through_hidden_steps_is_found() -> None:
    definition = base()
    definition["steps"][1]["visible_if"] = {"!!": [var("answers.size")]}
    definition["steps"][2]["next"] = [{"if": {"!!": [var("answers.notes")]}, "goto": "project"}]
    issues = [issue for issue in lint(definition) if issue.severity == "error"]
    assert [issue.path for issue in issues] == ["/steps/2/next/0/goto"]


def test_a_step_behind_a_skippable_step_is_reachable() -> None:
    definition = changed("steps/0/next", [{"if": True, "goto": "project"}])
    definition["steps"][1]["visible_if"] = {"==": [var("answers.size"), "big"]}
    definition["steps"][1]["next"] = [{"if": True, "goto": "thanks"}]
    definition["endings"] = definition["endings"][:1]
    assert lint(definition) == []


def test_only_statements_on_a_conditional_step_is_fine() -> None:
    definition = changed("steps/2/fields", [ask("bye", "statement")])
    definition["steps"][2]["visible_if"] = {"==": [var("answers.size"), "big"]}
    assert lint(definition) == []


def test_issues_turn_into_plain_dicts() -> None:
    issue = LintIssue("/steps/0", "Step 'a' can never be reached.", "error")
    assert issue.as_dict() == {
        "path": "/steps/0",
        "message": "Step 'a' can never be reached.",
        "severity": "error",
    }


@pytest.mark.parametrize(
    "definition",
    [
        None,
        [],
        {},
        {"steps": "nope", "endings": 3},
        {"steps": [None, {"id": 5, "fields": None, "next": ["x", {"goto": None}]}]},
        {"steps": [{"id": "a", "fields": [{"id": ["x"]}], "visible_if": {"a": 1, "b": 2}}]},
        {"hidden": "abc", "route": {"if": True}, "steps": [{"id": "a", "next": [{}]}]},
    ],
)
def test_lint_never_raises_on_strange_shapes(definition: Any) -> None:
    assert all(isinstance(issue, LintIssue) for issue in lint(definition))


def test_a_check_that_crashes_becomes_an_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    def check_explodes(form: Any) -> Any:
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(lint_module, "CHECKS", (check_explodes,))
    (issue,) = lint(base())
    assert issue.severity == "error"
    assert "Could not check explodes" in issue.message
