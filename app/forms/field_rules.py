"""Readers of a field's settings and a raw answer, shared by the field type classes."""

from __future__ import annotations

import re
from datetime import date

from app.forms.types import Field, Validation

DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def validation_of(field: Field) -> Validation:
    rules = field.get("validation")
    return rules if isinstance(rules, dict) else {}


def number_range(field: Field) -> tuple[int | float | None, int | float | None]:
    """validation.min and validation.max when they are numbers."""
    rules = validation_of(field)
    low, high = rules.get("min"), rules.get("max")
    return (low if isinstance(low, (int, float)) and not isinstance(low, bool) else None,
            high if isinstance(high, (int, float)) and not isinstance(high, bool) else None)


def min_over_max(low: float | None, high: float | None) -> list[tuple[str, str]]:
    if low is not None and high is not None and low > high:
        return [("validation/min",
                 f"min ({show_number(low)}) is greater than max ({show_number(high)}).")]
    return []


def date_rule(rules: Validation, key: str) -> date | None:
    value = rules.get(key)
    return as_date(value) if isinstance(value, str) else None


def as_date(text: str) -> date | None:
    if not DATE_SHAPE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def show_number(number: float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


def count_of_options(count: float) -> str:
    return "1 option" if count == 1 else f"{show_number(count)} options"


def option_values(field: Field) -> list[str]:
    options = field.get("options")
    return [option["value"] for option in options if isinstance(option, dict)
            and isinstance(option.get("value"), str)] if isinstance(options, list) else []


def is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple)):
        return all(isinstance(item, str) and not item.strip() for item in raw)
    return False
