"""One class per field type: its widget, its answer, and how a posted answer is checked."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal, TypeAlias

from email_validator import EmailNotValidError, validate_email

from app.forms.patterns import compile_pattern, pattern_problem
from app.forms.types import JSON, Field, Validation

AnswerKind: TypeAlias = Literal["string", "number", "boolean", "list", "date"]

_TEXT_KEYS = frozenset({"min_length", "max_length", "pattern"})
_RANGE_KEYS = frozenset({"min", "max"})
_TRUE, _FALSE = frozenset({"yes", "true", "on", "1"}), frozenset({"no", "false", "off", "0"})
# Control characters other than tab and newline; NUL also cannot be stored in PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PHONE = re.compile(r"[0-9 +\-().]+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """A converted answer, or the friendly message saying why it was refused."""

    value: JSON
    error: str | None = None


class UnknownFieldType(KeyError):
    """A type name that no field type class claims."""


def _rules(field: Field) -> Validation:
    rules = field.get("validation")
    return rules if isinstance(rules, dict) else {}


def _range(field: Field) -> tuple[int | float | None, int | float | None]:
    """validation.min and validation.max when they are numbers."""
    rules = _rules(field)
    low, high = rules.get("min"), rules.get("max")
    return (low if isinstance(low, (int, float)) and not isinstance(low, bool) else None,
            high if isinstance(high, (int, float)) and not isinstance(high, bool) else None)


def _min_over_max(low: float | None, high: float | None) -> list[tuple[str, str]]:
    if low is not None and high is not None and low > high:
        return [("validation/min", f"min ({_show(low)}) is greater than max ({_show(high)}).")]
    return []


def _date_rule(rules: Validation, key: str) -> date | None:
    value = rules.get(key)
    return _as_date(value) if isinstance(value, str) else None


def _as_date(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _show(number: float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


def _options(count: float) -> str:
    return "1 option" if count == 1 else f"{_show(count)} options"


def _option_values(field: Field) -> list[str]:
    options = field.get("options")
    return [option["value"] for option in options if isinstance(option, dict)
            and isinstance(option.get("value"), str)] if isinstance(options, list) else []


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple)):
        return all(isinstance(item, str) and not item.strip() for item in raw)
    return False


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
        if _is_empty(raw):
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


class _Text(FieldType):
    allowed_validation = _TEXT_KEYS
    default_max_length: ClassVar[int] = 500
    multiline: ClassVar[bool] = False
    invalid_message: ClassVar[str | None] = None

    def max_length(self, field: Field) -> int:
        value = _rules(field).get("max_length")
        return value if isinstance(value, int) and not isinstance(value, bool) else (
            self.default_max_length)

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        if not isinstance(raw, str):
            return ParsedAnswer(None, "Please enter text.")
        text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not self.multiline and "\n" in text:
            return ParsedAnswer(None, "Please keep your answer to one line.")
        if _CONTROL.search(text):
            return ParsedAnswer(None, "Please remove the special characters from your answer.")
        rules = _rules(field)
        low, high = rules.get("min_length"), self.max_length(field)
        if isinstance(low, int) and len(text) < low:
            return ParsedAnswer(None, f"Please enter at least {low} characters.")
        if len(text) > high:
            return ParsedAnswer(None, f"Please enter no more than {high} characters.")
        if not self.well_formed(text):
            return ParsedAnswer(None, self.invalid_message)
        pattern = rules.get("pattern")
        if isinstance(pattern, str) and pattern_problem(pattern) is None:
            if compile_pattern(pattern).fullmatch(text) is None:
                return ParsedAnswer(None, "Please match the requested format.")
        return ParsedAnswer(text)

    def well_formed(self, text: str) -> bool:
        return True

    def checks_beyond_browser(self, field: Field) -> bool:
        rules = _rules(field)
        return self.invalid_message is not None or "pattern" in rules or "min_length" in rules

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        rules, problems = _rules(field), []
        low, high = rules.get("min_length"), rules.get("max_length")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            problems.append(("validation/min_length",
                             f"min_length ({low}) is greater than max_length ({high})."))
        elif isinstance(low, int) and high is None and low > self.default_max_length:
            problems.append(("validation/min_length", f"min_length ({low}) is greater than the "
                             f"default max_length ({self.default_max_length})."))
        pattern = rules.get("pattern")
        if isinstance(pattern, str) and (problem := pattern_problem(pattern)):
            problems.append(("validation/pattern", problem))
        return problems


class ShortText(_Text):
    name, input_widget = "short_text", "text"


class LongText(_Text):
    name, input_widget = "long_text", "textarea"
    default_max_length, multiline = 5000, True


class Email(_Text):
    name, input_widget = "email", "email"
    default_max_length = 254
    invalid_message = "Please enter a valid email address."

    def well_formed(self, text: str) -> bool:
        # The same validator that keys contacts, so an accepted answer always
        # becomes a contact; no DNS lookups.
        try:
            domain = validate_email(text, check_deliverability=False).domain
        except EmailNotValidError:
            return False
        # RFC 5321's 64-character local part; no one-letter top-level domains.
        return len(text.rsplit("@", 1)[0]) <= 64 and len(domain.rsplit(".", 1)[-1]) >= 2


class Phone(_Text):
    name, input_widget = "phone", "tel"
    default_max_length = 50
    invalid_message = "Please enter a valid phone number."

    def well_formed(self, text: str) -> bool:
        digits = sum(char.isdigit() for char in text)
        return _PHONE.fullmatch(text) is not None and 6 <= digits <= 20


class Hidden(_Text):
    name, input_widget = "hidden", "hidden"
    required_message = "A required hidden value is missing."


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
        low, high = _range(field)
        if low is not None and value < low:
            return ParsedAnswer(None, f"Please enter a number no less than {_show(low)}.")
        if high is not None and value > high:
            return ParsedAnswer(None, f"Please enter a number no greater than {_show(high)}.")
        return ParsedAnswer(value)

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        return _min_over_max(*_range(field))


class Scale(FieldType):
    name, input_widget, answer_kind = "scale", "scale", "number"
    allowed_validation = _RANGE_KEYS
    default_min: ClassVar[int] = 1
    default_max: ClassVar[int] = 5

    def bounds(self, field: Field) -> tuple[int, int]:
        """The lowest and highest point, defaults applied."""
        low, high = _range(field)
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
        return _min_over_max(*self.bounds(field))


class Choice(FieldType):
    name, input_widget, has_options = "choice", "radio", True

    def convert(self, field: Field, raw: object) -> ParsedAnswer:
        if isinstance(raw, str) and raw in _option_values(field):
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
        values = _option_values(field)
        chosen = {pick for pick in picks if pick.strip()}
        if not chosen <= set(values):
            return ParsedAnswer(None, "Please choose only from the options.")
        low, high = _range(field)
        if low is not None and len(chosen) < low:
            return ParsedAnswer(None, f"Please choose at least {_options(low)}.")
        if high is not None and len(chosen) > high:
            return ParsedAnswer(None, f"Please choose no more than {_options(high)}.")
        return ParsedAnswer([value for value in values if value in chosen])

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        low, high = _range(field)
        count = len(_option_values(field))
        if low is not None and count and low > count:
            return [("validation/min",
                     f"min ({_show(low)}) is greater than the number of options ({count}).")]
        return _min_over_max(low, high)


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
        day = _as_date(text)
        if day is None:
            return ParsedAnswer(None, "Please enter a valid date (YYYY-MM-DD).")
        rules = _rules(field)
        earliest, latest = _date_rule(rules, "min"), _date_rule(rules, "max")
        if earliest is not None and day < earliest:
            return ParsedAnswer(None, f"Please enter a date on or after {earliest.isoformat()}.")
        if latest is not None and day > latest:
            return ParsedAnswer(None, f"Please enter a date on or before {latest.isoformat()}.")
        return ParsedAnswer(day.isoformat())

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        rules, problems = _rules(field), []
        for key in ("min", "max"):
            value = rules.get(key)
            if isinstance(value, str) and _DATE.fullmatch(value) and _as_date(value) is None:
                problems.append((f"validation/{key}", f"'{value[:20]}' is not a real date."))
        earliest, latest = _date_rule(rules, "min"), _date_rule(rules, "max")
        if earliest is not None and latest is not None and earliest > latest:
            problems.append(("validation/min", f"min ({earliest.isoformat()}) is after "
                             f"max ({latest.isoformat()})."))
        return problems


class Statement(FieldType):
    name, input_widget, has_input, answer_kind = "statement", "statement", False, None

    def parse(self, field: Field, raw: object) -> ParsedAnswer:
        """Text only: whatever was posted is ignored."""
        return ParsedAnswer(None)


def build_registry(*types: type[FieldType]) -> dict[str, FieldType]:
    """One instance per type, refusing two classes that claim the same name."""
    registry: dict[str, FieldType] = {}
    for cls in types:
        if cls.name in registry:
            raise ValueError(f"Field type {cls.name!r} is registered twice.")
        registry[cls.name] = cls()
    return registry


FIELD_TYPES: dict[str, FieldType] = build_registry(
    ShortText, LongText, Email, Phone, Number, Choice, MultiChoice, Dropdown, YesNo, Scale,
    Date, Consent, Statement, Hidden,
)


def field_type(name: str) -> FieldType:
    """The field type called `name`, or UnknownFieldType."""
    try:
        return FIELD_TYPES[name]
    except KeyError:
        raise UnknownFieldType(name) from None
