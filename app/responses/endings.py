"""Endings: which one a response reached, and what a routed ending turns into. Pure."""

from __future__ import annotations

from typing import Any


def ending_destination(ending: dict[str, Any]) -> list[dict[str, Any]] | None:
    """An ending that is itself a destination (book, nurture, disqualify), as one rule."""
    kind = ending.get("type")
    target = {
        "book": f"{ending.get('team')}/{ending.get('meeting_type')}",
        "nurture": ending.get("track"),
        "disqualify": ending.get("message") or "",
    }.get(str(kind))
    return [{"if": True, "to": {kind: target}}] if target is not None else None


def resolve_ending(ending: dict[str, Any], destination: dict[str, Any] | None) -> dict[str, Any]:
    """A `route` ending becomes the destination routing chose for this response."""
    if not destination or destination.get("kind") == "none":
        return ending
    if ending.get("type") != "route":
        return {**ending, "rep": destination.get("rep")}
    kind, target = destination["kind"], destination.get("target") or ""
    resolved: dict[str, Any] = {"id": ending["id"], "type": kind, "rep": destination.get("rep")}
    if ending.get("title"):
        resolved["title"] = ending["title"]
    if kind == "book":
        team, _, meeting_type = target.partition("/")
        resolved.update(team=team, meeting_type=meeting_type)
    elif kind == "nurture":
        resolved["track"] = target
    elif kind == "disqualify":
        resolved["message"] = target
    elif kind == "redirect":
        resolved["url"] = target
    return resolved


def ending_by_id(definition: dict[str, Any], ending_id: str) -> dict[str, Any]:
    for ending in definition["endings"]:
        if ending["id"] == ending_id:
            return dict(ending)
    return dict(definition["endings"][0])
