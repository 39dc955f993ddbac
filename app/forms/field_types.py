"""What a field type is, and the types that are not free text: numbers, choices, dates.

Each class declares its widget and answer and checks a posted answer; free-text types
are in app.forms.text_fields, the registry by name in app.forms.fields.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeAlias

from app.forms.field_rules import (
    DATE_SHAPE,
    as_date,
    count_of_options,
    date_rule,
    is_empty,
    min_over_max,
    number_range,
    option_values,
    show_number,
    validation_of,
)
from app.forms.types import JSON, Field

AnswerKind: TypeAlias = Literal["string", "number", "boolean", "list", "date"]

_RANGE_KEYS = frozenset({"min", "max"})
_TRUE, _FALSE = frozenset({"yes", "true", "on", "1"}), frozenset({"no", "false", "off", "0"})
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """A converted answer, or the friendly message saying why it was refused."""

    value: JSON
    error: str | None = None


class FieldType:
    """Base of every field type; subclasses declare attributes and implement `convert`."""

    name: ClassVar[str]
    input_widget: ClassVar[str]
    has_input: ClassVar[bool] = True
    has_options: ClassVar[bool] = False
    answer_kind: ClassVar[AnswerKind | None] = "string"
    allowed_validation: ClassVar[frozenset[str]] = frozenset()
    required_message: ClassVar[str] = "Please answer this question."

    def parse(self, field: Field, raw: object) -> ParsedAnswer:
        """Convert and check what a browser (strings) or an API (typed JSON) sent."""
        if is_empty(raw):
            error = self.required_message if field.get("required") is True else None
            return ParsedAnswer(None, error)
        return self.convert(field, raw)

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        raise NotImplementedError

    def checks_beyond_browser(self, field: Field) -> bool:
        """Whether `parse` can refuse what the browser's own input already allows.

        Only such fields are re-checked on the server as the visitor leaves them: a
        dropdown or a plain text box can say nothing new before the step is sent.
        """
        return False

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        """Mistakes in this field's settings that the JSON Schema cannot express.

        Each is (pointer relative to the field, message).
        """
        return []


class Number(FieldType):
    name, input_widget, answer_kind = "number", "number", "number"
    allowed_validation = _RANGE_KEYS

    def checks_beyond_browser(self, field: Field) -> bool:
        return True

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        value: int | float | None = None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and len(text := raw.strip()) <= 100 and _NUMBER.fullmatch(text):
            value = int(text) if _INTEGER.fullmatch(text) else float(text)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return ParsedAnswer(None, "Please enter a number.")
        low, high = number_range(field)
        if low is not None and value < low:
            return ParsedAnswer(None, f"Please enter a number no less than {show_number(low)}.")
        if high is not None and value > high:
            return ParsedAnswer(None, f"Please enter a number no greater than {show_number(high)}.")
        return ParsedAnswer(value)

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        return min_over_max(*number_range(field))


class Scale(FieldType):
    name, input_widget, answer_kind = "scale", "scale", "number"
    allowed_validation = _RANGE_KEYS
    default_min: ClassVar[int] = 1
    default_max: ClassVar[int] = 5

    def bounds(self, field: Field) -> tuple[int, int]:
        """The lowest and highest point, defaults applied."""
        low, high = number_range(field)
        return (int(low) if low is not None else self.default_min,
                int(high) if high is not None else self.default_max)

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        low, high = self.bounds(field)
        value: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, str) and len(text := raw.strip()) <= 10 and _INTEGER.fullmatch(text):
            value = int(text)
        if value is None or not low <= value <= high:
            return ParsedAnswer(None, f"Please choose a number from {low} to {high}.")
        return ParsedAnswer(value)

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        return min_over_max(*self.bounds(field))


class Choice(FieldType):
    name, input_widget, has_options = "choice", "radio", True

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        if isinstance(raw, str) and raw in option_values(field):
            return ParsedAnswer(raw)
        return ParsedAnswer(None, "Please choose one of the options.")


class Dropdown(Choice):
    name, input_widget = "dropdown", "select"


class MultiChoice(FieldType):
    name, input_widget, has_options, answer_kind = "multi_choice", "checkbox", True, "list"
    allowed_validation = _RANGE_KEYS
    required_message = "Please choose at least one option."

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        picks = [raw] if isinstance(raw, str) else raw
        if not isinstance(picks, (list, tuple)) or not all(isinstance(p, str) for p in picks):
            return ParsedAnswer(None, "Please choose from the options.")
        values = option_values(field)
        chosen = {pick for pick in picks if pick.strip()}
        if not chosen <= set(values):
            return ParsedAnswer(None, "Please choose only from the options.")
        low, high = number_range(field)
        if low is not None and len(chosen) < low:
            return ParsedAnswer(None, f"Please choose at least {count_of_options(low)}.")
        if high is not None and len(chosen) > high:
            return ParsedAnswer(None, f"Please choose no more than {count_of_options(high)}.")
        return ParsedAnswer([value for value in values if value in chosen])

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        low, high = number_range(field)
        count = len(option_values(field))
        if low is not None and count and low > count:
            return [("validation/min",
                     f"min ({show_number(low)}) is greater than the number of options ({count}).")]
        return min_over_max(low, high)


class YesNo(FieldType):
    name, input_widget, answer_kind = "yes_no", "yes_no", "boolean"
    required_message = "Please answer yes or no."

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        if isinstance(raw, bool):
            return ParsedAnswer(raw)
        word = raw.strip().lower() if isinstance(raw, str) else None
        if word in _TRUE or word in _FALSE:
            return ParsedAnswer(word in _TRUE)
        return ParsedAnswer(None, "Please answer yes or no.")


class Consent(FieldType):
    name, input_widget, answer_kind = "consent", "consent", "boolean"
    required_message = "Please give your consent to continue."

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        word = raw.strip().lower() if isinstance(raw, str) else None
        if isinstance(raw, bool) or word in _TRUE or word in _FALSE:
            given = raw if isinstance(raw, bool) else word in _TRUE
            if not given and field.get("required") is True:
                return ParsedAnswer(None, self.required_message)
            return ParsedAnswer(given)
        return ParsedAnswer(None, "Please tick the box or leave it empty.")


class Date(FieldType):
    name, input_widget, answer_kind = "date", "date", "date"
    allowed_validation = _RANGE_KEYS

    def checks_beyond_browser(self, field: Field) -> bool:
        return True

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        text = raw.strip() if isinstance(raw, str) else ""
        day = as_date(text)
        if day is None:
            return ParsedAnswer(None, "Please enter a valid date (YYYY-MM-DD).")
        rules = validation_of(field)
        earliest, latest = date_rule(rules, "min"), date_rule(rules, "max")
        if earliest is not None and day < earliest:
            return ParsedAnswer(None, f"Please enter a date on or after {earliest.isoformat()}.")
        if latest is not None and day > latest:
            return ParsedAnswer(None, f"Please enter a date on or before {latest.isoformat()}.")
        return ParsedAnswer(day.isoformat())

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        rules, problems = validation_of(field), []
        for key in ("min", "max"):
            value = rules.get(key)
            if isinstance(value, str) and DATE_SHAPE.fullmatch(value) and as_date(value) is None:
                problems.append((f"validation/{key}", f"'{value[:20]}' is not a real date."))
        earliest, latest = date_rule(rules, "min"), date_rule(rules, "max")
        if earliest is not None and latest is not None and earliest > latest:
            problems.append(("validation/min", f"min ({earliest.isoformat()}) is after "
                             f"max ({latest.isoformat()})."))
        return problems


class Statement(FieldType):
    name, input_widget, has_input, answer_kind = "statement", "statement", False, None

    def parse(self, field: Field, raw: object) -> ParsedAnswer:
        """Text only: whatever was posted is ignored."""
        return ParsedAnswer(None)
