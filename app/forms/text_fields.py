"""The free-text field types: length, pattern, and the shape of an email or phone number."""

from __future__ import annotations

import re
from typing import ClassVar

from email_validator import EmailNotValidError, validate_email

from app.forms.field_rules import validation_of
from app.forms.field_types import FieldType, ParsedAnswer
from app.forms.patterns import compile_pattern, pattern_problem
from app.forms.types import Field

_TEXT_KEYS = frozenset({"min_length", "max_length", "pattern"})
# Control characters other than tab and newline; NUL also cannot be stored in PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PHONE = re.compile(r"[0-9 +\-().]+", re.ASCII)


class _Text(FieldType):
    allowed_validation = _TEXT_KEYS
    default_max_length: ClassVar[int] = 500
    multiline: ClassVar[bool] = False
    invalid_message: ClassVar[str | None] = None

    def max_length(self, field: Field) -> int:
        value = validation_of(field).get("max_length")
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
        rules = validation_of(field)
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
        rules = validation_of(field)
        return self.invalid_message is not None or "pattern" in rules or "min_length" in rules

    def definition_problems(self, field: Field) -> list[tuple[str, str]]:
        rules, problems = validation_of(field), []
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
