"""Editing the workspace's scoring model one rule at a time: parse what a marketer typed.

Pure: the page posts strings, this module turns them into a rule, thresholds or a
whole model, each with field-level messages, and places the scoring model's own
issues (`validate_model`, JSON pointers) next to the row and input they concern.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from app.forms.types import Issue
from app.qualify.model import DIMENSIONS, MAX_POINTS, number, show_number

MAX_REASON: Final = 200
MAX_ID: Final = 60
# A JSON pointer key of a rule, as the page names the input it came from.
_INPUT_OF_KEY: Final = {"id": "id", "if": "condition", "points": "points",
                        "dimension": "dimension", "reason": "reason",
                        "half_life_days": "half_life"}
_ROW_ISSUE: Final = re.compile(r"^/rules/(\d+)(?:/([^/]+))?")
_WHOLE: Final = re.compile(r"^[+-]?\d{1,9}$")


class EditRefused(Exception):
    """An edit that cannot apply (a row that is gone, a move past the end)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RuleInput:
    """A rule as the page posts it: every value a string."""

    id: str = ""
    condition: str = ""
    points: str = ""
    dimension: str = "fit"
    reason: str = ""
    half_life: str = ""

    @classmethod
    def of(cls, rule: dict[str, Any]) -> RuleInput:
        """The inputs that show an existing rule."""
        half_life = number(rule.get("half_life_days"))
        points = rule.get("points")
        return cls(
            id=str(rule.get("id", "")),
            condition=condition_text(rule.get("if")),
            points=str(points) if isinstance(points, int | float) else "",
            dimension=str(rule.get("dimension", "fit")),
            reason=str(rule.get("reason", "")),
            half_life=show_number(half_life) if half_life is not None else "",
        )


@dataclass(frozen=True)
class Parsed:
    """A rule (None when an input is wrong) and a message per input name."""

    rule: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)


def condition_text(condition: Any) -> str:
    """A condition as JSON a person can edit."""
    return json.dumps(condition, ensure_ascii=False)


def parse_condition(text: str) -> tuple[Any, str | None]:
    """(condition, None) or (None, why the text is not a condition)."""
    text = text.strip()
    if not text:
        return None, "Enter a condition, e.g. {\"==\": [{\"var\": \"answers.budget\"}, \"high\"]}."
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, (f"The condition is not valid JSON: {error.msg} (line {error.lineno}, "
                      f"column {error.colno}).")
    except RecursionError:
        return None, "The condition is nested too deeply."


def parse_rule(raw: RuleInput, taken_ids: Iterable[str] = (),
               condition: Any = None) -> Parsed:
    """A scoring rule from the page's inputs; `condition` overrides the JSON text when given.

    A blank id is made from the reason, unlike any of `taken_ids`.
    """
    errors: dict[str, str] = {}
    if condition is None:
        condition, problem = parse_condition(raw.condition)
        if problem:
            errors["condition"] = problem
    points_text = raw.points.strip().replace("\u2212", "-")
    points = int(points_text) if _WHOLE.match(points_text) else None
    if points is None:
        errors["points"] = "Points must be a whole number, like 10 or -15."
    elif abs(points) > MAX_POINTS:
        errors["points"] = f"Points must be between -{MAX_POINTS} and {MAX_POINTS}."
    if raw.dimension not in DIMENSIONS:
        errors["dimension"] = "Choose fit or intent."
    reason = " ".join(raw.reason.split())
    if not reason:
        errors["reason"] = "Write the reason sales will read, e.g. \"Budget over $50k\"."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    half_life: float | None = None
    if raw.half_life.strip():
        half_life = _positive(raw.half_life)
        if half_life is None:
            errors["half_life"] = "Half-life is a number of days above 0, or empty for none."
    rule_id = raw.id.strip()
    if len(rule_id) > MAX_ID:
        errors["id"] = f"Keep the name under {MAX_ID} characters."
    if errors:
        return Parsed(None, errors)
    rule: dict[str, Any] = {"id": rule_id or unique_id(reason, taken_ids), "if": condition,
                            "points": points, "dimension": raw.dimension, "reason": reason}
    if half_life is not None:
        rule["half_life_days"] = int(half_life) if half_life.is_integer() else half_life
    return Parsed(rule)


