"""Builder code that reads a draft survives one that is malformed. No app.

Editor changes keep drafts valid, but a stored draft may predate a check or be
edited by hand: `true`, a string or an object where a list belongs must read as
"nothing there", never crash the page that shows it.
"""

from __future__ import annotations

import pytest

from app.builder.drafts import ChangeRefused
from app.builder.logic_changes import add_branch, set_visibility
from app.builder.logic_outline import build_outline, target_names
from app.builder.outline import add_ending, new_field
from app.builder.route_rules import route_ending, routed_endings
from app.builder.scoring_rules import EditRefused
from app.builder.shapes import list_of, objects_of
from app.builder.variables import variables_for_form
from app.forms.review import route_issues

NOT_LISTS = [True, 3, "steps", {"id": "one"}, None]


def test_only_lists_are_lists():
    assert list_of(["a", 1]) == ["a", 1] and objects_of([{"id": 1}, "x", 2]) == [{"id": 1}]
    assert all(list_of(value) == [] == objects_of(value) for value in NOT_LISTS)


@pytest.mark.parametrize("value", NOT_LISTS)
def test_the_condition_menu_reads_a_broken_draft(value):
    draft = {"steps": value, "hidden": value}
    step_draft = {"steps": [{"id": "one", "fields": value}], "hidden": ["utm_source"]}

    names = [variable.name for variable in variables_for_form(draft)]
    assert not [name for name in names if name.startswith(("answers.", "hidden."))]
    assert "hidden.utm_source" in [variable.name for variable in variables_for_form(step_draft)]


@pytest.mark.parametrize("value", NOT_LISTS)
def test_the_logic_outline_reads_a_broken_draft(value):
    draft = {"steps": [{"id": "one", "fields": value, "next": value}], "endings": value}

    outline = build_outline(draft, [])

    assert [(step.id, step.fields, step.branches) for step in outline.steps] == [
        ("one", [], [])]
    assert target_names({"steps": value, "endings": value}) == {}


@pytest.mark.parametrize("value", NOT_LISTS)
def test_new_ids_are_found_in_a_broken_draft(value):
    assert new_field({"steps": value, "profiling": {"queue": value}}, "short_text")["id"]
    assert new_field({"steps": [], "profiling": "later"}, "short_text")["id"]
    draft = {"steps": value, "endings": []}
    assert add_ending(draft) == "ending"


@pytest.mark.parametrize("value", NOT_LISTS)
def test_a_logic_change_on_a_broken_draft_is_refused_not_a_crash(value):
    with pytest.raises(ChangeRefused):
        set_visibility("one", None, True)({"steps": value})
    with pytest.raises(ChangeRefused):
        set_visibility("one", "name", True)({"steps": [{"id": "one", "fields": value}]})
    with pytest.raises(ChangeRefused):
        add_branch("one", True, "end")({"steps": value})


@pytest.mark.parametrize("value", NOT_LISTS)
def test_routed_endings_of_a_broken_draft(value):
    assert routed_endings({"endings": value}) == []
    assert route_issues({"endings": value}) == []
    with pytest.raises(EditRefused):
        route_ending({"endings": value}, "end")
