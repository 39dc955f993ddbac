"""Spreadsheet formula neutralisation (invariant 9), as properties over any text.

`neutralise` is the one cell guard of every export (contacts, responses, leads); a cell
that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe, which
spreadsheets read as "this is text" and do not show. Whole response exports built from
generated answers must stay parseable, one cell per column, with every cell guarded.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from app.profiling.csv_io import FORMULA_PREFIXES, neutralise
from app.responses.export import csv_pieces
from app.responses.export_layout import ResponseRecord, VersionDefinition, layout_for

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# Text as people paste it: formulas, CSV's own delimiters, line breaks, any script.
tricky_text = st.text(alphabet=st.one_of(
    st.sampled_from([*DANGEROUS, ",", '"', "'", "\n", " ", ";", "\x00"]),
    st.characters(codec="utf-8"),
))
formula = st.tuples(st.sampled_from(DANGEROUS), tricky_text).map("".join)


def through_csv(cells: list[str]) -> list[list[str]]:
    """Write one row with the csv module and read it back."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(cells)
    return list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))


def test_the_guard_knows_every_dangerous_first_character():
    assert set(FORMULA_PREFIXES) >= set(DANGEROUS)


@given(st.one_of(tricky_text, formula))
@example("=HYPERLINK(\"https://evil.example\",\"Click\")")
@example("\r=1+1")
@example("-")
def test_a_neutralised_cell_never_starts_with_a_dangerous_character(text: str):
    assert not neutralise(text).startswith(DANGEROUS)


@given(formula)
def test_a_formula_keeps_its_text_behind_one_apostrophe(text: str):
    assert neutralise(text) == "'" + text


@given(tricky_text.filter(lambda text: not text.startswith(DANGEROUS)))
@example("'=already quoted")
@example("Ünïcödé, \"quoted\"\nand broken over lines")
def test_safe_text_is_left_unchanged(text: str):
    assert neutralise(text) == text


@given(st.one_of(tricky_text, formula))
def test_neutralising_twice_changes_nothing_more(text: str):
    assert neutralise(neutralise(text)) == neutralise(text)


@given(st.lists(st.one_of(tricky_text, formula), min_size=1, max_size=6))
def test_neutralised_cells_round_trip_through_the_csv_module(cells: list[str]):
    guarded = [neutralise(cell) for cell in cells]

    assert through_csv(guarded) == [guarded]


def test_values_that_are_not_text_become_cells_too():
    assert neutralise(None) == ""
    assert neutralise(-5) == "'-5"
    assert neutralise(["=a", "b"]) == "'=a, b"


# --- a whole responses export ---------------------------------------------------------------

DEFINITION: dict[str, Any] = {
    "schema": 1, "title": "T", "hidden": ["utm_source", "partner"],
    "steps": [{"id": "s", "fields": [
        {"id": "name", "type": "short_text", "label": "=Name"},
        {"id": "size", "type": "choice", "label": "Size",
         "options": [{"value": "s", "label": "-Small"}, {"value": "l", "label": "Large, really"}]},
        {"id": "goals", "type": "multi_choice", "label": "Goals",
         "options": [{"value": "a", "label": "@A"}, {"value": "b"}]},
        {"id": "ok", "type": "yes_no", "label": "OK?"},
        {"id": "count", "type": "number", "label": "How many?"},
        {"id": "intro", "type": "statement", "label": "Just text"},
    ]}],
}
answer = st.one_of(st.none(), tricky_text, formula, st.booleans(),
                   st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                   st.lists(st.one_of(tricky_text, st.sampled_from(["a", "b"])), max_size=3))
answers = st.fixed_dictionaries({}, optional={
    key: answer for key in ("name", "size", "goals", "ok", "count", "intro", "unknown")})
hidden = st.dictionaries(st.sampled_from(["utm_source", "partner", "utm_term", "other"]),
                         st.one_of(tricky_text, formula), max_size=4)


@st.composite
def records(draw: st.DrawFn) -> list[ResponseRecord]:
    count = draw(st.integers(0, 6))
    return [ResponseRecord(
        id=number + 1, state=draw(st.sampled_from(["in_progress", "completed", "abandoned"])),
        started_at=datetime(2026, 3, 1, 12, tzinfo=UTC), completed_at=None, version_id=1,
        ending=draw(st.one_of(st.none(), tricky_text)), source=draw(st.one_of(st.none(), formula)),
        campaign=draw(st.one_of(st.none(), tricky_text)), variant=None,
        hidden=draw(hidden), answers=draw(answers), email=draw(st.one_of(st.none(), formula)),
    ) for number in range(count)]


@given(records(), st.booleans())
def test_an_export_of_generated_answers_parses_with_one_cell_per_column(
        rows: list[ResponseRecord], bom: bool):
    layout = layout_for([VersionDefinition(1, 1, DEFINITION)])

    text = "".join(csv_pieces(layout, rows, bom=bom))

    assert text.startswith("\ufeff") == bom
    parsed = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert parsed[0] == [neutralise(header) for header in layout.header]
    assert len(parsed) == len(rows) + 1
    for record, cells in zip(rows, parsed[1:], strict=True):
        assert len(cells) == len(layout.header)
        assert cells == [neutralise(cell) for cell in layout.cells(record)]
        assert not any(cell.startswith(DANGEROUS) for cell in cells)
        assert cells[0] == str(record.id)
