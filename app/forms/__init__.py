"""Form definitions: the JSON Schema, validation with JSON-pointer paths, field types."""

from app.forms.field_types import FieldType, ParsedAnswer
from app.forms.fields import FIELD_TYPES, field_type
from app.forms.types import (
    Branch,
    Definition,
    Ending,
    Field,
    Issue,
    Option,
    Settings,
    Step,
    Validation,
)
from app.forms.validation import load_schema, parse_definition_text, validate

__all__ = [
    "FIELD_TYPES",
    "Branch",
    "Definition",
    "Ending",
    "Field",
    "FieldType",
    "Issue",
    "Option",
    "ParsedAnswer",
    "Settings",
    "Step",
    "Validation",
    "field_type",
    "load_schema",
    "parse_definition_text",
    "validate",
]
