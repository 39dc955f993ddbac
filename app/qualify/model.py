"""The scoring model's shape, checked with JSON-pointer paths before it is stored."""

from __future__ import annotations

from typing import Any

from app.forms.types import Issue
from app.qualify.conditions import operator_problem, unknown_roots

DIMENSIONS = ("fit", "intent")
MAX_POINTS = 1000
MAX_RULES = 500


def validate_model(model: object) -> list[Issue]:
    """Every problem with its path; never raises."""
    try:
        return _validate(model)
    except Exception as error:  # noqa: BLE001 - a checker must not crash on junk
        return [Issue("", f"The scoring model could not be checked: {error}")]


def _validate(model: object) -> list[Issue]:
    if not isinstance(model, dict):
        return [Issue("", "The scoring model must be a JSON object.")]
    issues: list[Issue] = []
    known = {"schema", "rules", "caps", "thresholds", "sql_gates"}
    issues += [Issue(f"/{key}", f"Unknown key '{key}'.") for key in model if key not in known]
    if model.get("schema") != 1:
        issues.append(Issue("/schema", "Expected \"schema\": 1."))
    rules = model.get("rules")
    if not isinstance(rules, list):
        issues.append(Issue("/rules", "Expected a list of rules."))
        rules = []
    elif len(rules) > MAX_RULES:
        issues.append(Issue("/rules", f"At most {MAX_RULES} rules."))
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        issues += _rule_issues(f"/rules/{index}", rule, seen, index)
    issues += _caps_issues(model.get("caps"))
    issues += _threshold_issues(model.get("thresholds"))
    gates = model.get("sql_gates", [])
    if not isinstance(gates, list):
        issues.append(Issue("/sql_gates", "Expected a list of gates."))
    else:
        for index, gate in enumerate(gates):
            issues += _gate_issues(f"/sql_gates/{index}", gate)
    return issues


def _rule_issues(path: str, rule: Any, seen: dict[str, int], index: int) -> list[Issue]:
    if not isinstance(rule, dict):
        return [Issue(path, "Expected a rule object.")]
    issues = [Issue(f"{path}/{key}", f"Unknown key '{key}'.") for key in rule
              if key not in {"id", "if", "points", "dimension", "reason", "half_life_days"}]
    rule_id = rule.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        issues.append(Issue(f"{path}/id", "Every rule needs an id (a short name)."))
    elif rule_id in seen:
        issues.append(Issue(f"{path}/id", f"Duplicate rule id '{rule_id}': already rule "
                                          f"{seen[rule_id]}."))
    else:
        seen[rule_id] = index
    points = rule.get("points")
    if isinstance(points, bool) or not isinstance(points, int):
        issues.append(Issue(f"{path}/points", "Points must be a whole number."))
    elif abs(points) > MAX_POINTS:
        issues.append(Issue(f"{path}/points", f"Points must be between -{MAX_POINTS} and "
                                              f"{MAX_POINTS}."))
    if rule.get("dimension") not in DIMENSIONS:
        issues.append(Issue(f"{path}/dimension", "Dimension must be 'fit' or 'intent'."))
    reason = rule.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        issues.append(Issue(f"{path}/reason", "Every rule needs a reason sales can read."))
    half_life = rule.get("half_life_days")
    if half_life is not None and (isinstance(half_life, bool)
                                  or not isinstance(half_life, int | float) or half_life <= 0):
        issues.append(Issue(f"{path}/half_life_days", "Half-life must be a positive number "
                                                      "of days."))
    if "if" not in rule:
        issues.append(Issue(f"{path}/if", "Every rule needs a condition (\"if\")."))
    else:
        issues += _condition_issues(f"{path}/if", rule["if"])
    return issues


def _condition_issues(path: str, condition: Any) -> list[Issue]:
    issues = [Issue(path, f"Rule refers to unknown fact '{name}'. Facts start with answers., "
                          "hidden., contact., signals., submission., workspace. or lead.")
              for name in unknown_roots(condition)]
    problem = operator_problem(condition)
    if problem:
        issues.append(Issue(path, problem))
    return issues


def _gate_issues(path: str, gate: Any) -> list[Issue]:
    if not isinstance(gate, dict) or "if" not in gate:
        return [Issue(path, "A gate needs a condition (\"if\") and a reason.")]
    issues = _condition_issues(f"{path}/if", gate["if"])
    if not isinstance(gate.get("reason"), str):
        issues.append(Issue(f"{path}/reason", "A gate needs a reason."))
    return issues


def _caps_issues(caps: Any) -> list[Issue]:
    if caps is None:
        return []
    if not isinstance(caps, dict):
        return [Issue("/caps", "Expected an object like {\"fit\": 60, \"intent\": 40}.")]
    issues = []
    for key, value in caps.items():
        if key not in DIMENSIONS:
            issues.append(Issue(f"/caps/{key}", f"Unknown dimension '{key}'."))
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            issues.append(Issue(f"/caps/{key}", "A cap must be a number of points, 0 or more."))
    return issues


def _threshold_issues(thresholds: Any) -> list[Issue]:
    if not isinstance(thresholds, dict):
        return [Issue("/thresholds", "Expected thresholds like {\"mql\": 40, \"sql\": 70}.")]
    issues = []
    for key in ("mql", "sql"):
        value = thresholds.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            issues.append(Issue(f"/thresholds/{key}", f"The {key.upper()} threshold must be "
                                                      "a number."))
    if not issues and thresholds["mql"] > thresholds["sql"]:
        issues.append(Issue("/thresholds/mql", "The MQL threshold must not be above SQL."))
    issues += [Issue(f"/thresholds/{key}", f"Unknown key '{key}'.") for key in thresholds
               if key not in ("mql", "sql")]
    return issues
