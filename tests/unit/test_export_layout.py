"""The responses export's columns, cells and filters, without an app or a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.responses.export_filters import STATES, FilterError, parse_filters
from app.responses.export_layout import (
    ResponseRecord,
    VersionDefinition,
    answer_text,
    layout_for,
)
from tests.unit.test_qualify_purity import ROOT, imported_modules, is_forbidden, reachable_sources

FIXED = ["Response ID", "State", "Started (UTC)", "Completed (UTC)", "Version", "Ending",
         "Source", "Campaign", "Variant"]
UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid"]


def definition(*fields: dict[str, Any], hidden: list[str] | None = None) -> dict[str, Any]:
    return {"schema": 1, "title": "T", "hidden": hidden or [],
            "steps": [{"id": "s", "fields": list(fields)}]}


def choice(field_id: str, label: str, *options: tuple[str, str]) -> dict[str, Any]:
    return {"id": field_id, "type": "choice", "label": label,
            "options": [{"value": value, "label": text} for value, text in options]}


def record(version_id: int = 1, **overrides: Any) -> ResponseRecord:
    values: dict[str, Any] = {
        "id": 7, "state": "completed", "started_at": datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
        "completed_at": datetime(2026, 3, 1, 23, 34, 5, tzinfo=UTC), "version_id": version_id,
        "ending": "thanks", "source": "google", "campaign": "spring", "variant": "b",
        "hidden": {}, "answers": {}, "email": "ada@example.com"}
    return ResponseRecord(**{**values, **overrides})


V1 = VersionDefinition(1, 1, definition(
    {"id": "name", "type": "short_text", "label": "Name"},
    choice("size", "Team size", ("s", "Small"), ("l", "Large")),
    {"id": "fax", "type": "short_text", "label": "Fax number"},
    hidden=["partner"]))
V2 = VersionDefinition(2, 2, definition(
    choice("size", "How big is your team?", ("s", "1–10"), ("l", "11+")),
    {"id": "name", "type": "short_text", "label": "Your name"},
    {"id": "intro", "type": "statement", "label": "Some words"},
    {"id": "goals", "type": "multi_choice", "label": "Goals",
     "options": [{"value": "a", "label": "Faster"}, {"value": "b"}]},
    hidden=["utm_source", "ref"]))


def test_columns_are_the_union_of_versions_in_the_newest_order():
    layout = layout_for([V1, V2])

    assert layout.header == (*FIXED, "utm_source", "ref", "partner", *UTM[1:],
                             "How big is your team?", "Your name", "Goals", "Fax number",
                             "Contact email")


def test_a_response_shows_the_option_labels_of_its_own_version():
    layout = layout_for([V2, V1])
    answers = {"size": "l", "name": "Ada", "fax": "+44 1", "goals": ["a", "b"]}

    old, new = layout.cells(record(1, answers=answers)), layout.cells(record(2, answers=answers))

    column = layout.header.index("How big is your team?")
    assert (old[column], new[column]) == ("Large", "11+")
    assert old[layout.header.index("Fax number")] == "+44 1"
    assert new[layout.header.index("Goals")] == "Faster; b"


def test_fixed_cells_read_as_a_person_would_in_the_chosen_timezone():
    layout = layout_for([V2], zone="Europe/Berlin")

    cells = layout.cells(record(2, hidden={"utm_source": "news", "ref": "x"}, state="in_progress"))

    assert layout.header[2:4] == ("Started (Europe/Berlin)", "Completed (Europe/Berlin)")
    assert cells[:9] == ["7", "in progress", "2026-03-02 00:30:00", "2026-03-02 00:34:05", "v2",
                         "thanks", "google", "spring", "B"]
    assert cells[9:11] == ["news", "x"]
    assert cells[-1] == "ada@example.com"
    assert len(cells) == len(layout.header)


def test_missing_values_are_empty_cells():
    layout = layout_for([V2])

    cells = layout.cells(record(2, completed_at=None, ending=None, source=None, campaign=None,
                                variant=None, email=None))

    assert cells[3] == ""
    assert cells[5:9] == [""] * 4
    assert cells[9:] == [""] * (len(layout.header) - 9)


@pytest.mark.parametrize(("value", "options", "expected"), [
    (True, {}, "Yes"), (False, {}, "No"), (3.0, {}, "3"), (2.5, {}, "2.5"), (-4, {}, "-4"),
    (["a", "z"], {"a": "Alpha"}, "Alpha; z"), ("2026-01-31", {}, "2026-01-31"), (None, {}, ""),
    ("s", {"s": "Small"}, "Small"), ("gone", {"s": "Small"}, "gone"),
])
def test_answers_read_as_text(value, options, expected):
    assert answer_text(value, options) == expected


def test_two_questions_with_one_label_get_their_ids_after_it():
    layout = layout_for([VersionDefinition(1, 1, definition(
        {"id": "a", "type": "short_text", "label": "Name"},
        {"id": "b", "type": "short_text", "label": "name"},
        {"id": "c", "type": "short_text", "label": "State"},
        {"id": "d", "type": "short_text", "label": ""}))])

    assert layout.header[-5:] == ("Name", "name (b)", "State (c)", "d", "Contact email")


def test_a_form_that_was_never_published_still_has_its_questions():
    layout = layout_for([VersionDefinition(0, 0, definition(choice("size", "Size")))])

    assert layout.header[-2:] == ("Size", "Contact email")


# --- filters --------------------------------------------------------------------------------

def test_no_filters_take_every_response():
    filters = parse_filters()

    assert filters.states == frozenset(STATES)
    assert (filters.started_from, filters.started_before, filters.zone, filters.bom) == (
        None, None, "UTC", False)


def test_days_are_whole_days_in_the_chosen_zone():
    filters = parse_filters(["completed,abandoned"], "2026-03-02", "2026-03-02",
                            "Europe/Berlin", "1")

    assert filters.states == {"completed", "abandoned"}
    assert (filters.first_day, filters.last_day) == (date(2026, 3, 2), date(2026, 3, 2))
    assert filters.started_from == datetime(2026, 3, 1, 23, tzinfo=UTC)
    assert filters.started_before == datetime(2026, 3, 2, 23, tzinfo=UTC)
    assert filters.bom is True


@pytest.mark.parametrize(("arguments", "message"), [
    ({"states": ["done"]}, "Unknown state 'done'"),
    ({"first_day": "02/03/2026"}, "'from' must be a date as YYYY-MM-DD"),
    ({"last_day": "2026-02-30"}, "'to' must be a date"),
    ({"first_day": "2026-03-02", "last_day": "2026-03-01"}, "swap 'from' and 'to'"),
    ({"zone": "Mars/Olympus"}, "Unknown timezone 'Mars/Olympus'"),
    ({"zone": "../../etc/passwd"}, "Unknown timezone"),
    ({"zone": "Europe"}, "Unknown timezone"),
    ({"bom": "maybe"}, "'bom' must be 1 or 0"),
])
def test_a_bad_filter_says_what_to_send(arguments, message):
    with pytest.raises(FilterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_filters(**arguments)


@pytest.mark.parametrize("name", ["export_layout.py", "export_filters.py"])
def test_the_export_layout_and_filters_reach_no_framework(name: str):
    offenders = {
        str(source.relative_to(ROOT)): sorted(filter(is_forbidden, imported_modules(source)))
        for source in reachable_sources(ROOT / "app" / "responses" / name)
    }

    assert {name: found for name, found in offenders.items() if found} == {}
