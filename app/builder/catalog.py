"""What a new form can start from: a blank form or one of the bundled templates.

Templates are definition files in `app/builder/templates/`, so a marketer can read
them like any exported form; this module names and describes them. Pure.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
BLANK = "blank"


@dataclass(frozen=True)
class Template:
    key: str  # the file name without ".json"; "blank" is the empty form
    name: str
    description: str


TEMPLATES = (
    Template(BLANK, "Blank form",
             "One step with an email field and a thank-you message: build the rest yourself."),
    Template("demo-request", "Demo request",
             "Qualifies B2B demo requests: contact details, company, size, role and timeline. "
             "Small teams get a self-serve message; the others are routed (by timeline, to the "
             "'fast-track' or 'general' nurture track; point a route at a sales team's meeting "
             "in the Routing tab to book calls)."),
    Template("content-download", "Content download",
             "A gated e-book: email, first name, company and consent, then the 'general' "
             "nurture track."),
    Template("webinar-registration", "Webinar registration",
             "Email, name, company, job title and the questions people want answered."),
)


def find_template(key: str) -> Template | None:
    return next((template for template in TEMPLATES if template.key == key), None)


def blank_definition(title: str) -> dict[str, Any]:
    """The smallest form that publishes: one step asking for an email, one message ending."""
    return {
        "schema": 1,
        "title": title,
        "steps": [{"id": "contact", "title": "Your details", "fields": [
            {"id": "email", "type": "email", "label": "Your work email", "required": True,
             "property": "email"}]}],
        "endings": [{"id": "thanks", "type": "message", "title": "Thank you!",
                     "message": "Your answers have been received."}],
    }


def template_definition(key: str, title: str) -> dict[str, Any]:
    """A fresh copy of template `key` (or the blank form) titled `title`."""
    if key == BLANK:
        return blank_definition(title)
    if find_template(key) is None:
        raise KeyError(key)
    definition = copy.deepcopy(_load(key))
    definition["title"] = title
    return definition


@cache
def _load(key: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((TEMPLATE_DIR / f"{key}.json").read_text(encoding="utf-8"))
    return loaded
