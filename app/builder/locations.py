"""Where an issue is, in words and as a place in the editor.

Review issues carry JSON pointers (`/steps/1/fields/0/options/2`); a marketer needs
"Step 2 ‘About you’ › Field ‘Company size’ › Option 3" and a link that opens
that element in the tab that edits it. Pure; tolerant of odd documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from app.builder.changes import shorten

Tab = Literal["build", "logic", "routing", "share"]
CONDITION_KEYS = frozenset({"visible_if", "next"})
SEPARATOR = " › "

KEY_WORDS = {  # keys of steps, fields and endings
    "id": "Id", "type": "Type", "label": "Label", "help": "Help text", "why": "Why we ask",
    "placeholder": "Placeholder", "required": "Required", "validation": "Validation",
    "options": "Options", "property": "Contact property", "visible_if": "Show-if condition",
    "prefill": "Prefill", "title": "Title", "fields": "Fields", "message": "Message",
    "url": "Address", "team": "Team", "meeting_type": "Meeting type", "track": "Nurture track",
}
TOP_KEYS = {
    "schema": "Format version", "title": "Form title", "description": "Form description",
    "display": "Display", "hidden": "Hidden fields", "settings": "Settings",
    "profiling": "Progressive profiling",
}


@dataclass(frozen=True)
class Location:
    label: str  # "Step 2 ‘About you’ › Field ‘Company size’"
    element: str  # pointer of the step, field or ending to open ("" for the form itself)
    tab: Tab
    pointer: str  # the issue's own pointer, for an anchor in the tab


def parse_pointer(pointer: str) -> list[str]:
    """RFC 6901 tokens: '/a~1b/0' → ['a/b', '0']."""
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def describe(definition: Any, pointer: str) -> Location:
    tokens = parse_pointer(pointer)
    document = definition if isinstance(definition, dict) else {}
    if not tokens:
        return Location("The whole form", "", "build", pointer)
    head, rest = tokens[0], tokens[1:]
    if head == "steps" and rest:
        return _in_step(document, rest, pointer)
    if head == "endings" and rest:
        index = _index(rest[0])
        ending = _item(document.get("endings"), index)
        label = _numbered("Ending", index, ending, "title")
        return Location(_join(label, _key_words(rest[1:])), f"/endings/{rest[0]}", "build",
                        pointer)
    if head == "route":
        index = _index(rest[0]) if rest else None
        label = f"Route rule {index + 1}" if index is not None else "Route rules"
        return Location(label, "", "routing", pointer)
    if head == "profiling" and len(rest) >= 2 and rest[0] == "queue":
        question = _item(_mapping(document.get("profiling")).get("queue"), _index(rest[1]))
        label = _numbered("Profiling question", _index(rest[1]), question, "label")
        return Location(label, "", "build", pointer)
    if head == "settings":
        return Location("Settings › Allowed domains" if rest[:1] == ["allowed_domains"]
                        else "Settings", "", "share", pointer)
    return Location(TOP_KEYS.get(head, f"‘{shorten(head)}’"), "", "build", pointer)


def _in_step(document: dict[str, Any], rest: list[str], pointer: str) -> Location:
    step_index = _index(rest[0])
    step = _item(document.get("steps"), step_index)
    parts = [_numbered("Step", step_index, step, "title")]
    element, tab = f"/steps/{rest[0]}", "build"
    tail = rest[1:]
    if len(tail) >= 2 and tail[0] == "fields":
        field_index = _index(tail[1])
        field = _item(step.get("fields"), field_index)
        parts.append(_named("Field", field, "label", field_index))
        element = f"{element}/fields/{tail[1]}"
        tail = tail[2:]
        if tail[:1] == ["options"] and len(tail) >= 2 and _index(tail[1]) is not None:
            option = _item(field.get("options"), _index(tail[1]))
            parts.append(_named("Option", option, "value", _index(tail[1])))
            tail = []
        elif tail:
            parts.append(KEY_WORDS.get(tail[0], shorten(tail[0])))
    elif tail[:1] == ["next"]:
        branch = _index(tail[1]) if len(tail) >= 2 else None
        parts.append(f"Branch {branch + 1}" if branch is not None else "Branches")
    elif tail[:1] == ["visible_if"]:
        parts.append("Show-if condition")
    elif tail:
        parts.append(KEY_WORDS.get(tail[0], shorten(tail[0])))
    if any(token in CONDITION_KEYS for token in rest[1:]):
        tab = "logic"
    return Location(SEPARATOR.join(parts), element, tab, pointer)  # type: ignore[arg-type]


def _index(token: str) -> int | None:
    return int(token) if token.isdigit() else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _item(items: Any, index: int | None) -> dict[str, Any]:
    if index is None or not isinstance(items, list) or index >= len(items):
        return {}
    return _mapping(items[index])


def _numbered(kind: str, index: int | None, item: dict[str, Any], key: str) -> str:
    """'Step 2 ‘About you’' (its title, else its id)."""
    number = f" {index + 1}" if index is not None else ""
    name = item.get(key) or item.get("id")
    return f"{kind}{number} ‘{shorten(name)}’" if name else f"{kind}{number}"


def _named(kind: str, item: dict[str, Any], key: str, index: int | None) -> str:
    """'Field ‘Company size’' (its label, else its id, else its position)."""
    name = item.get(key) or item.get("id")
    if name:
        return f"{kind} ‘{shorten(name)}’"
    return f"{kind} {index + 1}" if index is not None else kind


def _key_words(tokens: list[str]) -> str:
    return KEY_WORDS.get(tokens[0], shorten(tokens[0])) if tokens else ""


def _join(*parts: str) -> str:
    return SEPARATOR.join(part for part in parts if part)
