"""Issue locations in words, and which editor tab and element they open."""

from __future__ import annotations

from typing import Any

import pytest

from app.builder.locations import describe, parse_pointer

DEFINITION: dict[str, Any] = {
    "schema": 1, "title": "Demo",
    "steps": [
        {"id": "intro", "fields": [{"id": "email", "type": "email", "label": "Email"}]},
        {"id": "about", "title": "About you", "fields": [
            {"id": "size", "type": "choice", "label": "Company size",
             "options": [{"value": "small"}, {"value": "large"}]},
            {"id": "x", "type": "hidden"}]},
    ],
    "endings": [{"id": "thanks", "type": "message", "title": "Thanks!"}],
    "route": [{"if": True, "to": {"nurture": "general"}}],
}


@pytest.mark.parametrize(("pointer", "label", "element", "tab"), [
    ("/steps/1/fields/0", "Step 2 ‘About you’ › Field ‘Company size’", "/steps/1/fields/0",
     "build"),
    ("/steps/1/fields/0/options/1", "Step 2 ‘About you’ › Field ‘Company size’ › Option ‘large’",
     "/steps/1/fields/0", "build"),
    ("/steps/1/fields/0/label", "Step 2 ‘About you’ › Field ‘Company size’ › Label",
     "/steps/1/fields/0", "build"),
    ("/steps/0", "Step 1 ‘intro’", "/steps/0", "build"),
    ("/steps/1/fields/1/id", "Step 2 ‘About you’ › Field ‘x’ › Id", "/steps/1/fields/1", "build"),
    ("/steps/0/next/0/if", "Step 1 ‘intro’ › Branch 1", "/steps/0", "logic"),
    ("/steps/1/visible_if", "Step 2 ‘About you’ › Show-if condition", "/steps/1", "logic"),
    ("/steps/1/fields/0/visible_if/==/0",
     "Step 2 ‘About you’ › Field ‘Company size’ › Show-if condition", "/steps/1/fields/0",
     "logic"),
    ("/endings/0", "Ending 1 ‘Thanks!’", "/endings/0", "build"),
    ("/endings/0/track", "Ending 1 ‘Thanks!’ › Nurture track", "/endings/0", "build"),
    ("/route/0/to/nurture", "Route rule 1", "", "routing"),
    ("/route", "Route rules", "", "routing"),
    ("", "The whole form", "", "build"),
    ("/title", "Form title", "", "build"),
    ("/settings/allowed_domains/0", "Settings › Allowed domains", "", "share"),
])
def test_describe(pointer: str, label: str, element: str, tab: str) -> None:
    location = describe(DEFINITION, pointer)

    assert (location.label, location.element, location.tab) == (label, element, tab)
    assert location.pointer == pointer


def test_a_place_that_is_not_there_still_reads() -> None:
    assert describe(DEFINITION, "/steps/9/fields/3").label == "Step 10 › Field 4"
    assert describe(None, "/steps/0").label == "Step 1"


def test_pointer_escapes() -> None:
    assert parse_pointer("/a~1b/c~0d/0") == ["a/b", "c~d", "0"]
