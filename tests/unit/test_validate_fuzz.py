"""`validate` and friends never raise, whatever they are handed."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forms import FIELD_TYPES, Issue, parse_definition_text, validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "definition.md"
EXAMPLE: dict[str, Any] = json.loads(
    re.search(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL).group(1)  # type: ignore[union-attr]
)
VOCABULARY = [
    "schema", "title", "description", "display", "hidden", "steps", "endings", "settings",
    "profiling", "route", "id", "fields", "visible_if", "next", "if", "goto", "type", "label",
    "help", "why", "placeholder", "required", "validation", "options", "property", "prefill",
    "value", "min", "max", "min_length", "max_length", "pattern", "url", "team",
    "meeting_type", "track", "message", "allowed_domains", *FIELD_TYPES,
    "message", "redirect", "book", "nurture", "disqualify", "you", "email", "small", "",
    "(a+)+", "(", "2025-02-30", "https://example.com", "a/b~c",
]
FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(VOCABULARY)
)
keys = st.sampled_from(VOCABULARY) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)


def assert_well_formed(issues: object) -> None:
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue, Issue)
        assert isinstance(issue.path, str) and (issue.path == "" or issue.path.startswith("/"))
        assert isinstance(issue.message, str) and issue.message


def locations(value: object, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path inside a JSON value, the root included."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += locations(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += locations(child, (*path, index))
    return found


def swapped(value: object) -> object:
    """The same content in a different JSON type."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return {}


@st.composite
def mangled_examples(draw: st.DrawFn) -> object:
    document: object = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(locations(document)))
        if not path:
            continue
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "swap", "add", "duplicate"]))
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(json_values)
        elif action == "swap":
            parent[last] = swapped(parent[last])
        elif action == "add" and isinstance(parent[last], dict):
            parent[last][draw(keys)] = draw(json_values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return document


@FUZZ
@given(json_values)
def test_validate_never_raises_on_any_json_value(value: object) -> None:
    assert_well_formed(validate(value))


@FUZZ
@given(mangled_examples())
def test_validate_never_raises_on_a_mangled_example(document: object) -> None:
    assert_well_formed(validate(document))


@FUZZ
@given(json_values)
def test_validate_never_raises_when_junk_sits_where_a_field_belongs(junk: object) -> None:
    document = copy.deepcopy(EXAMPLE)
    document["steps"][0]["fields"].append(junk)
    document["endings"].append(junk)
    assert_well_formed(validate(document))


@FUZZ
@given(st.text(max_size=200) | json_values.map(json.dumps))
def test_parse_definition_text_never_raises(text: str) -> None:
    definition, issues = parse_definition_text(text)
    assert_well_formed(issues)
    assert definition is not None or issues


@FUZZ
@given(st.sampled_from(sorted(FIELD_TYPES)), json_values, json_values)
def test_parsing_an_answer_never_raises(type_name: str, validation: object, raw: object) -> None:
    field: Any = {"id": "q", "type": type_name, "label": "Q", "validation": validation,
                  "options": [{"value": "a"}, {"value": "b"}]}
    parsed = FIELD_TYPES[type_name].parse(field, raw)
    assert parsed.error is None or isinstance(parsed.error, str)
