"""Stages follow the score up and down; gates guard SQL; disqualified stays; recycled returns."""

from __future__ import annotations

from typing import Any

import pytest

from app.qualify import STAGES, Score, stage_for

WORK_EMAIL = {"id": "work-email", "if": {"==": [{"var": "contact.email_type"}, "work"]},
              "reason": "SQL needs a work email"}
MODEL: dict[str, Any] = {"schema": 1, "rules": [], "thresholds": {"mql": 40, "sql": 70},
                         "sql_gates": [WORK_EMAIL]}
WORK = {"contact": {"email_type": "work"}}
FREE = {"contact": {"email_type": "free"}}


def total(points: float) -> Score:
    return Score(fit=points, intent=0, total=points)


def stage(points: float, previous: str | None = None, facts: dict[str, Any] = WORK,
          model: dict[str, Any] = MODEL) -> str:
    return stage_for(total(points), model, facts, previous).stage


@pytest.mark.parametrize("points, expected", [
    (0, "lead"), (39.99, "lead"), (40, "mql"), (69.99, "mql"), (70, "sql"), (500, "sql"),
    (-50, "lead"),
])
def test_the_stage_follows_the_thresholds(points, expected):
    assert stage(points) == expected


def test_sql_needs_every_gate_to_hold():
    assert stage(80, facts=FREE) == "mql"


def test_a_failed_gate_is_named_in_the_reason():
    decision = stage_for(total(80), MODEL, FREE, None)

    assert decision.reason == "Score 80 reaches SQL (70) but SQL needs a work email."


def test_a_gate_that_errors_does_not_hold_and_says_so():
    broken = {**MODEL, "sql_gates": [{"if": {"/": [1, {"var": "answers.n"}]},
                                      "reason": "Needs a ratio"}]}

    decision = stage_for(total(80), broken, {"answers": {"n": 0}}, None)

    assert decision.stage == "mql"
    assert "could not be evaluated" in decision.reason and "Division by zero" in decision.reason


def test_without_gates_the_sql_threshold_is_enough():
    assert stage(70, facts=FREE, model={**MODEL, "sql_gates": []}) == "sql"


@pytest.mark.parametrize("previous, points, expected", [
    ("sql", 50, "mql"),
    ("sql", 10, "lead"),
    ("mql", 10, "lead"),
])
def test_the_stage_moves_back_when_the_score_falls(previous, points, expected):
    assert stage(points, previous) == expected


@pytest.mark.parametrize("points", [0, 50, 100])
def test_a_disqualified_lead_stays_disqualified_whatever_the_score(points):
    assert stage(points, "disqualified") == "disqualified"


def test_a_recycled_lead_stays_recycled_below_mql():
    assert stage(39, "recycled") == "recycled"


@pytest.mark.parametrize("points, expected", [(40, "mql"), (90, "sql")])
def test_a_recycled_lead_re_engages_at_the_stage_its_score_reaches(points, expected):
    decision = stage_for(total(points), MODEL, WORK, "recycled")

    assert decision.stage == expected
    assert decision.reason.endswith("again.")


def test_every_decision_is_a_known_stage_with_a_reason():
    for previous in (None, *STAGES):
        for points in (0, 40, 70):
            decision = stage_for(total(points), MODEL, WORK, previous)
            assert decision.stage in STAGES and decision.reason


def test_a_model_without_usable_thresholds_does_not_raise():
    assert stage(100, model={"thresholds": "high", "sql_gates": "all"}) == "sql"
