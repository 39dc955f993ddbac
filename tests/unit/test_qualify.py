"""The pure qualification core: scores with reasons, stages, routes, assignment."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.qualify import (
    RepState,
    TeamState,
    Territory,
    assign,
    lint_route,
    record_assignment,
    route,
    score,
    stage_for,
    starting_calibration,
    top_reasons,
    validate_model,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MODEL = {
    "schema": 1,
    "rules": [
        {"id": "budget", "if": {"==": [{"var": "answers.budget"}, "high"]}, "points": 30,
         "dimension": "fit", "reason": "Big budget"},
        {"id": "free", "if": {"==": [{"var": "contact.email_type"}, "free"]}, "points": -20,
         "dimension": "fit", "reason": "Free email"},
        {"id": "pricing", "if": {">=": [{"var": "signals.pricing_views_7d"}, 2]}, "points": 40,
         "dimension": "intent", "reason": "Pricing twice", "half_life_days": 7},
    ],
    "thresholds": {"mql": 30, "sql": 60},
    "sql_gates": [{"id": "work", "if": {"==": [{"var": "contact.email_type"}, "work"]},
                   "reason": "SQL needs a work email"}],
}


def facts(budget="high", email_type="work", views=2, viewed_days_ago=0.0):
    return {
        "answers": {"budget": budget}, "contact": {"email_type": email_type},
        "signals": {"pricing_views_7d": views, "last_at": {
            "pricing_views_7d": (NOW - timedelta(days=viewed_days_ago)).isoformat()}},
        "submission": {"at": NOW.isoformat()},
    }


# --- the model ---------------------------------------------------------------------------

def test_the_example_model_is_valid():
    assert validate_model(MODEL) == []


@pytest.mark.parametrize("change, path, words", [
    (lambda m: m["rules"][0].update(points="ten"), "/rules/0/points", "whole number"),
    (lambda m: m["rules"][1].update(id="budget"), "/rules/1/id", "Duplicate rule id"),
    (lambda m: m["rules"][0].update(dimension="vibes"), "/rules/0/dimension", "fit' or"),
    (lambda m: m["rules"][0].update({"if": {"==": [{"var": "answer.budget"}, 1]}}),
     "/rules/0/if", "unknown fact 'answer.budget'"),
    (lambda m: m["rules"][0].update({"if": {"frobnicate": [1]}}), "/rules/0/if",
     "Unknown operator"),
    (lambda m: m["rules"][2].update(half_life_days=0), "/rules/2/half_life_days", "positive"),
    (lambda m: m.update(thresholds={"mql": 80, "sql": 60}), "/thresholds/mql", "above SQL"),
    (lambda m: m.update(caps={"fit": -1}), "/caps/fit", "0 or more"),
    (lambda m: m["rules"][0].pop("reason"), "/rules/0/reason", "reason"),
])
def test_model_mistakes_are_refused_with_a_path(change, path, words):
    import copy

    model = copy.deepcopy(MODEL)
    change(model)

    issues = validate_model(model)

    assert any(issue.path == path and words in issue.message for issue in issues), issues


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20))
def test_validate_model_never_raises(junk):
    assert isinstance(validate_model(junk), list)


# --- scoring -----------------------------------------------------------------------------

def test_every_point_has_a_reason_that_names_its_rule():
    result = score(MODEL, facts(), NOW)

    assert [(r.rule, r.points) for r in result.reasons] == [("budget", 30), ("pricing", 40)]
    assert (result.fit, result.intent, result.total) == (30, 40, 70)


def test_negative_points_lower_the_score():
    assert score(MODEL, facts(email_type="free"), NOW).fit == 10


def test_intent_decays_with_its_half_life():
    one = score(MODEL, facts(viewed_days_ago=7), NOW)
    two = score(MODEL, facts(viewed_days_ago=14), NOW)

    assert one.intent == 20
    assert two.intent == 10


def test_a_cap_is_an_explicit_reason_so_the_sum_still_holds():
    capped = {**MODEL, "caps": {"intent": 25}}

    result = score(capped, facts(), NOW)

    assert result.intent == 25
    assert ("cap:intent", -15) in [(r.rule, r.points) for r in result.reasons]
    assert result.total == round(sum(r.points for r in result.reasons), 2)


def test_a_rule_that_errors_scores_zero_and_is_recorded():
    broken = {**MODEL, "rules": [*MODEL["rules"], {
        "id": "broken", "if": {"/": [1, 0]}, "points": 99, "dimension": "fit", "reason": "x"}]}

    result = score(broken, facts(), NOW)

    assert result.total == 70
    assert [error.rule for error in result.errors] == ["broken"]


def test_top_reasons_lists_the_weightiest_first():
    result = score(MODEL, facts(email_type="free"), NOW)

    assert [r.rule for r in top_reasons(result, 2)] == ["pricing", "budget"]


RULES = st.lists(st.fixed_dictionaries({
    "if": st.sampled_from([True, False, {"==": [{"var": "answers.budget"}, "high"]},
                           {">": [{"var": "signals.pricing_views_7d"}, 1]}, {"!": True}]),
    "points": st.integers(-100, 100),
    "dimension": st.sampled_from(["fit", "intent"]),
    "half_life_days": st.one_of(st.none(), st.integers(1, 30)),
}), max_size=8)


def model_of(rules, caps=None):
    built = [{**rule, "id": f"r{index}", "reason": f"rule {index}"} for index, rule in
             enumerate(rules)]
    for rule in built:
        if rule["half_life_days"] is None:
            del rule["half_life_days"]
    model = {"schema": 1, "rules": built, "thresholds": {"mql": 10, "sql": 50}}
    if caps:
        model["caps"] = caps
    return model


FACTS = st.builds(facts, budget=st.sampled_from(["high", "low"]),
                  email_type=st.sampled_from(["work", "free"]), views=st.integers(0, 5),
                  viewed_days_ago=st.floats(0, 60))
CAPS = st.one_of(st.none(), st.fixed_dictionaries({"fit": st.integers(0, 200),
                                                   "intent": st.integers(0, 200)}))


@settings(max_examples=200)
@given(RULES, FACTS, CAPS)
def test_the_total_always_equals_the_sum_of_the_reasons(rules, case, caps):
    result = score(model_of(rules, caps), case, NOW)

    assert result.total == round(sum(r.points for r in result.reasons), 2)
    assert result.total == round(result.fit + result.intent, 2)


@settings(max_examples=200)
@given(RULES, FACTS, st.integers(1, 100), st.sampled_from(["fit", "intent"]), CAPS)
def test_adding_a_positive_rule_never_lowers_a_score(rules, case, points, dimension, caps):
    before = score(model_of(rules, caps), case, NOW)
    extra = [*rules, {"if": True, "points": points, "dimension": dimension,
                      "half_life_days": None}]

    after = score(model_of(extra, caps), case, NOW)

    assert after.total >= before.total


# --- stages ------------------------------------------------------------------------------

@pytest.mark.parametrize("case, previous, stage", [
    (facts(), None, "sql"),
    (facts(views=0), None, "mql"),
    (facts(budget="low", views=0), None, "lead"),
    (facts(email_type="free"), None, "mql"),  # 50 points: MQL
    (facts(budget="low", views=0), "sql", "lead"),  # moves back when the score falls
    (facts(), "disqualified", "disqualified"),
    (facts(budget="low", views=0), "recycled", "recycled"),
    (facts(), "recycled", "sql"),  # re-engages
])
def test_stages_follow_thresholds_gates_and_history(case, previous, stage):
    result = score(MODEL, case, NOW)

    assert stage_for(result, MODEL, case, previous).stage == stage


def test_a_failed_gate_is_named_in_the_reason():
    case = facts(email_type="free")
    case["signals"]["pricing_views_7d"] = 9
    richer = {**MODEL, "rules": [*MODEL["rules"], {"id": "more", "if": True, "points": 50,
                                                    "dimension": "fit", "reason": "x"}]}

    decision = stage_for(score(richer, case, NOW), richer, case, None)

    assert decision.stage == "mql" and "work email" in decision.reason


# --- routing -----------------------------------------------------------------------------

ROUTE = [
    {"if": {"==": [{"var": "lead.stage"}, "sql"]}, "to": {"book": "ae/intro-30"}},
    {"if": {"==": [{"var": "lead.stage"}, "mql"]}, "to": {"nurture": "fast"}},
    {"if": True, "to": {"nurture": "general"}},
]


@pytest.mark.parametrize("stage, kind, target, fallback", [
    ("sql", "book", "ae/intro-30", False),
    ("mql", "nurture", "fast", False),
    ("lead", "nurture", "general", True),
])
def test_the_first_matching_route_wins(stage, kind, target, fallback):
    destination = route(ROUTE, {"lead": {"stage": stage}})

    assert (destination.kind, destination.target, destination.fallback) == (
        kind, target, fallback)


def test_a_route_whose_condition_errors_is_skipped_and_noted():
    rules = [{"if": {"/": [1, 0]}, "to": {"book": "ae/intro"}}, *ROUTE[2:]]

    destination = route(rules, {})

    assert destination.target == "general" and destination.errors


@given(st.sampled_from(["sql", "mql", "lead", None]), st.integers(0, 100))
def test_the_same_facts_always_give_the_same_route(stage, total):
    case = {"lead": {"stage": stage, "total": total}}

    assert route(ROUTE, case) == route(ROUTE, case)


@pytest.mark.parametrize("rules, path, words", [
    ([], "/route", "catch-all"),
    (ROUTE[:2], "/route/1/if", "catch-all"),
    ([{"if": True, "to": {"teleport": "x"}}], "/route/0/to", "must be one of"),
    ([{"if": True, "to": {"book": "ae"}}], "/route/0/to/book", "team/meeting-type"),
    ([{"if": True, "to": {"book": "sales/intro"}}], "/route/0/to/book", "Unknown team"),
    ([{"if": True, "to": {"nurture": "nope"}}], "/route/0/to/nurture", "Unknown nurture"),
    ([{"if": True, "to": {"redirect": "javascript:alert(1)"}}], "/route/0/to/redirect",
     "http(s)"),
    ([{"if": {"zap": 1}, "to": {"nurture": "general"}}, ROUTE[2]], "/route/0/if",
     "Unknown operator"),
])
def test_route_mistakes_are_refused_with_a_path(rules, path, words):
    issues = lint_route(rules, known_teams={"ae"}, known_tracks={"general", "fast"})

    assert any(issue.path == path and words in issue.message for issue in issues), issues


# --- assignment --------------------------------------------------------------------------

def team(*reps, owners=None, territories=(), fallback=None):
    return TeamState("ae", tuple(reps), owners or {}, tuple(territories), fallback)


def test_the_account_owner_comes_first():
    state = team(RepState(1), RepState(2), owners={"acme.io": 2})

    choice = assign(state, {"contact": {"company_domain": "acme.io"}})

    assert (choice.rep_id, choice.rule) == (2, "owner")
    assert "acme.io" in choice.why


def test_a_territory_restricts_the_candidates():
    state = team(RepState(1), RepState(2, calibration=5), territories=[
        Territory({"==": [{"var": "contact.country"}, "DE"]}, (2,), "DACH")])

    choice = assign(state, {"contact": {"country": "DE"}})

    assert choice.rep_id == 2 and "DACH" in choice.why


def test_reps_at_capacity_or_away_are_skipped_then_the_fallback():
    state = team(RepState(1, max_per_day=2, assigned_today=2), RepState(2, active=False),
                 fallback=9)

    choice = assign(state, {})

    assert (choice.rep_id, choice.rule) == (9, "fallback")


def test_nobody_available_and_no_fallback_assigns_nobody():
    assert assign(team(RepState(1, active=False)), {}).rep_id is None


def test_ties_go_by_priority_then_id():
    assert assign(team(RepState(3, priority=1), RepState(2, priority=0)), {}).rep_id == 2


def simulate(state: TeamState, leads: int) -> dict[int, int]:
    counts = {rep.rep_id: 0 for rep in state.reps}
    reps = {rep.rep_id: rep for rep in state.reps}
    for _ in range(leads):
        choice = assign(TeamState(state.slug, tuple(reps.values())), {})
        assert choice.rep_id is not None
        reps[choice.rep_id] = record_assignment(reps[choice.rep_id])
        counts[choice.rep_id] += 1
    return counts


def test_weighted_round_robin_is_fair_within_two_percent():
    counts = simulate(team(RepState(1, weight=1), RepState(2, weight=2), RepState(3, weight=1)),
                      1000)

    for rep_id, share in {1: 0.25, 2: 0.5, 3: 0.25}.items():
        assert abs(counts[rep_id] / 1000 - share) <= 0.02


def test_a_rep_who_joins_late_gets_no_burst():
    state = team(RepState(1, meetings_assigned=300), RepState(2, meetings_assigned=300))
    newcomer = RepState(3, calibration=starting_calibration(state))

    counts = simulate(team(*state.reps, newcomer), 40)

    assert counts[3] <= 40 / 3 + 2


def test_the_core_imports_no_framework():
    for path in Path(__file__).parents[2].joinpath("app", "qualify").glob("*.py"):
        tree = ast.parse(path.read_text())
        modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        modules |= {node.module or "" for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom)}
        assert not any(name.split(".")[0] in ("flask", "sqlalchemy") or name.startswith(
            ("app.models", "app.db")) for name in modules), path.name
