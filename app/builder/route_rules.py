"""Editing a form's route: ordered rules, each a condition and a destination, and the
catch-all that always comes last. Pure: the Routing tab parses and changes with it.

The catch-all ("Everyone else") is the last rule, `"if": true`. It can be given
another destination but never removed or moved, so every respondent goes somewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from app.builder.scoring_rules import EditRefused, condition_text, parse_condition
from app.builder.shapes import objects_of
from app.qualify.routing import KINDS, lint_route

MAX_MESSAGE: Final = 1000
KIND_LABELS: Final = {"book": "Book a meeting", "nurture": "Nurture track",
                      "disqualify": "Disqualify with a message", "redirect": "Redirect"}


@dataclass(frozen=True)
class Known:
    """The workspace's destinations: `team/meeting-type` and nurture tracks, with labels.

    `tracks` is None when the workspace has no track settings: any track name is
    then accepted, as publishing does.
    """

    teams: frozenset[str] = frozenset()
    meetings: Mapping[str, str] = field(default_factory=dict)  # "team/meeting" -> label
    tracks: Mapping[str, str] | None = field(default_factory=dict)  # track -> label


@dataclass(frozen=True)
class RouteInput:
    """A route rule as the page posts it: every value a string."""

    condition: str = ""
    kind: str = ""
    book: str = ""
    nurture: str = ""
    disqualify: str = ""
    redirect: str = ""
    confirm: bool = False

    @classmethod
    def of(cls, rule: Mapping[str, Any]) -> RouteInput:
        to = rule.get("to")
        kind, target = next(iter(to.items())) if isinstance(to, Mapping) and to else ("", "")
        target = target if isinstance(target, str) else ""
        return cls(condition=condition_text(rule.get("if")), kind=str(kind),
                   confirm=rule.get("confirm") is True,
                   **{name: target for name in KINDS if name == kind})


@dataclass(frozen=True)
class ParsedRoute:
    rule: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)


def parse_destination(raw: RouteInput) -> tuple[dict[str, str] | None, str | None]:
    """({kind: target}, None) or (None, what to fix)."""
    if raw.kind not in KINDS:
        return None, "Choose where these respondents go."
    target = getattr(raw, raw.kind).strip()
    if raw.kind == "disqualify":
        target = " ".join(target.split())
    if not target:
        return None, {"book": "Choose a team's meeting type.",
                      "nurture": "Choose a nurture track.",
                      "disqualify": "Write the message these respondents will read.",
                      "redirect": "Enter the address to send them to."}[raw.kind]
    if raw.kind == "disqualify" and len(target) > MAX_MESSAGE:
        return None, f"Keep the message under {MAX_MESSAGE} characters."
    if raw.kind == "redirect" and not _https(target):
        return None, "Enter an https:// address, like https://example.com/thanks."
    return {raw.kind: target}, None


def _https(address: str) -> bool:
    try:
        parts = urlsplit(address)
    except ValueError:
        return False
    return (parts.scheme == "https" and bool(parts.hostname)
            and not any(char.isspace() for char in address))


def parse_route_rule(raw: RouteInput, *, catch_all: bool = False,
                     condition: Any = None) -> ParsedRoute:
    """A rule from the inputs; the catch-all takes no condition. `condition` overrides
    the JSON text when given (the rule builder)."""
    errors: dict[str, str] = {}
    if catch_all:
        condition = True
    elif condition is None:
        condition, problem = parse_condition(raw.condition)
        if problem:
            errors["condition"] = problem
    to, problem = parse_destination(raw)
    if problem:
        errors["destination"] = problem
    if errors:
        return ParsedRoute(None, errors)
    rule: dict[str, Any] = {"if": condition, "to": to}
    if raw.confirm:
        rule["confirm"] = True
    return ParsedRoute(rule)


# --- changes to a draft's route (in place, on the copy edit_draft hands over) -------------

def route_of(draft: Mapping[str, Any]) -> list[Any]:
    route = draft.get("route")
    return route if isinstance(route, list) else []


def has_catch_all(route: list[Any]) -> bool:
    return bool(route) and isinstance(route[-1], Mapping) and route[-1].get("if") is True


def add_rule(draft: dict[str, Any], rule: dict[str, Any]) -> None:
    """A new rule goes just before the catch-all."""
    route = _editable(draft)
    route.insert(len(route) - 1, rule)


def replace_rule(draft: dict[str, Any], index: int, rule: dict[str, Any]) -> None:
    route = _editable(draft)
    _check(route, index)
    if index == len(route) - 1:
        rule = {**rule, "if": True}
    route[index] = rule


def delete_rule(draft: dict[str, Any], index: int) -> dict[str, Any]:
    route = _editable(draft)
    _check(route, index)
    if index == len(route) - 1:
        raise EditRefused("\"Everyone else\" is the catch-all: change where it goes, but it "
                          "cannot be removed.")
    removed: dict[str, Any] = route.pop(index)
    return removed


def move_rule(draft: dict[str, Any], index: int, step: int) -> None:
    """One place up (-1) or down (+1); the catch-all stays last."""
    route = _editable(draft)
    _check(route, index)
    target = index + step
    if step not in (-1, 1) or index == len(route) - 1 or not 0 <= target < len(route) - 1:
        raise EditRefused("That rule cannot move further: \"Everyone else\" always comes last.")
    route[index], route[target] = route[target], route[index]


def start_route(draft: dict[str, Any], to: dict[str, str], routed_ending: str | None) -> None:
    """A route of one catch-all; `routed_ending` (an ending id) then shows its destination."""
    if draft.get("route"):
        raise EditRefused("This form already has routing.")
    draft["route"] = [{"if": True, "to": to}]
    if routed_ending:
        route_ending(draft, routed_ending)


def route_ending(draft: dict[str, Any], ending_id: str) -> None:
    """Ending `ending_id` becomes a routed ending: the route picks what it shows."""
    ending = next((e for e in objects_of(draft.get("endings")) if e.get("id") == ending_id),
                  None)
    if ending is None:
        raise EditRefused("That ending is no longer in the form: reload the page.")
    kept = {key: ending[key] for key in ("id", "title", "message") if key in ending}
    ending.clear()
    ending.update({**kept, "type": "route"})


def replace_route(draft: dict[str, Any], route: Any) -> None:
    """The raw JSON editor: the whole route at once (lint decides whether it stands)."""
    if not isinstance(route, list):
        raise EditRefused("The route must be a JSON list of rules: "
                          "[{\"if\": ..., \"to\": ...}, ..., {\"if\": true, \"to\": ...}].")
    draft["route"] = route


def _editable(draft: dict[str, Any]) -> list[Any]:
    route = draft.get("route")
    if not isinstance(route, list) or not has_catch_all(route):
        raise EditRefused("Fix the route in the JSON editor first: it must end with a "
                          "catch-all ({\"if\": true, ...}).")
    return route


def _check(route: list[Any], index: int) -> None:
    if not 0 <= index < len(route):
        raise EditRefused("That rule is no longer in the route: reload the page.")


# --- workspace checks (teams, meeting types and tracks that exist) -------------------------

def workspace_problems(route: Any, known: Known) -> list[dict[str, str]]:
    """Destinations the workspace does not have, with paths in the definition."""
    tracks = set(known.tracks) if known.tracks is not None else None
    problems = [issue.as_dict() for issue in lint_route(route, set(known.teams), tracks)
                if issue.message.startswith(("Unknown team", "Unknown nurture track"))]
    for index, rule in enumerate(route if isinstance(route, list) else []):
        to = rule.get("to") if isinstance(rule, Mapping) else None
        target = to.get("book") if isinstance(to, Mapping) else None
        if not isinstance(target, str):
            continue
        team, _, meeting = target.partition("/")
        if team in known.teams and target not in known.meetings:
            problems.append({"path": f"/route/{index}/to/book",
                             "message": f"Team {team!r} has no meeting type {meeting!r}."})
    return problems


def new_problems(before: Any, after: Any, known: Known) -> list[dict[str, str]]:
    """Problems `after` has that `before` did not (by message: paths move on reorder)."""
    seen = Counter(problem["message"] for problem in workspace_problems(before, known))
    fresh = []
    for problem in workspace_problems(after, known):
        if seen[problem["message"]]:
            seen[problem["message"]] -= 1
        else:
            fresh.append(problem)
    return fresh


# --- what the page shows ---------------------------------------------------------------------

def fingerprint(value: Any) -> str:
    """Which route a page showed: an edit made against another one is refused."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def describe(to: Any, known: Known) -> str:
    """A destination in words: "Book Intro call with Account executives"."""
    if not isinstance(to, Mapping) or len(to) != 1:
        return "An invalid destination"
    ((kind, target),) = to.items()
    target = str(target)
    if kind == "book":
        return f"Book: {known.meetings.get(target, target)}"
    if kind == "nurture":
        return f"Nurture: {(known.tracks or {}).get(target, target)}"
    if kind == "disqualify":
        return f"Disqualify: \u201c{target}\u201d"
    if kind == "redirect":
        return f"Redirect to {target}"
    return f"Unknown destination {kind!r}"


