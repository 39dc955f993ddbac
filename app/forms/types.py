"""Typed shapes of a form definition, so callers can name what they pass around."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Required, TypeAlias, TypedDict

JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None
"""Any JSON value; conditions (JsonLogic) are typed as this."""

FieldTypeName: TypeAlias = Literal[
    "short_text", "long_text", "email", "phone", "number", "choice", "multi_choice",
    "dropdown", "yes_no", "scale", "date", "consent", "statement", "hidden",
]
EndingTypeName: TypeAlias = Literal[
    "message", "redirect", "book", "nurture", "disqualify", "route",
]


class Option(TypedDict, total=False):
    value: Required[str]
    label: str


class Validation(TypedDict, total=False):
    """Which keys apply depends on the field type (see fields.FieldType.allowed_validation).

    `min`/`max` are numbers for number, scale and multi_choice, and YYYY-MM-DD
    strings for date.
    """

    min: int | float | str
    max: int | float | str
    min_length: int
    max_length: int
    pattern: str


class Field(TypedDict, total=False):
    id: Required[str]
    type: Required[str]
    label: str
    help: str
    why: str
    placeholder: str
    required: bool
    validation: Validation
    options: list[Option]
    property: str
    visible_if: JSON
    prefill: bool


# "if" is a keyword, hence the functional form.
Branch = TypedDict("Branch", {"if": JSON, "goto": str})


class Step(TypedDict, total=False):
    id: Required[str]
    fields: Required[list[Field]]
    title: str
    visible_if: JSON
    next: list[Branch]


class Ending(TypedDict, total=False):
    id: Required[str]
    type: Required[str]
    title: str
    message: str
    url: str
    team: str
    meeting_type: str
    track: str


FontName: TypeAlias = Literal["system", "humanist", "geometric", "serif", "rounded", "mono"]


class Theme(TypedDict, total=False):
    """The public form's look; app.builder.theme fills in the defaults."""

    primary_color: str  # "#rrggbb"
    background_color: str
    text_color: str
    font: FontName
    corner_radius: int  # pixels, 0 to 24
    logo_url: str  # https:// only
    logo_alt: str
    button_text: str
    continue_text: str


class Settings(TypedDict, total=False):
    allowed_domains: list[str]
    theme: Theme


class Definition(TypedDict, total=False):
    schema: Required[int]
    title: Required[str]
    steps: Required[list[Step]]
    endings: Required[list[Ending]]
    description: str
    display: Literal["steps", "conversational"]
    hidden: list[str]
    settings: Settings
    profiling: dict[str, JSON]
    route: list[JSON]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a definition, located by a JSON pointer ("" is the whole document)."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}
