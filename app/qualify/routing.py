"""Routing: a form's ordered rules, first match wins, the last one catches all."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from app.forms.types import Issue
from app.logic.jsonlogic import truthy
from app.qualify.conditions import as_facts, evaluate, structural_problem

KINDS: Final = ("book", "nurture", "disqualify", "redirect")
SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # as team and meeting-type slugs
CATCH_ALL: Final = "The last route must be a catch-all: use \"if\": true."
_RULE_KEYS: Final = frozenset({"if", "to", "confirm"})


@dataclass(frozen=True)
class Destination:
    """Where a respondent goes; kind "none" when no rule matched (a broken route)."""

    kind: str  # book | nurture | disqualify | redirect | none
    target: str
    rule_index: int  # -1 for "none"
    fallback: bool  # the catch-all (last rule) was taken
    errors: tuple[str, ...] = ()  # rules skipped because they could not be evaluated
    confirm: bool = False  # the rule asks for a confirmation email to the prospect

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "rule_index": self.rule_index,
                "fallback": self.fallback, "errors": list(self.errors), "confirm": self.confirm}


def route(rules: list[Any], facts: Mapping[str, Any]) -> Destination:
    """The first rule whose condition holds; never raises.

    A rule that cannot be evaluated, or whose destination is invalid, is skipped and
    noted in `errors`, so the catch-all still catches the respondent.
    """
    data = as_facts(facts)
    items = rules if isinstance(rules, list) else []
    errors = [] if isinstance(rules, list) else ["The route is not a list of rules."]
    for index, rule in enumerate(items):
        if not isinstance(rule, Mapping) or "if" not in rule:
            errors.append(f"route {index}: not a rule with a condition")
            continue
        holds, error = evaluate(rule["if"], data)
        if error:
            errors.append(f"route {index}: {error}")
        if not holds:
            continue
        to = rule.get("to")
        problem = next(_destination_problems("", to, None, None), None)
        if problem is not None or not isinstance(to, Mapping):
            errors.append(f"route {index}: {problem.message if problem else 'no destination'}")
            continue
        ((kind, target),) = to.items()
        return Destination(kind, target, index, index == len(items) - 1, tuple(errors),
                           confirm=rule.get("confirm") is True)
    return Destination("none", "", -1, False, tuple(errors))


def lint_route(rules: Any, known_teams: set[str] | None = None,
               known_tracks: set[str] | None = None) -> list[Issue]:
    """Mistakes that would misroute a lead, with paths in the form definition; never raises.

    Teams and tracks are only checked against the known sets when they are given.
    """
    try:
        return list(_route_issues(rules, known_teams, known_tracks))
    except Exception as error:  # noqa: BLE001 - a checker must not crash on junk
        return [Issue("/route", f"The route could not be checked: {error}")]


def _route_issues(rules: Any, teams: set[str] | None,
                  tracks: set[str] | None) -> Iterator[Issue]:
    if not isinstance(rules, list) or not rules:
        yield Issue("/route", "A form with a routed ending needs a list of route rules, "
                              "ending with a catch-all.")
        return
    caught_by: int | None = None
    for index, rule in enumerate(rules):
        path = f"/route/{index}"
        if not isinstance(rule, Mapping):
            yield Issue(path, "Expected {\"if\": condition, \"to\": destination}.")
            continue
        if caught_by is not None:
            yield Issue(path, f"This route can never be taken: route {caught_by} before it "
                              "catches everyone.")
        for key in rule:
            if key not in _RULE_KEYS:
                yield Issue(f"{path}/{key}", f"Unknown key {str(key)[:40]!r}.")
        if "confirm" in rule and not isinstance(rule["confirm"], bool):
            yield Issue(f"{path}/confirm", "\"confirm\" is true (email the prospect a "
                                           "confirmation) or false.")
        if "if" not in rule:
            yield Issue(f"{path}/if", "Every route needs a condition (\"if\").")
        elif (problem := structural_problem(rule["if"])) is not None:
            yield Issue(f"{path}/if", problem)
        elif caught_by is None and _always(rule["if"]):
            caught_by = index
        yield from _destination_problems(f"{path}/to", rule.get("to"), teams, tracks)
    last = rules[-1]
    if not (isinstance(last, Mapping) and last.get("if") is True):
        yield Issue(f"/route/{len(rules) - 1}/if", CATCH_ALL)


def _always(condition: Any) -> bool:
    """A literal condition that is always true (`true`, `1`, `"yes"`): a catch-all."""
    return not isinstance(condition, dict | list) and truthy(condition)


def _destination_problems(path: str, to: Any, teams: set[str] | None,
                          tracks: set[str] | None) -> Iterator[Issue]:
    if not isinstance(to, Mapping) or len(to) != 1 or next(iter(to)) not in KINDS:
        yield Issue(path, "The destination must be one of {\"book\": \"team/meeting-type\"}, "
                          "{\"nurture\": \"track\"}, {\"disqualify\": \"message\"}, "
                          "{\"redirect\": \"https://...\"}: exactly one key.")
        return
    ((kind, target),) = to.items()
    path = f"{path}/{kind}"
    if not isinstance(target, str) or not target.strip():
        yield Issue(path, "The destination needs a value.")
    elif kind == "book":
        team, _, meeting = target.partition("/")
        if not (SLUG.match(team) and SLUG.match(meeting)):
            yield Issue(path, "Write the booking target as 'team/meeting-type' (lowercase "
                              "letters, digits and '-').")
        elif teams is not None and team not in teams:
            yield Issue(path, f"Unknown team {team!r}.")
    elif kind == "nurture" and tracks is not None and target not in tracks:
        yield Issue(path, f"Unknown nurture track {target[:60]!r}.")
    elif kind == "redirect" and not _is_web_address(target):
        yield Issue(path, "A redirect must be an http(s) address, like https://example.com/.")


def _is_web_address(target: str) -> bool:
    if any(char.isspace() or ord(char) < 32 for char in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


__all__ = ["CATCH_ALL", "KINDS", "Destination", "lint_route", "route"]
