"""The Logic tab's pure parts: the outline with findings in place, changes, summaries."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.builder.drafts import ChangeRefused
from app.builder.logic_changes import (
    add_branch,
    delete_branch,
    move_branch,
    set_visibility,
    update_branch,
)
from app.builder.logic_outline import block_pointer, build_outline, target_labels
from app.builder.rule_text import describe_rule
from app.builder.variables import variables_for_form
from app.logic import lint

IS_BIG = {"==": [{"var": "answers.size"}, "big"]}


def draft() -> dict[str, Any]:
    return {
        "schema": 1, "title": "T",
        "steps": [
            {"id": "one", "title": "First", "fields": [
                {"id": "size", "type": "choice", "label": "Size",
                 "options": [{"value": "big", "label": "Big"}, {"value": "small"}]}],
             "next": [{"if": IS_BIG, "goto": "end"}]},
            {"id": "two", "fields": [{"id": "n", "type": "number", "label": "N",
                                      "visible_if": {"==": [{"var": "answers.size"}, "huge"]}}]},
        ],
        "endings": [{"id": "end", "type": "message", "title": "Done"},
                    {"id": "other", "type": "message"}],
    }


@pytest.mark.parametrize(("pointer", "block"), [
    ("/steps/0/next/0/if/==/1", "/steps/0/next/0"),
    ("/steps/10/fields/2/visible_if", "/steps/10/fields/2/visible_if"),
    ("/steps/1/visible_if/and/0", "/steps/1/visible_if"),
    ("/steps/1", "/steps/1"),
    ("/steps/1/title", None),
    ("/steps/1/fields/0/options/1/value", None),
    ("/steps/1/nextstep", None),
    ("/endings/1", "/endings"),
    ("/route/0/if", None),
])
def test_each_pointer_falls_in_its_block(pointer: str, block: str | None):
    assert block_pointer(pointer) == block


def test_lint_findings_land_on_their_blocks():
    definition = draft()
    outline = build_outline(definition, [issue.as_dict() for issue in lint(definition)])
    field_findings = outline.steps[1].fields[0].visibility.findings
    assert [f.message for f in field_findings] == [
        "'huge' is not an option of field 'size' (options: big, small)."]
    assert [f.severity for f in outline.ending_findings] == ["warning"]
    assert outline.steps[0].branches[0].block.findings == []
    assert outline.steps[0].otherwise.startswith("Otherwise: the next step, ‘two’")
    assert outline.steps[1].otherwise == (
        "Otherwise: the form ends with ‘Done’ (the first ending).")


def test_go_to_targets_are_every_step_and_ending():
    assert target_labels(draft()) == {"one": "Step: First", "two": "Step: two",
                                      "end": "Ending: Done", "other": "Ending: other"}


def test_visibility_is_set_and_removed_by_id():
    definition = draft()
    set_visibility("two", None, IS_BIG)(definition)
    set_visibility("two", "n", None)(definition)
    assert definition["steps"][1]["visible_if"] == IS_BIG
    assert "visible_if" not in definition["steps"][1]["fields"][0]


def test_branches_are_added_updated_moved_and_deleted():
    definition = draft()
    first = copy.deepcopy(definition["steps"][0]["next"][0])
    add_branch("one", None, "other")(definition)
    assert definition["steps"][0]["next"][1] == {"if": True, "goto": "other"}
    move_branch("one", 1, {"if": True, "goto": "other"}, -1)(definition)
    assert definition["steps"][0]["next"][1] == first
    update_branch("one", 1, first, IS_BIG, "two")(definition)
    assert definition["steps"][0]["next"][1] == {"if": IS_BIG, "goto": "two"}
    delete_branch("one", 0, {"if": True, "goto": "other"})(definition)
    delete_branch("one", 0, {"if": IS_BIG, "goto": "two"})(definition)
    assert "next" not in definition["steps"][0]


@pytest.mark.parametrize("change", [
    set_visibility("gone", None, True),
    set_visibility("one", "gone", True),
    update_branch("one", 0, {"if": True, "goto": "elsewhere"}, True, "end"),
    delete_branch("one", 5, None),
    move_branch("two", 0, None, 1),
])
def test_a_change_made_on_a_stale_page_is_refused(change):
    with pytest.raises(ChangeRefused, match="reload the page"):
        change(draft())


def test_rules_in_words():
    variables = variables_for_form(draft())
    assert describe_rule(None, variables) == "always"
    assert describe_rule(IS_BIG, variables) == "“Size” equals ‘Big’"
    assert describe_rule({"or": [IS_BIG, {"and": [{"<": [{"var": "answers.n"}, 3]},
                                                  {"!=": [{"var": "answers.n"}, None]}]}]},
                         variables) == (
        "“Size” equals ‘Big’ or (“N” is less than 3 and “N” is answered)")
    assert describe_rule({"if": [1, 2, 3]}, variables) == "a custom JSON condition"
    long = {"in": [{"var": "answers.size"}, ["big"] * 100]}
    assert describe_rule(long, variables).endswith("…")
