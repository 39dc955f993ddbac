"""Routing: the first rule that holds wins, the last catches all, and mistakes are caught."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.qualify import Destination, lint_route, route

ROUTE: list[dict[str, Any]] = [
    {"if": {"==": [{"var": "lead.stage"}, "sql"]}, "to": {"book": "ae/intro-30"}},
    {"if": {"==": [{"var": "lead.stage"}, "mql"]}, "to": {"nurture": "fast"}},
    {"if": {"==": [{"var": "contact.email_type"}, "student"]},
     "to": {"disqualify": "Sorry, this is for companies."}},
    {"if": True, "to": {"redirect": "https://example.com/thanks"}},
]
CATCH_ALL = ROUTE[-1]


def lead(stage: str, **contact: Any) -> dict[str, Any]:
    return {"lead": {"stage": stage, "total": 50}, "contact": contact}


# --- route -------------------------------------------------------------------------------

@pytest.mark.parametrize("facts, expected", [
    (lead("sql"), Destination("book", "ae/intro-30", 0, False)),
    (lead("mql"), Destination("nurture", "fast", 1, False)),
    (lead("lead", email_type="student"),
     Destination("disqualify", "Sorry, this is for companies.", 2, False)),
    (lead("lead"), Destination("redirect", "https://example.com/thanks", 3, True)),
])
def test_the_first_rule_that_holds_wins(facts, expected):
    assert route(ROUTE, facts) == expected


def test_fallback_means_the_catch_all_was_taken():
    assert route(ROUTE, lead("lead")).fallback
    assert not route(ROUTE, lead("sql")).fallback


def test_a_rule_whose_condition_errors_is_skipped_and_recorded():
    rules = [{"if": {"/": [1, {"var": "answers.n"}]}, "to": {"book": "ae/intro"}}, CATCH_ALL]

    destination = route(rules, {"answers": {"n": 0}})

    assert (destination.kind, destination.rule_index) == ("redirect", 1)
    assert destination.errors == ("route 0: Division by zero",)


def test_a_rule_with_an_unsafe_destination_is_skipped_and_recorded():
    rules = [{"if": True, "to": {"redirect": "javascript:alert(1)"}}, CATCH_ALL]

    destination = route(rules, {})

    assert destination.rule_index == 1 and "http(s)" in destination.errors[0]


def test_when_no_rule_holds_the_destination_is_none():
    destination = route(ROUTE[:2], lead("lead"))

    assert destination == Destination("none", "", -1, False)


def test_a_destination_is_plain_json():
    assert route(ROUTE, lead("sql")).as_dict() == {
        "kind": "book", "target": "ae/intro-30", "rule_index": 0, "fallback": False,
        "errors": [], "confirm": False}


def test_a_rule_can_ask_for_a_prospect_confirmation():
    rules = [{"if": True, "to": {"nurture": "general"}, "confirm": True}]
    assert route(rules, lead("mql")).confirm is True
    assert route(ROUTE, lead("sql")).confirm is False
    assert lint_route(rules) == []
    bad = [{"if": True, "to": {"nurture": "general"}, "confirm": "yes"}]
    assert [issue.path for issue in lint_route(bad)] == ["/route/0/confirm"]


# --- lint_route --------------------------------------------------------------------------

def with_first(rule: dict[str, Any]) -> list[dict[str, Any]]:
    return [rule, CATCH_ALL]


def to(destination: Any) -> list[dict[str, Any]]:
    return with_first({"if": {"var": "lead.total"}, "to": destination})


@pytest.mark.parametrize("rules, path, words", [
    (None, "/route", "needs a list of route rules"),
    ({"if": True}, "/route", "needs a list of route rules"),
    ([], "/route", "needs a list of route rules"),
    (ROUTE[:2], "/route/1/if", "The last route must be a catch-all: use \"if\": true."),
    ([*ROUTE[:3], {"if": 1, "to": {"nurture": "general"}}], "/route/3/if", "catch-all"),
    (with_first("book ae/intro"), "/route/0", "Expected {\"if\": condition"),
    (with_first({"to": {"nurture": "fast"}}), "/route/0/if", "needs a condition"),
    (with_first({"if": True, "to": {"nurture": "fast"}, "note": 1}), "/route/0/note",
     "Unknown key 'note'"),
    (with_first({"if": {"zap": 1}, "to": {"nurture": "fast"}}), "/route/0/if",
     "Unknown operator 'zap'"),
    (with_first({"if": {"or": [True, {"zap": 1}]}, "to": {"nurture": "fast"}}), "/route/0/if",
     "Unknown operator 'zap'"),
    (to(None), "/route/0/to", "must be one of"),
    (to("ae/intro"), "/route/0/to", "must be one of"),
    (to({}), "/route/0/to", "must be one of"),
    (to({"teleport": "x"}), "/route/0/to", "must be one of"),
    (to({"book": "ae/intro", "nurture": "fast"}), "/route/0/to", "exactly one"),
    (to({"nurture": ""}), "/route/0/to/nurture", "needs a value"),
    (to({"disqualify": 3}), "/route/0/to/disqualify", "needs a value"),
    (to({"book": "ae"}), "/route/0/to/book", "'team/meeting-type'"),
    (to({"book": "ae/"}), "/route/0/to/book", "'team/meeting-type'"),
    (to({"book": "AE/Intro"}), "/route/0/to/book", "'team/meeting-type'"),
    (to({"book": "ae/intro/30"}), "/route/0/to/book", "'team/meeting-type'"),
    (to({"book": "sales/intro"}), "/route/0/to/book", "Unknown team 'sales'"),
    (to({"nurture": "slow"}), "/route/0/to/nurture", "Unknown nurture track 'slow'"),
    (to({"redirect": "javascript:alert(1)"}), "/route/0/to/redirect", "http(s)"),
    (to({"redirect": "ftp://example.com/"}), "/route/0/to/redirect", "http(s)"),
    (to({"redirect": "https://"}), "/route/0/to/redirect", "http(s)"),
    (to({"redirect": "/thanks"}), "/route/0/to/redirect", "http(s)"),
    ([{"if": True, "to": {"nurture": "fast"}}, CATCH_ALL], "/route/1",
     "can never be taken: route 0"),
])
def test_a_route_mistake_is_reported_at_its_path(rules, path, words):
    issues = lint_route(rules, known_teams={"ae"}, known_tracks={"fast", "general"})

    assert any(issue.path == path and words in issue.message for issue in issues), issues


def test_a_good_route_has_no_issues():
    assert lint_route(ROUTE, known_teams={"ae"}, known_tracks={"fast"}) == []


def test_teams_and_tracks_are_only_checked_against_known_sets_when_given():
    rules = [{"if": {"var": "lead.total"}, "to": {"book": "sales/intro"}},
             {"if": {"var": "lead.fit"}, "to": {"nurture": "slow"}}, CATCH_ALL]

    assert lint_route(rules) == []


def test_redirects_may_use_http_or_https_in_any_case():
    assert lint_route(to({"redirect": "HTTP://example.com/a?b=c"})) == []


# --- properties --------------------------------------------------------------------------

CONDITIONS = st.sampled_from([
    False, 0, None, {"==": [{"var": "lead.stage"}, "sql"]},
    {">=": [{"var": "lead.total"}, 50]}, {"/": [1, {"var": "lead.total"}]},
    {"in": ["@gmail", {"var": "contact.email"}]}, {"zap": 1},
])
DESTINATIONS = st.sampled_from([
    {"book": "ae/intro-30"}, {"nurture": "fast"}, {"disqualify": "No"},
    {"redirect": "https://example.com/"}, {"redirect": "javascript:x"}, {"book": "ae"}, {},
    "nurture",
])
RULES = st.lists(st.fixed_dictionaries({"if": st.one_of(st.sampled_from([True, 1]), CONDITIONS),
                                         "to": DESTINATIONS}), max_size=6)
FACTS = st.fixed_dictionaries({}, optional={
    "lead": st.fixed_dictionaries({}, optional={
        "stage": st.sampled_from(["lead", "mql", "sql"]), "total": st.integers(-1, 100)}),
    "contact": st.fixed_dictionaries({}, optional={
        "email": st.sampled_from(["a@gmail.com", "b@acme.io", ""])}),
})
JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=20)


@given(RULES, FACTS)
def test_the_same_facts_always_give_the_same_route(rules, facts):
    assert route(rules, facts) == route(rules, facts)


GOOD_DESTINATIONS = st.sampled_from([
    {"book": "ae/intro-30"}, {"nurture": "fast"}, {"disqualify": "No"},
    {"redirect": "https://example.com/"}])
ROUTES = st.tuples(
    st.lists(st.fixed_dictionaries({"if": CONDITIONS, "to": st.one_of(
        GOOD_DESTINATIONS, GOOD_DESTINATIONS, GOOD_DESTINATIONS, DESTINATIONS)}), max_size=5),
    GOOD_DESTINATIONS,
).map(lambda pair: [*pair[0], {"if": True, "to": pair[1]}])


@settings(max_examples=300)
@given(ROUTES, st.one_of(FACTS, JUNK))
def test_a_route_that_passes_lint_always_reaches_a_destination(rules, facts):
    assume(lint_route(rules) == [])

    destination = route(rules, facts)

    assert destination.kind in ("book", "nurture", "disqualify", "redirect")


@given(JUNK, JUNK)
def test_route_and_lint_route_never_raise_on_junk(rules, facts):
    assert isinstance(route(rules, facts), Destination)
    assert isinstance(lint_route(rules), list)
