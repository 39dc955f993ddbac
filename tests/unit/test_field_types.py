"""Field types: declared attributes, the registry, and parsing posted answers."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from app.forms import FIELD_TYPES, Field, field_type
from app.forms.field_types import FieldType, ParsedAnswer
from app.forms.fields import UnknownFieldType, build_registry
from app.forms.patterns import MAX_PATTERN_LENGTH, UnsafePattern, compile_pattern
from app.forms.types import FieldTypeName

WIDGETS = {"text", "textarea", "email", "tel", "number", "radio", "checkbox", "select",
           "yes_no", "scale", "date", "consent", "statement", "hidden"}
OPTIONS = [{"value": "red", "label": "Red"}, {"value": "green"}, {"value": "blue"}]


def make(type_name: str, **spec: Any) -> Field:
    field: dict[str, Any] = {"id": "q", "type": type_name, "label": "Question"}
    if FIELD_TYPES[type_name].has_options:
        field["options"] = OPTIONS
    field.update(spec)
    return field  # type: ignore[return-value]


def parse(type_name: str, raw: object, **spec: Any) -> ParsedAnswer:
    return field_type(type_name).parse(make(type_name, **spec), raw)


# --- the registry --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIELD_TYPES))
def test_each_field_type_declares_its_attributes(name: str) -> None:
    kind = FIELD_TYPES[name]
    assert kind.name == name
    assert kind.input_widget in WIDGETS
    assert kind.answer_kind in {"string", "number", "boolean", "list", "date", None}
    assert kind.allowed_validation <= {"min", "max", "min_length", "max_length", "pattern"}
    assert kind.has_input is (kind.answer_kind is not None)


def test_the_type_name_literal_lists_every_registered_type() -> None:
    assert set(get_args(FieldTypeName)) == set(FIELD_TYPES)


def test_only_choice_types_have_options() -> None:
    assert {name for name, kind in FIELD_TYPES.items() if kind.has_options} == {
        "choice", "multi_choice", "dropdown"}


def test_statement_takes_no_input() -> None:
    assert [name for name, kind in FIELD_TYPES.items() if not kind.has_input] == ["statement"]


def test_every_widget_is_used_once() -> None:
    assert sorted(kind.input_widget for kind in FIELD_TYPES.values()) == sorted(WIDGETS)


def test_field_type_finds_a_registered_type() -> None:
    assert field_type("email") is FIELD_TYPES["email"]


def test_field_type_refuses_an_unknown_name() -> None:
    with pytest.raises(UnknownFieldType):
        field_type("fancy")
    with pytest.raises(KeyError):
        field_type("fancy")


def test_the_registry_refuses_two_classes_with_one_name() -> None:
    class One(FieldType):
        name, input_widget = "twin", "text"

    class Other(FieldType):
        name, input_widget = "twin", "textarea"

    with pytest.raises(ValueError, match="'twin' is registered twice"):
        build_registry(One, Other)


# --- parsing: one table per behaviour --------------------------------------------------

VALID: list[tuple[str, dict[str, Any], object, object]] = [
    ("short_text", {}, "  Ada Lovelace ", "Ada Lovelace"),
    ("short_text", {"validation": {"min_length": 2, "max_length": 3}}, "abc", "abc"),
    ("short_text", {"validation": {"pattern": "[A-Z]{2}[0-9]{3}"}}, "AB123", "AB123"),
    ("short_text", {}, "x" * 500, "x" * 500),
    ("long_text", {}, "line one\r\nline two", "line one\nline two"),
    ("long_text", {}, "tab\tand\nnewline", "tab\tand\nnewline"),
    ("email", {}, "ada@example.com", "ada@example.com"),
    ("email", {}, " first.last+tag@sub.example.co.uk ", "first.last+tag@sub.example.co.uk"),
    ("email", {}, "o'brien@example.ie", "o'brien@example.ie"),
    ("email", {}, "jörg@bücher.de", "jörg@bücher.de"),
    ("email", {}, "ada@example.xn--p1ai", "ada@example.xn--p1ai"),
    ("phone", {}, "+44 (0)20 7946-0958", "+44 (0)20 7946-0958"),
    ("phone", {}, "123456", "123456"),
    ("phone", {}, "1.234.567.8901", "1.234.567.8901"),
    ("number", {}, "42", 42),
    ("number", {}, "-3.5", -3.5),
    ("number", {}, " 1e3 ", 1000.0),
    ("number", {}, 7, 7),
    ("number", {}, 2.5, 2.5),
    ("number", {"validation": {"min": 0, "max": 100}}, "100", 100),
    ("number", {"validation": {"min": 0, "max": 100}}, "0", 0),
    ("choice", {}, "green", "green"),
    ("dropdown", {}, "blue", "blue"),
    ("multi_choice", {}, ["blue", "red"], ["red", "blue"]),
    ("multi_choice", {}, "green", ["green"]),
    ("multi_choice", {}, ["red", "red", ""], ["red"]),
    ("multi_choice", {"validation": {"min": 2, "max": 2}}, ["red", "blue"], ["red", "blue"]),
    ("yes_no", {}, "yes", True),
    ("yes_no", {}, "No", False),
    ("yes_no", {}, False, False),
    ("yes_no", {"required": True}, "no", False),
    ("scale", {}, "1", 1),
    ("scale", {}, "5", 5),
    ("scale", {}, 3, 3),
    ("scale", {}, 4.0, 4),
    ("scale", {"validation": {"min": 0, "max": 10}}, "0", 0),
    ("date", {}, "2025-02-28", "2025-02-28"),
    ("date", {"validation": {"min": "2025-01-01", "max": "2025-12-31"}}, "2025-12-31",
     "2025-12-31"),
    ("consent", {}, "on", True),
    ("consent", {}, True, True),
    ("consent", {}, "false", False),
    ("consent", {"required": True}, "yes", True),
    ("hidden", {}, "newsletter", "newsletter"),
    ("statement", {}, "anything at all", None),
    ("statement", {"required": True}, None, None),
]


@pytest.mark.parametrize(("type_name", "spec", "raw", "value"), VALID)
def test_a_valid_answer_is_converted(type_name: str, spec: dict[str, Any], raw: object,
                                     value: object) -> None:
    assert parse(type_name, raw, **spec) == ParsedAnswer(value, None)


INVALID: list[tuple[str, dict[str, Any], object, str]] = [
    ("short_text", {}, "x" * 501, "Please enter no more than 500 characters."),
    ("short_text", {"validation": {"max_length": 3}}, "abcd",
     "Please enter no more than 3 characters."),
    ("short_text", {"validation": {"min_length": 3}}, "ab", "Please enter at least 3 characters."),
    ("short_text", {"validation": {"pattern": "[A-Z]{2}"}}, "ABC",
     "Please match the requested format."),
    ("short_text", {"validation": {"pattern": "[A-Z]{2}"}}, "xAB",
     "Please match the requested format."),
    ("short_text", {}, "two\nlines", "Please keep your answer to one line."),
    ("short_text", {}, "nul\x00byte", "Please remove the special characters"),
    ("short_text", {}, 42, "Please enter text."),
    ("short_text", {}, ["a", "b"], "Please enter text."),
    ("long_text", {}, "x" * 5001, "Please enter no more than 5000 characters."),
    ("email", {}, "ada", "Please enter a valid email address."),
    ("email", {}, "ada@localhost", "Please enter a valid email address."),
    ("email", {}, "ada@@example.com", "Please enter a valid email address."),
    ("email", {}, "ada@example..com", "Please enter a valid email address."),
    ("email", {}, ".ada@example.com", "Please enter a valid email address."),
    ("email", {}, "ada lovelace@example.com", "Please enter a valid email address."),
    ("email", {}, "ada@-example.com", "Please enter a valid email address."),
    ("email", {}, "ada@example.c", "Please enter a valid email address."),
    ("email", {}, "a" * 65 + "@example.com", "Please enter a valid email address."),
    ("email", {}, "a@" + "b" * 250 + ".com", "Please enter no more than 254 characters."),
    ("phone", {}, "12345", "Please enter a valid phone number."),
    ("phone", {}, "1" * 21, "Please enter a valid phone number."),
    ("phone", {}, "call me 555 1234", "Please enter a valid phone number."),
    ("phone", {}, "١٢٣٤٥٦٧", "Please enter a valid phone number."),
    ("number", {}, "twelve", "Please enter a number."),
    ("number", {}, "1_000", "Please enter a number."),
    ("number", {}, "1,5", "Please enter a number."),
    ("number", {}, "nan", "Please enter a number."),
    ("number", {}, "1e999", "Please enter a number."),
    ("number", {}, "٣", "Please enter a number."),
    ("number", {}, True, "Please enter a number."),
    ("number", {}, float("inf"), "Please enter a number."),
    ("number", {"validation": {"max": 100}}, "101", "Please enter a number no greater than 100."),
    ("number", {"validation": {"min": 1.5}}, 1, "Please enter a number no less than 1.5."),
    ("choice", {}, "purple", "Please choose one of the options."),
    ("choice", {}, "Red", "Please choose one of the options."),
    ("choice", {}, ["red"], "Please choose one of the options."),
    ("dropdown", {}, "purple", "Please choose one of the options."),
    ("multi_choice", {}, ["red", "purple"], "Please choose only from the options."),
    ("multi_choice", {}, [1, 2], "Please choose from the options."),
    ("multi_choice", {"validation": {"min": 2}}, ["red"], "Please choose at least 2 options."),
    ("multi_choice", {"validation": {"max": 1}}, ["red", "blue"],
     "Please choose no more than 1 option."),
    ("yes_no", {}, "maybe", "Please answer yes or no."),
    ("yes_no", {}, 1, "Please answer yes or no."),
    ("scale", {}, "6", "Please choose a number from 1 to 5."),
    ("scale", {}, "0", "Please choose a number from 1 to 5."),
    ("scale", {}, "2.5", "Please choose a number from 1 to 5."),
    ("scale", {}, True, "Please choose a number from 1 to 5."),
    ("scale", {"validation": {"min": 0, "max": 10}}, 11, "Please choose a number from 0 to 10."),
    ("date", {}, "2025-02-30", "Please enter a valid date (YYYY-MM-DD)."),
    ("date", {}, "20250101", "Please enter a valid date (YYYY-MM-DD)."),
    ("date", {}, "01/02/2025", "Please enter a valid date (YYYY-MM-DD)."),
    ("date", {"validation": {"min": "2025-01-01"}}, "2024-12-31",
     "Please enter a date on or after 2025-01-01."),
    ("date", {"validation": {"max": "2025-01-01"}}, "2025-01-02",
     "Please enter a date on or before 2025-01-01."),
    ("consent", {"required": True}, "false", "Please give your consent to continue."),
    ("consent", {"required": True}, False, "Please give your consent to continue."),
    ("consent", {}, "perhaps", "Please tick the box or leave it empty."),
    ("hidden", {"validation": {"pattern": "[a-z]+"}}, "ABC", "Please match the requested format."),
]


@pytest.mark.parametrize(("type_name", "spec", "raw", "message"), INVALID)
def test_an_invalid_answer_is_refused_with_a_friendly_message(
    type_name: str, spec: dict[str, Any], raw: object, message: str
) -> None:
    parsed = parse(type_name, raw, **spec)
    assert parsed.value is None
    assert parsed.error is not None and parsed.error.startswith(message)


INPUT_TYPES = sorted(name for name, kind in FIELD_TYPES.items() if kind.has_input)
EMPTY = [None, "", "   ", [], [""]]


@pytest.mark.parametrize("type_name", INPUT_TYPES)
@pytest.mark.parametrize("raw", EMPTY, ids=repr)
def test_empty_input_to_an_optional_field_is_no_answer(type_name: str, raw: object) -> None:
    assert parse(type_name, raw) == ParsedAnswer(None, None)


@pytest.mark.parametrize("type_name", INPUT_TYPES)
@pytest.mark.parametrize("raw", EMPTY, ids=repr)
def test_empty_input_to_a_required_field_is_an_error(type_name: str, raw: object) -> None:
    parsed = parse(type_name, raw, required=True)
    assert parsed.value is None
    assert parsed.error


@pytest.mark.parametrize(("type_name", "message"), [
    ("short_text", "Please answer this question."),
    ("multi_choice", "Please choose at least one option."),
    ("yes_no", "Please answer yes or no."),
    ("consent", "Please give your consent to continue."),
])
def test_a_required_field_says_what_is_missing(type_name: str, message: str) -> None:
    assert parse(type_name, None, required=True).error == message


# --- user-supplied patterns ---------------------------------------------------------


def test_a_pattern_must_match_the_whole_answer() -> None:
    assert parse("short_text", "AB", validation={"pattern": "A"}).error
    assert parse("short_text", "A", validation={"pattern": "A|AB"}).value == "A"
    assert parse("short_text", "AB", validation={"pattern": "A|AB"}).value == "AB"


def test_a_pattern_never_sees_an_answer_longer_than_max_length() -> None:
    spec = {"validation": {"pattern": "a*", "max_length": 10}}
    assert parse("short_text", "a" * 11, **spec).error == (
        "Please enter no more than 10 characters.")


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a*)*b", "(?:x|y+)*z", "((ab)*c)+", "(a{1,9})+"])
def test_nested_repetition_is_refused(pattern: str) -> None:
    with pytest.raises(UnsafePattern, match="repeats a repetition"):
        compile_pattern(pattern)


@pytest.mark.parametrize("pattern", ["[A-Z]{2}[0-9]{5}", "(ab)+", "(\\d{3}-)+\\d{4}",
                                     "[^@]+@example\\.com", "(?i)yes|no"])
def test_ordinary_patterns_compile(pattern: str) -> None:
    assert compile_pattern(pattern).pattern == pattern


def test_a_pattern_that_does_not_compile_is_refused() -> None:
    with pytest.raises(UnsafePattern, match="not a valid regular expression"):
        compile_pattern("(unclosed")


def test_a_long_pattern_is_refused() -> None:
    with pytest.raises(UnsafePattern, match="too long"):
        compile_pattern("a" * (MAX_PATTERN_LENGTH + 1))


def test_an_invalid_pattern_at_parse_time_is_ignored_rather_than_crashing() -> None:
    assert parse("short_text", "abc", validation={"pattern": "(a+)+"}).value == "abc"


@pytest.mark.parametrize(("type_name", "spec", "expected"), [
    ("email", {}, True), ("phone", {}, True), ("number", {}, True), ("date", {}, True),
    ("short_text", {}, False), ("long_text", {}, False),
    ("short_text", {"validation": {"pattern": "[A-Z]{2}"}}, True),
    ("long_text", {"validation": {"min_length": 20}}, True),
    ("short_text", {"validation": {"max_length": 20}}, False),
    ("dropdown", {}, False), ("choice", {}, False), ("multi_choice", {}, False),
    ("yes_no", {}, False), ("scale", {}, False), ("consent", {}, False),
])
def test_only_fields_the_browser_cannot_check_are_checked_by_the_server(
        type_name: str, spec: dict[str, Any], expected: bool) -> None:
    """A live check is a request per answer: worth it only when it can say something new."""
    assert field_type(type_name).checks_beyond_browser(make(type_name, **spec)) is expected


def test_every_check_the_server_skips_is_one_the_browser_makes() -> None:
    """Plain text and choices: what the page enforces (maxlength, options) is all parse does."""
    assert parse("short_text", "x" * 501).error  # the input's maxlength stops this first
    assert parse("dropdown", "purple").error  # a select cannot send it
    assert parse("short_text", "Ada").error is None