def unique_id(text: str, taken: Iterable[str]) -> str:
    """A short name from `text` (`Budget over $50k` → `budget-over-50k`), not among `taken`."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:MAX_ID - 4] or "rule"
    used = set(taken)
    candidate, counter = base, 2
    while candidate in used or candidate.startswith("cap:"):
        candidate, counter = f"{base}-{counter}", counter + 1
    return candidate


def _positive(text: str) -> float | None:
    try:
        value = number(float(text.strip()))
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


# --- changes to a model (each returns a new model) ------------------------------------------

def rules_of(model: dict[str, Any]) -> list[Any]:
    rules = model.get("rules")
    return rules if isinstance(rules, list) else []


def rule_ids(model: dict[str, Any], *, except_index: int | None = None) -> list[str]:
    return [str(rule.get("id")) for index, rule in enumerate(rules_of(model))
            if isinstance(rule, dict) and index != except_index]


def with_rule(model: dict[str, Any], rule: dict[str, Any],
              index: int | None = None) -> dict[str, Any]:
    """Add `rule` at the end, or put it in place of rule `index`."""
    changed = copy.deepcopy(model)
    rules = changed.setdefault("rules", [])
    if index is None:
        rules.append(rule)
    else:
        _check_index(rules, index)
        rules[index] = rule
    return changed


def without_rule(model: dict[str, Any], index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model without rule `index`, and the rule that went."""
    changed = copy.deepcopy(model)
    rules = rules_of(changed)
    _check_index(rules, index)
    return changed, rules.pop(index)


def moved(model: dict[str, Any], index: int, step: int) -> dict[str, Any]:
    """Rule `index` one place up (step -1) or down (+1); order is how reasons are listed."""
    changed = copy.deepcopy(model)
    rules = rules_of(changed)
    _check_index(rules, index)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(rules):
        raise EditRefused("That rule cannot move further.")
    rules[index], rules[target] = rules[target], rules[index]
    return changed


def _check_index(rules: list[Any], index: int) -> None:
    if not 0 <= index < len(rules):
        raise EditRefused("That rule is no longer in the model: reload the page.")


# --- thresholds and caps ---------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdInput:
    mql: str = ""
    sql: str = ""
    fit_cap: str = ""
    intent_cap: str = ""

    @classmethod
    def of(cls, model: dict[str, Any]) -> ThresholdInput:
        thresholds = model.get("thresholds") if isinstance(model.get("thresholds"), dict) else {}
        caps = model.get("caps") if isinstance(model.get("caps"), dict) else {}
        return cls(*(_shown(part.get(key)) for part, key in (
            (thresholds, "mql"), (thresholds, "sql"), (caps, "fit"), (caps, "intent"))))


def _shown(value: Any) -> str:
    converted = number(value)
    return show_number(converted) if converted is not None else ""


def with_thresholds(model: dict[str, Any], raw: ThresholdInput
                    ) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The model with new thresholds and caps (a blank cap: none), or messages per input."""
    errors: dict[str, str] = {}
    values: dict[str, float | None] = {}
    for name, text, required in (("mql", raw.mql, True), ("sql", raw.sql, True),
                                 ("fit_cap", raw.fit_cap, False),
                                 ("intent_cap", raw.intent_cap, False)):
        values[name] = _points(text)
        label = name.upper() if required else f"The {name.split('_')[0]} cap"
        if not text.strip() and not required:
            continue
        if values[name] is None:
            errors[name] = (f"The {label} threshold must be a number of points, 0 or more."
                            if required else f"{label} must be a number of points, 0 or more, "
                                             "or empty for no cap.")
    mql, sql = values["mql"], values["sql"]
    if mql is not None and sql is not None and mql >= sql:
        errors["mql"] = "The MQL threshold must be below the SQL threshold."
    if errors:
        return None, errors
    changed = copy.deepcopy(model)
    changed["thresholds"] = {"mql": _plain(mql), "sql": _plain(sql)}
    caps = {dimension: _plain(values[f"{dimension}_cap"]) for dimension in DIMENSIONS
            if values[f"{dimension}_cap"] is not None}
    if caps:
        changed["caps"] = caps
    else:
        changed.pop("caps", None)
    return changed, {}


def _points(text: str) -> float | None:
    try:
        value = number(float(text.strip().replace("\u2212", "-")))
    except ValueError:
        return None
    return value if value is not None and value >= 0 else None


def _plain(value: float | None) -> int | float:
    assert value is not None
    return int(value) if value.is_integer() else value


# --- where the model's own issues belong -----------------------------------------------------

@dataclass(frozen=True)
class PlacedIssues:
    """Issues by rule row and input (`rows[2]["points"]`), and those of the whole model."""

    rows: dict[int, dict[str, str]]
    other: list[Issue]


def place_issues(issues: Iterable[Issue]) -> PlacedIssues:
    rows: dict[int, dict[str, str]] = {}
    other: list[Issue] = []
    for issue in issues:
        match = _ROW_ISSUE.match(issue.path)
        if match is None:
            other.append(issue)
            continue
        name = _INPUT_OF_KEY.get(match.group(2) or "", "row")
        row = rows.setdefault(int(match.group(1)), {})
        row[name] = f"{row[name]} {issue.message}" if name in row else issue.message
    return PlacedIssues(rows, other)


__all__ = ["EditRefused", "Parsed", "PlacedIssues", "RuleInput", "ThresholdInput",
           "condition_text", "moved", "parse_condition", "parse_rule", "place_issues",
           "rule_ids", "rules_of", "unique_id", "with_rule", "with_thresholds", "without_rule"]
