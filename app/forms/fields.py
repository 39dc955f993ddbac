"""The field types by name: one instance each, checked for duplicate names at import."""

from __future__ import annotations

from app.forms.field_types import (
    Choice,
    Consent,
    Date,
    Dropdown,
    FieldType,
    MultiChoice,
    Number,
    Scale,
    Statement,
    YesNo,
)
from app.forms.text_fields import Email, Hidden, LongText, Phone, ShortText


class UnknownFieldType(KeyError):
    """A type name that no field type class claims."""


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
