"""Scoring: a reason for every point, decay by half-life, caps as reasons, errors recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.qualify import Reason, RuleError, Score, score, top_reasons, validate_model

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def rule(rule_id: str, condition: Any, points: int, dimension: str = "fit",
         **extra: Any) -> dict[str, Any]:
    return {"id": rule_id, "if": condition, "points": points, "dimension": dimension,
            "reason": f"Reason {rule_id}", **extra}


def model(*rules: dict[str, Any], caps: dict[str, Any] | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"schema": 1, "rules": list(rules),
                             "thresholds": {"mql": 40, "sql": 70}}
    if caps is not None:
        built["caps"] = caps
    return built


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


BUDGET = {"==": [{"var": "answers.budget"}, "high"]}
FREE = {"==": [{"var": "contact.email_type"}, "free"]}
PRICING = {">=": [{"var": "signals.pricing_views_7d"}, 2]}
FACTS = {"answers": {"budget": "high"}, "contact": {"email_type": "free"},
         "signals": {"pricing_views_7d": 3}}


def points_of(result: Score) -> list[tuple[str, float]]:
    return [(reason.rule, reason.points) for reason in result.reasons]


# --- reasons and totals ------------------------------------------------------------------

def test_every_rule_that_holds_gives_a_reason_naming_it():
    result = score(model(rule("budget", BUDGET, 25), rule("pricing", PRICING, 15, "intent")),
                   FACTS, NOW)

    assert result.reasons == (Reason("budget", "fit", 25, "Reason budget"),
                              Reason("pricing", "intent", 15, "Reason pricing"))


def test_fit_and_intent_add_up_to_the_total():
    result = score(model(rule("budget", BUDGET, 25), rule("pricing", PRICING, 15, "intent")),
                   FACTS, NOW)

    assert (result.fit, result.intent, result.total) == (25, 15, 40)


def test_a_rule_that_does_not_hold_gives_nothing():
    result = score(model(rule("budget", BUDGET, 25)), {"answers": {"budget": "low"}}, NOW)

    assert (result.reasons, result.total) == ((), 0)


def test_negative_points_lower_the_score_and_are_explained():
    result = score(model(rule("budget", BUDGET, 25), rule("free", FREE, -20)), FACTS, NOW)

    assert result.fit == 5
    assert ("free", -20) in points_of(result)


def test_a_rule_worth_zero_points_still_shows_its_reason():
    result = score(model(rule("webinar", True, 0)), {}, NOW)

    assert points_of(result) == [("webinar", 0)]


def test_as_dict_is_plain_json():
    result = score(model(rule("budget", BUDGET, 25)), FACTS, NOW)

    assert result.as_dict() == {
        "fit": 25, "intent": 0, "total": 25, "errors": [],
        "reasons": [{"rule": "budget", "dimension": "fit", "points": 25,
                     "reason": "Reason budget"}],
    }


# --- caps --------------------------------------------------------------------------------

def test_a_cap_adds_a_reason_that_brings_the_dimension_down_to_it():
    result = score(model(rule("a", True, 40), rule("b", True, 30), caps={"fit": 60}), {}, NOW)

    assert result.fit == 60
    assert result.reasons[-1] == Reason("cap:fit", "fit", -10, "Fit capped at 60")


def test_a_capped_score_still_equals_the_sum_of_its_reasons():
    result = score(model(rule("a", True, 40), rule("b", True, 30, "intent"),
                         caps={"fit": 25, "intent": 10}), {}, NOW)

    assert result.total == sum(reason.points for reason in result.reasons) == 35


def test_a_dimension_under_its_cap_gets_no_cap_reason():
    result = score(model(rule("a", True, 40), caps={"fit": 60}), {}, NOW)

    assert points_of(result) == [("a", 40)]


def test_a_cap_does_not_limit_negative_points():
    result = score(model(rule("a", True, -40), caps={"fit": 0}), {}, NOW)

    assert result.fit == -40


# --- decay -------------------------------------------------------------------------------

def decaying(days_ago: float, half_life: float = 7) -> Score:
    facts = {"signals": {"pricing_views_7d": 3, "last_at": {"pricing_views_7d": ago(days_ago)}}}
    return score(model(rule("pricing", PRICING, 40, "intent", half_life_days=half_life)),
                 facts, NOW)


def test_fresh_intent_scores_in_full():
    assert decaying(0).intent == 40


def test_intent_is_halved_after_one_half_life():
    assert decaying(7).intent == 20


def test_intent_is_quartered_after_two_half_lives():
    assert decaying(14).intent == 10


def test_decayed_points_are_rounded_to_cents():
    assert decaying(1, half_life=3).intent == 31.75  # 40 × 0.5 ** (1/3) = 31.748...


def test_a_signal_in_the_future_does_not_grow_the_points():
    assert decaying(-7).intent == 40


def test_the_newest_signal_the_rule_reads_is_its_reference_time():
    both = {"or": [PRICING, {">": [{"var": "signals.demo_views_7d"}, 0]}]}
    facts = {"signals": {"pricing_views_7d": 3, "demo_views_7d": 1,
                         "last_at": {"pricing_views_7d": ago(14), "demo_views_7d": ago(7),
                                     "visits_30d": ago(0)}}}

    result = score(model(rule("either", both, 40, "intent", half_life_days=7)), facts, NOW)

    assert result.intent == 20


def test_without_signal_times_the_submission_time_is_the_reference():
    facts = {"answers": {"budget": "high"}, "submission": {"at": ago(7)}}

    result = score(model(rule("budget", BUDGET, 30, half_life_days=7)), facts, NOW)

    assert result.fit == 15


def test_without_any_reference_time_nothing_decays():
    result = score(model(rule("budget", BUDGET, 30, half_life_days=7)), FACTS, NOW)

    assert result.fit == 30


def test_the_score_depends_on_now_not_on_the_wall_clock():
    facts = {"answers": {"budget": "high"}, "submission": {"at": ago(7)}}
    scoring_model = model(rule("budget", BUDGET, 30, half_life_days=7))

    with time_machine.travel(NOW + timedelta(days=365), tick=False):
        later = score(scoring_model, facts, NOW)

    assert later == score(scoring_model, facts, NOW)


# --- errors ------------------------------------------------------------------------------

def test_a_rule_that_errors_scores_zero_and_is_recorded():
    broken = rule("ratio", {">": [{"/": [1, {"var": "answers.n"}]}, 1]}, 99)

    result = score(model(rule("budget", BUDGET, 25), broken), {**FACTS, "answers": {
        "budget": "high", "n": 0}}, NOW)

    assert result.total == 25
    assert result.errors == (RuleError("ratio", "Division by zero"),)


def test_garbage_rules_in_an_unchecked_model_are_recorded_not_raised():
    junk = {"schema": 1, "rules": ["x", {"id": "p", "if": True, "points": "many",
                                         "dimension": "fit", "reason": "r"}],
            "thresholds": {}}

    result = score(junk, FACTS, NOW)

    assert [error.rule for error in result.errors] == ["rules/0", "p"]
    assert result.total == 0


def test_facts_that_are_not_an_object_read_as_no_facts():
    assert score(model(rule("budget", BUDGET, 25)), ["not", "facts"], NOW).total == 0  # type: ignore[arg-type]


def test_the_same_facts_at_the_same_time_give_the_same_score():
    scoring_model = model(rule("pricing", PRICING, 40, "intent", half_life_days=5))
    facts = {"signals": {"pricing_views_7d": 3, "last_at": {"pricing_views_7d": ago(3.3)}}}

    assert score(scoring_model, facts, NOW) == score(scoring_model, facts, NOW)


# --- top reasons -------------------------------------------------------------------------

def test_top_reasons_lists_the_largest_effect_first_either_way():
    result = score(model(rule("a", True, 5), rule("b", True, -30), rule("c", True, 20)), {},
                   NOW)

    assert [reason.rule for reason in top_reasons(result, 2)] == ["b", "c"]


def test_top_reasons_keeps_the_model_order_between_equals():
    result = score(model(rule("a", True, 10), rule("b", True, -10)), {}, NOW)

    assert [reason.rule for reason in top_reasons(result, 5)] == ["a", "b"]


# --- properties --------------------------------------------------------------------------

CONDITIONS = st.sampled_from([
    True, False, BUDGET, FREE, PRICING,
    {"<": [{"var": "signals.page_views_30d"}, 10]},
    {"in": [{"var": "contact.company_domain"}, {"var": "workspace.competitor_domains"}]},
    {"/": [1, {"var": "answers.n"}]},  # errors when n is 0
    {"+": [{"var": "answers.n"}, 1]},
])
RULES = st.lists(st.builds(
    dict, **{"if": CONDITIONS}, points=st.integers(-1000, 1000),
    dimension=st.sampled_from(["fit", "intent"]),
    half_life_days=st.one_of(st.none(), st.integers(1, 60), st.floats(0.01, 90))),
    max_size=8)
CAPS = st.fixed_dictionaries({}, optional={"fit": st.integers(0, 500),
                                           "intent": st.floats(0, 500)})
MOMENTS = st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))
FACT_DOCS = st.fixed_dictionaries({}, optional={
    "answers": st.fixed_dictionaries({}, optional={
        "budget": st.sampled_from(["high", "low"]), "n": st.integers(-2, 2)}),
    "contact": st.fixed_dictionaries({}, optional={
        "email_type": st.sampled_from(["free", "work"]),
        "company_domain": st.sampled_from(["acme.io", "rival.com"])}),
    "signals": st.fixed_dictionaries({}, optional={
        "pricing_views_7d": st.integers(0, 5), "page_views_30d": st.integers(0, 20),
        "last_at": st.fixed_dictionaries({}, optional={
            "pricing_views_7d": MOMENTS.map(datetime.isoformat),
            "page_views_30d": st.sampled_from(["not a time", "2026-01-01"])})}),
    "submission": st.fixed_dictionaries({}, optional={"at": MOMENTS.map(datetime.isoformat)}),
    "workspace": st.just({"competitor_domains": ["rival.com"]}),
})
JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=15)


def model_of(rules: list[dict[str, Any]], caps: dict[str, Any] | None = None) -> dict[str, Any]:
    built = [{"id": f"r{index}", "reason": f"Rule {index}",
              **{key: value for key, value in item.items() if value is not None}}
             for index, item in enumerate(rules)]
    return model(*built, caps=caps)


def cents(value: float) -> int:
    return round(value * 100)


@settings(max_examples=300)
@given(RULES, FACT_DOCS, st.one_of(st.none(), CAPS), MOMENTS)
def test_the_total_is_always_the_sum_of_the_reasons_and_of_fit_and_intent(rules, facts, caps,
                                                                          now):
    result = score(model_of(rules, caps), facts, now)

    assert cents(result.total) == sum(cents(reason.points) for reason in result.reasons)
    assert result.total == round(sum(reason.points for reason in result.reasons), 2)
    assert result.total == round(result.fit + result.intent, 2)


@settings(max_examples=300)
@given(RULES, FACT_DOCS, st.integers(1, 1000), st.sampled_from(["fit", "intent"]), MOMENTS)
def test_adding_a_positive_rule_never_lowers_the_score(rules, facts, points, dimension, now):
    extra = {"if": True, "points": points, "dimension": dimension}

    before = score(model_of(rules), facts, now)
    after = score(model_of([*rules, extra]), facts, now)

    assert after.total >= before.total


@settings(max_examples=300)
@given(RULES, FACT_DOCS, CAPS, st.integers(1, 1000), st.sampled_from(["fit", "intent"]),
       MOMENTS)
def test_adding_a_positive_rule_never_lowers_a_capped_score(rules, facts, caps, points,
                                                            dimension, now):
    extra = {"if": True, "points": points, "dimension": dimension}

    before = score(model_of(rules, caps), facts, now)
    after = score(model_of([*rules, extra], caps), facts, now)

    assert after.total >= before.total


@settings(max_examples=300)
@given(RULES, st.one_of(st.none(), CAPS), st.one_of(FACT_DOCS, JUNK), MOMENTS)
def test_a_valid_model_scores_any_facts_without_raising(rules, caps, facts, now):
    checked = model_of(rules, caps)
    assume(validate_model(checked) == [])

    result = score(checked, facts, now)

    assert result.total == round(result.fit + result.intent, 2)
    assert all(error.rule.startswith("r") for error in result.errors)


@given(JUNK, JUNK, MOMENTS)
def test_even_a_garbage_model_never_makes_scoring_raise(junk_model, facts, now):
    assert isinstance(score(junk_model, facts, now), Score)
