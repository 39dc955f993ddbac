"""The version history's change summaries: what a marketer reads between two versions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.builder.changes import summarize_changes


def _form() -> dict[str, Any]:
    return {
        "schema": 1, "title": "Demo",
        "steps": [
            {"id": "you", "title": "About you", "fields": [
                {"id": "email", "type": "email", "label": "Email", "required": True},
                {"id": "size", "type": "choice", "label": "Team size",
                 "options": [{"value": "small"}, {"value": "large"}]}]},
            {"id": "budget", "title": "Budget", "fields": [
                {"id": "amount", "type": "number", "label": "Budget"}]},
        ],
        "endings": [{"id": "thanks", "type": "message", "title": "Thanks"}],
    }


def _changed(edit) -> list[str]:
    old = _form()
    new = copy.deepcopy(old)
    edit(new)
    return summarize_changes(old, new)


def test_identical_definitions_have_no_changes() -> None:
    assert summarize_changes(_form(), _form()) == []


def test_an_added_field_names_its_step() -> None:
    def add(form):
        form["steps"][0]["fields"].append({"id": "company", "type": "short_text",
                                           "label": "Company"})

    assert _changed(add) == ["Added field ‘Company’ to step ‘About you’"]


def test_a_removed_step_lists_the_fields_that_went_with_it() -> None:
    def remove(form):
        del form["steps"][1]

    assert _changed(remove) == ["Removed step ‘Budget’",
                                "Removed field ‘Budget’ from step ‘Budget’"]


def test_a_relabelled_field_says_old_and_new_label() -> None:
    def relabel(form):
        form["steps"][0]["fields"][0]["label"] = "Work email"

    assert _changed(relabel) == ["Changed the label of ‘Email’ to ‘Work email’"]


def test_changed_options() -> None:
    def options(form):
        form["steps"][0]["fields"][1]["options"].append({"value": "huge"})

    assert _changed(options) == ["Changed options of ‘Team size’"]


def test_reordered_steps() -> None:
    def reorder(form):
        form["steps"].reverse()

    assert _changed(reorder) == ["Reordered steps"]


def test_reordered_fields_within_a_step() -> None:
    def reorder(form):
        form["steps"][0]["fields"].reverse()

    assert _changed(reorder) == ["Reordered fields in step ‘About you’"]


def test_a_field_moved_to_another_step_is_a_move() -> None:
    def move(form):
        form["steps"][1]["fields"].append(form["steps"][0]["fields"].pop(1))

    assert _changed(move) == ["Moved field ‘Team size’ to step ‘Budget’"]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda f: f.update(title="New"), "Changed the title"),
    (lambda f: f.update(route=[{"if": True, "to": {"nurture": "general"}}]),
     "Changed the route rules"),
    (lambda f: f.update(settings={"allowed_domains": ["example.com"]}), "Changed settings"),
    (lambda f: f["endings"][0].update(message="Bye"), "Changed ending ‘Thanks’"),
    (lambda f: f["endings"].append({"id": "bye", "type": "message", "title": "Bye"}),
     "Added ending ‘Bye’"),
    (lambda f: f["steps"][0]["fields"][0].update(required=False), "Made ‘Email’ optional"),
    (lambda f: f["steps"][0]["fields"][1].update(
        visible_if={"==": [{"var": "answers.email"}, "x"]}), "Changed when ‘Team size’ is shown"),
    (lambda f: f["steps"][0].update(next=[{"if": True, "goto": "thanks"}]),
     "Changed the branches after step ‘About you’"),
    (lambda f: f["steps"][0].update(title="You"), "Renamed step ‘About you’ to ‘You’"),
    (lambda f: f["steps"][1]["fields"][0].update(type="short_text"),
     "Changed the type of ‘Budget’ to short text"),
    (lambda f: f["steps"][0]["fields"][0].update(help="At work"),
     "Changed the help text of ‘Email’"),
])
def test_each_kind_of_change_has_its_sentence(edit, expected) -> None:
    assert _changed(edit) == [expected]


def test_an_added_step_with_its_fields() -> None:
    def add(form):
        form["steps"].append({"id": "more", "title": "More", "fields": [
            {"id": "notes", "type": "long_text", "label": "Notes"}]})

    assert _changed(add) == ["Added step ‘More’", "Added field ‘Notes’ to step ‘More’"]


def test_long_names_are_shortened() -> None:
    def relabel(form):
        form["steps"][0]["fields"][0]["label"] = "x" * 200

    (line,) = _changed(relabel)
    assert len(line) < 120 and line.endswith("…’")


@pytest.mark.parametrize("odd", [None, [], "text", {"steps": "nope"}, {"steps": [1, None]}])
def test_odd_documents_never_raise(odd) -> None:
    assert isinstance(summarize_changes(odd, _form()), list)
    assert isinstance(summarize_changes(_form(), odd), list)
