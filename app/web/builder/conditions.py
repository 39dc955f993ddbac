"""Conditions on the Scoring and Routing pages: the rule builder, or raw JSON text.

Each rule form embeds a rule builder (rows of field / operator / value, with its
own JSON textarea). A post without builder inputs (a script, an old page) may
send the JsonLogic as `condition` text instead; both end up here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final

from flask import request

from app.builder.rule_edits import new_condition
from app.builder.rule_form import RuleInput, rule_input
from app.builder.rules import Group
from app.builder.scoring_rules import condition_text, parse_condition
from app.models import Form
from app.web.builder.rule_widget import (
    BuilderView,
    Scope,
    builder_for,
    builder_view,
    form_scope,
    read_builder,
    workspace_scope,
)

# Scoring runs before the lead has a stage, so its rules cannot read `lead.*`.
SCORING_SECTIONS: Final = ("answers", "hidden", "contact", "signals")
ROUTING_SECTIONS: Final = ("answers", "hidden", "contact", "lead", "signals")
NEEDS_A_CONDITION: Final = "Add at least one condition."


@dataclass(frozen=True)
class PostedCondition:
    """The condition to store (when `problem` is None), its JSON, and the builder to show."""

    condition: Any
    text: str
    problem: str | None
    builder: BuilderView


def scoring_scope() -> Scope:
    return workspace_scope(SCORING_SECTIONS)


def routing_scope(form: Form) -> Scope:
    return form_scope(form, ROUTING_SECTIONS)


def builder(scope: Scope, prefix: str, condition: Any, legend: str) -> BuilderView:
    """The builder showing a stored condition; None (a new rule) starts with one empty row."""
    if condition is not None:
        return builder_for(scope, prefix, condition, legend=legend)
    fresh = replace(rule_input(None), group=Group("all", [new_condition(scope.variables)]))
    return builder_view(scope, prefix, fresh, legend=legend, show_errors=False)


def posted_condition(scope: Scope, prefix: str, legend: str) -> PostedCondition:
    """The condition a rule form posted, from its builder if it has one; the builder to
    show again keeps what was typed."""
    if f"{prefix}.editor" not in request.form:
        text = request.form.get("condition", "")
        condition, problem = parse_condition(text)
        if problem:  # shown in the builder's JSON box, as typed
            typed = RuleInput("json", None, text, None, {"json": problem})
            return PostedCondition(None, text, problem, builder_view(scope, prefix, typed,
                                                                     legend=legend))
        return PostedCondition(condition, text, None, builder(scope, prefix, condition, legend))
    state, view = read_builder(scope, prefix, legend=legend)
    if not state.ok:
        problem = state.errors.get("json") or "Fix the conditions marked below."
        return PostedCondition(None, state.json_text, problem, view)
    if state.rule is None:
        return PostedCondition(None, "", NEEDS_A_CONDITION, view)
    return PostedCondition(state.rule, condition_text(state.rule), None, view)


__all__ = ["NEEDS_A_CONDITION", "PostedCondition", "builder", "posted_condition",
           "routing_scope", "scoring_scope"]
