"""Routing: a form's ordered rules, first match wins, the last one catches all."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.forms.types import Issue
from app.qualify.conditions import evaluate, operator_problem

KINDS = ("book", "nurture", "disqualify", "redirect")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class Destination:
    kind: str  # book | nurture | disqualify | redirect | none
    target: str
    rule_index: int
    fallback: bool
    errors: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "rule_index": self.rule_index,
                "fallback": self.fallback, "errors": list(self.errors)}


def route(rules: list[Any], facts: Mapping[str, Any]) -> Destination:
    """The first rule whose condition holds; a rule that errors is skipped and noted."""
    errors: list[str] = []
    items = rules if isinstance(rules, list) else []
    for index, rule in enumerate(items):
        if not isinstance(rule, Mapping):
            continue
        holds, error = evaluate(rule.get("if"), facts)
        if error:
            errors.append(f"route {index}: {error}")
        if holds and isinstance(rule.get("to"), Mapping) and len(rule["to"]) == 1:
            kind, target = next(iter(rule["to"].items()))
            return Destination(str(kind), str(target), index, index == len(items) - 1,
                               tuple(errors))
    return Destination("none", "", -1, False, tuple(errors))


def lint_route(rules: Any, known_teams: set[str] | None = None,
               known_tracks: set[str] | None = None) -> list[Issue]:
    """Mistakes that would misroute a lead, each with its path in the definition."""
    if not isinstance(rules, list) or not rules:
        return [Issue("/route", "A form with a routed ending needs a list of route rules, "
                                "ending with a catch-all.")]
    issues: list[Issue] = []
    for index, rule in enumerate(rules):
        path = f"/route/{index}"
        if not isinstance(rule, Mapping):
            issues.append(Issue(path, "Expected {\"if\": condition, \"to\": destination}."))
            continue
        if "if" not in rule:
            issues.append(Issue(f"{path}/if", "Every route needs a condition (\"if\")."))
        elif (problem := operator_problem(rule["if"])) is not None:
            issues.append(Issue(f"{path}/if", problem))
        issues += _destination_issues(f"{path}/to", rule.get("to"), known_teams, known_tracks)
    last = rules[-1]
    if not (isinstance(last, Mapping) and last.get("if") is True):
        issues.append(Issue(f"/route/{len(rules) - 1}/if",
                            "The last route must be a catch-all: use \"if\": true."))
    return issues


def _destination_issues(path: str, to: Any, teams: set[str] | None,
                        tracks: set[str] | None) -> list[Issue]:
    if not isinstance(to, Mapping) or len(to) != 1 or next(iter(to)) not in KINDS:
        return [Issue(path, "The destination must be one of {\"book\": \"team/meeting-type\"}, "
                            "{\"nurture\": \"track\"}, {\"disqualify\": \"message\"}, "
                            "{\"redirect\": \"https://...\"}.")]
    kind, target = next(iter(to.items()))
    if not isinstance(target, str) or not target.strip():
        return [Issue(f"{path}/{kind}", "The destination needs a value.")]
    if kind == "book":
        team, _, meeting = target.partition("/")
        if not (SLUG.match(team) and SLUG.match(meeting)):
            return [Issue(f"{path}/book", "Write the booking target as 'team/meeting-type'.")]
        if teams is not None and team not in teams:
            return [Issue(f"{path}/book", f"Unknown team '{team}'.")]
    if kind == "nurture" and tracks is not None and target not in tracks:
        return [Issue(f"{path}/nurture", f"Unknown nurture track '{target}'.")]
    if kind == "redirect" and not re.match(r"^https?://[^\s]+$", target):
        return [Issue(f"{path}/redirect", "A redirect must be an http(s) address.")]
    return []
