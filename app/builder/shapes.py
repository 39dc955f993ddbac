"""Reading a draft that may be malformed: a list that is not a list reads as empty.

Editor changes keep drafts valid, but a draft stored before a check tightened, or
edited by hand, may hold `true`, a string or an object where a list belongs
(`x.get("next") or []` then iterates a string, or fails on `true`). Code that reads
such lists goes through these two, so a broken draft is shown, named and refused
instead of crashing the page.
"""

from __future__ import annotations

from typing import Any


def list_of(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one (positions kept: pointers stay right)."""
    return value if isinstance(value, list) else []


def objects_of(value: Any) -> list[dict[str, Any]]:
    """The objects in `value` when it is a list; nothing otherwise."""
    return [item for item in list_of(value) if isinstance(item, dict)]
