"""Editing a route: the catch-all stays last, destinations are parsed and checked."""

from __future__ import annotations

import copy

import pytest

from app.builder.route_rules import (
    Known,
    RouteInput,
    add_rule,
    delete_rule,
    describe,
    issues_by_rule,
    move_rule,
    new_problems,
    parse_destination,
    parse_route_rule,
    replace_rule,
    start_route,
    workspace_problems,
)
from app.builder.scoring_rules import EditRefused

KNOWN = Known(frozenset({"ae"}), {"ae/intro": "Intro with AEs"}, {"general": "General"})
SQL = {"==": [{"var": "lead.stage"}, "sql"]}


def draft() -> dict:
    return {"route": [{"if": SQL, "to": {"book": "ae/intro"}},
                      {"if": {"==": [1, 2]}, "to": {"disqualify": "No"}},
                      {"if": True, "to": {"nurture": "general"}}],
            "endings": [{"id": "end", "type": "book", "team": "ae", "meeting_type": "intro",
                         "title": "Hi"}]}


@pytest.mark.parametrize(("raw", "expected"), [
    (RouteInput(kind="book", book="ae/intro"), {"book": "ae/intro"}),
    (RouteInput(kind="disqualify", disqualify="  Not   now "), {"disqualify": "Not now"}),
    (RouteInput(kind="redirect", redirect="https://example.com/x"),
     {"redirect": "https://example.com/x"}),
])
def test_destinations_are_parsed_from_the_chosen_kind(raw, expected):
    assert parse_destination(raw) == (expected, None)


@pytest.mark.parametrize("raw", [
    RouteInput(kind=""), RouteInput(kind="book"), RouteInput(kind="nurture", book="ae/intro"),
    RouteInput(kind="redirect", redirect="http://example.com/"),
    RouteInput(kind="redirect", redirect="https://exa mple.com/"),
    RouteInput(kind="disqualify", disqualify="x" * 1001),
])
def test_incomplete_destinations_are_refused(raw):
    to, problem = parse_destination(raw)

    assert to is None and problem


def test_a_rule_round_trips_and_the_catch_all_takes_no_condition():
    rule = {"if": SQL, "to": {"nurture": "general"}, "confirm": True}

    assert parse_route_rule(RouteInput.of(rule)).rule == rule
    assert parse_route_rule(RouteInput(condition="{", kind="nurture", nurture="general"),
                            catch_all=True).rule == {"if": True, "to": {"nurture": "general"}}


def test_new_rules_go_before_the_catch_all_and_the_catch_all_keeps_if_true():
    edited = draft()
    add_rule(edited, {"if": SQL, "to": {"nurture": "general"}})
    replace_rule(edited, 3, {"if": SQL, "to": {"disqualify": "Bye"}})

    assert edited["route"][2] == {"if": SQL, "to": {"nurture": "general"}}
    assert edited["route"][3] == {"if": True, "to": {"disqualify": "Bye"}}


def test_the_catch_all_is_never_deleted_or_moved():
    edited = draft()
    with pytest.raises(EditRefused):
        delete_rule(edited, 2)
    with pytest.raises(EditRefused):
        move_rule(edited, 2, -1)
    with pytest.raises(EditRefused):
        move_rule(edited, 1, 1)
    move_rule(edited, 1, -1)
    assert edited["route"][0]["to"] == {"disqualify": "No"}
    assert delete_rule(edited, 0)["to"] == {"disqualify": "No"}


def test_a_route_without_a_catch_all_is_edited_as_json_only():
    with pytest.raises(EditRefused):
        add_rule({"route": [{"if": SQL, "to": {"nurture": "general"}}]}, {"if": True})


def test_starting_a_route_can_make_an_ending_routed():
    edited = {"endings": copy.deepcopy(draft()["endings"])}
    start_route(edited, {"nurture": "general"}, "end")

    assert edited["route"] == [{"if": True, "to": {"nurture": "general"}}]
    assert edited["endings"] == [{"id": "end", "type": "route", "title": "Hi"}]
    with pytest.raises(EditRefused):
        start_route(edited, {"nurture": "general"}, None)


def test_workspace_problems_name_unknown_teams_meeting_types_and_tracks():
    route = [{"if": SQL, "to": {"book": "sales/intro"}}, {"if": SQL, "to": {"book": "ae/demo"}},
             {"if": True, "to": {"nurture": "weekly"}}]

    assert [p["message"] for p in workspace_problems(route, KNOWN)] == [
        "Unknown team 'sales'.", "Unknown nurture track 'weekly'.",
        "Team 'ae' has no meeting type 'demo'."]
    assert workspace_problems(route[2:], Known(tracks=None)) == []  # no track settings


def test_only_new_problems_refuse_a_change():
    before = [{"if": True, "to": {"book": "gone/intro"}}]
    after = [{"if": SQL, "to": {"nurture": "general"}}, *before]

    assert new_problems(before, after, KNOWN) == []
    assert new_problems([], after + [{"if": True, "to": {"book": "x/y"}}], KNOWN)


def test_issues_are_grouped_by_rule_and_part():
    rows, other = issues_by_rule([{"path": "/route/1/to/book", "message": "A"},
                                  {"path": "/route/1/if", "message": "B"},
                                  {"path": "/route", "message": "C"}], 3)

    assert rows == {1: {"destination": ["A"], "condition": ["B"]}} and other == ["C"]


def test_destinations_in_words():
    assert describe({"book": "ae/intro"}, KNOWN) == "Book: Intro with AEs"
    assert describe({"nurture": "x"}, KNOWN) == "Nurture: x"
    assert describe({"a": 1, "b": 2}, KNOWN) == "An invalid destination"