def routed_endings(draft: Mapping[str, Any]) -> list[str]:
    return [str(e.get("id")) for e in objects_of(draft.get("endings"))
            if e.get("type") == "route"]


def issues_by_rule(issues: Iterable[Mapping[str, str]], count: int
                   ) -> tuple[dict[int, dict[str, list[str]]], list[str]]:
    """Messages for each rule (from `/route/<i>/...` paths), by the part they concern
    (`condition`, `destination` or `rule`), and the rest."""
    rows: dict[int, dict[str, list[str]]] = {}
    other: list[str] = []
    for issue in issues:
        parts = issue.get("path", "").split("/")
        if len(parts) >= 3 and parts[1] == "route" and parts[2].isdigit() \
                and int(parts[2]) < count:
            part = {"if": "condition", "to": "destination"}.get(
                parts[3] if len(parts) > 3 else "", "rule")
            rows.setdefault(int(parts[2]), {}).setdefault(part, []).append(issue["message"])
        else:
            other.append(issue["message"])
    return rows, other


__all__ = ["KIND_LABELS", "Known", "ParsedRoute", "RouteInput", "add_rule", "delete_rule",
           "describe", "fingerprint", "has_catch_all", "issues_by_rule", "move_rule",
           "new_problems", "parse_destination", "parse_route_rule", "replace_route",
           "replace_rule", "route_ending", "route_of", "routed_endings", "start_route",
           "workspace_problems"]
