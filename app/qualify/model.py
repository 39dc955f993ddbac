"""The scoring model's shape, checked with JSON-pointer paths before it is stored."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Final

from app.forms.types import Issue
from app.qualify.conditions import structural_problem, unknown_facts

DIMENSIONS: Final = ("fit", "intent")
MAX_POINTS: Final = 1000
MAX_RULES: Final = 500
MAX_GATES: Final = 50
CAP_PREFIX: Final = "cap:"  # reserved for the reasons that apply caps

_MODEL_KEYS: Final = frozenset({"schema", "rules", "caps", "thresholds", "sql_gates"})
_RULE_KEYS: Final = frozenset({"id", "if", "points", "dimension", "reason", "half_life_days"})
_GATE_KEYS: Final = frozenset({"id", "if", "reason"})


def validate_model(model: object) -> list[Issue]:
    """Every problem with its path, [] for a usable model; never raises."""
    try:
        return list(_model_issues(model))
    except Exception as error:  # noqa: BLE001 - a checker must not crash on junk
        return [Issue("", f"The scoring model could not be checked: {error}")]


def number(value: object) -> float | None:
    """A finite JSON number as a float, else None (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        converted = float(value)
    except OverflowError:
        return None
    return converted if math.isfinite(converted) else None


def show_number(value: float) -> str:
    """A number as people write it: 60, 60.5, -12.25 (never 6e+01)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)


def _unknown_keys(path: str, item: dict[Any, Any], known: frozenset[str]) -> Iterator[Issue]:
    for key in item:
        if key not in known:
            yield Issue(f"{path}/{_escape(key)}", f"Unknown key {str(key)[:40]!r}.")


def _escape(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _model_issues(model: object) -> Iterator[Issue]:
    if not isinstance(model, dict):
        yield Issue("", "The scoring model must be a JSON object.")
        return
    yield from _unknown_keys("", model, _MODEL_KEYS)
    if model.get("schema") != 1 or isinstance(model.get("schema"), bool):
        yield Issue("/schema", "Expected \"schema\": 1.")
    rules = model.get("rules")
    if not isinstance(rules, list):
        yield Issue("/rules", "Expected a list of rules.")
    elif len(rules) > MAX_RULES:
        yield Issue("/rules", f"At most {MAX_RULES} rules.")
    else:
        seen: dict[str, int] = {}
        for index, rule in enumerate(rules):
            yield from _rule_issues(f"/rules/{index}", rule, seen, index)
    if "caps" in model:
        yield from _caps_issues(model["caps"])
    yield from _threshold_issues(model.get("thresholds"))
    if "sql_gates" in model:
        yield from _gates_issues(model["sql_gates"])


def _rule_issues(path: str, rule: object, seen: dict[str, int], index: int) -> Iterator[Issue]:
    if not isinstance(rule, dict):
        yield Issue(path, "Expected a rule object.")
        return
    yield from _unknown_keys(path, rule, _RULE_KEYS)
    rule_id = rule.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        yield Issue(f"{path}/id", "Every rule needs an id (a short name).")
    elif rule_id.startswith(CAP_PREFIX):
        yield Issue(f"{path}/id", f"Rule ids starting with '{CAP_PREFIX}' are reserved "
                                  "for caps.")
    elif rule_id in seen:
        yield Issue(f"{path}/id", f"Duplicate rule id {rule_id!r}: already rule "
                                  f"{seen[rule_id]}.")
    else:
        seen[rule_id] = index
    if "if" not in rule:
        yield Issue(f"{path}/if", "Every rule needs a condition (\"if\").")
    else:
        yield from _condition_issues(f"{path}/if", rule["if"])
    points = rule.get("points")
    if isinstance(points, bool) or not isinstance(points, int):
        yield Issue(f"{path}/points", "Points must be a whole number.")
    elif abs(points) > MAX_POINTS:
        yield Issue(f"{path}/points", f"Points must be between -{MAX_POINTS} and "
                                      f"{MAX_POINTS}.")
    if rule.get("dimension") not in DIMENSIONS:
        yield Issue(f"{path}/dimension", "Dimension must be 'fit' or 'intent'.")
    reason = rule.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        yield Issue(f"{path}/reason", "Every rule needs a reason sales can read.")
    if "half_life_days" in rule:
        half_life = number(rule["half_life_days"])
        if half_life is None or half_life <= 0:
            yield Issue(f"{path}/half_life_days", "Half-life must be a positive number "
                                                  "of days.")


def _condition_issues(path: str, condition: object) -> Iterator[Issue]:
    for name in unknown_facts(condition):
        yield Issue(path, f"Rule refers to unknown fact {name[:80]!r}. Facts start with "
                          "answers., hidden., contact., signals., submission., workspace. "
                          "or lead.")
    problem = structural_problem(condition)
    if problem:
        yield Issue(path, problem)


def _gates_issues(gates: object) -> Iterator[Issue]:
    if not isinstance(gates, list):
        yield Issue("/sql_gates", "Expected a list of gates.")
        return
    if len(gates) > MAX_GATES:
        yield Issue("/sql_gates", f"At most {MAX_GATES} gates.")
        return
    for index, gate in enumerate(gates):
        path = f"/sql_gates/{index}"
        if not isinstance(gate, dict):
            yield Issue(path, "Expected a gate: {\"if\": condition, \"reason\": text}.")
            continue
        yield from _unknown_keys(path, gate, _GATE_KEYS)
        if "id" in gate and (not isinstance(gate["id"], str) or not gate["id"].strip()):
            yield Issue(f"{path}/id", "A gate id must be a short name.")
        if "if" not in gate:
            yield Issue(f"{path}/if", "A gate needs a condition (\"if\").")
        else:
            yield from _condition_issues(f"{path}/if", gate["if"])
        if not isinstance(gate.get("reason"), str) or not gate["reason"].strip():
            yield Issue(f"{path}/reason", "A gate needs a reason sales can read.")


def _caps_issues(caps: object) -> Iterator[Issue]:
    if not isinstance(caps, dict):
        yield Issue("/caps", "Expected an object like {\"fit\": 60, \"intent\": 40}.")
        return
    for key, value in caps.items():
        if key not in DIMENSIONS:
            yield Issue(f"/caps/{_escape(key)}", f"Unknown dimension {str(key)[:40]!r}.")
        elif (cap := number(value)) is None or cap < 0:
            yield Issue(f"/caps/{key}", "A cap must be a number of points, 0 or more.")


def _threshold_issues(thresholds: object) -> Iterator[Issue]:
    if not isinstance(thresholds, dict):
        yield Issue("/thresholds", "Expected thresholds like {\"mql\": 40, \"sql\": 70}.")
        return
    yield from _unknown_keys("/thresholds", thresholds, frozenset({"mql", "sql"}))
    values = {key: number(thresholds.get(key)) for key in ("mql", "sql")}
    for key, value in values.items():
        if value is None:
            yield Issue(f"/thresholds/{key}", f"The {key.upper()} threshold must be a number.")
        elif value < 0:
            yield Issue(f"/thresholds/{key}", f"The {key.upper()} threshold must be 0 or more.")
    mql, sql = values["mql"], values["sql"]
    if mql is not None and sql is not None and mql > sql:
        yield Issue("/thresholds/mql", "The MQL threshold must not be above SQL.")


__all__ = ["CAP_PREFIX", "DIMENSIONS", "MAX_POINTS", "number", "show_number", "validate_model"]
