"""Scores with a reason for every point (invariant 6), decaying intent, explicit caps."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.logic.jsonlogic import referenced_vars
from app.qualify.conditions import evaluate


@dataclass(frozen=True)
class Reason:
    rule: str
    dimension: str
    points: float
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "dimension": self.dimension, "points": self.points,
                "reason": self.reason}


@dataclass(frozen=True)
class RuleError:
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Score:
    fit: float
    intent: float
    total: float
    reasons: tuple[Reason, ...] = ()
    errors: tuple[RuleError, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"fit": self.fit, "intent": self.intent, "total": self.total,
                "reasons": [reason.as_dict() for reason in self.reasons],
                "errors": [error.as_dict() for error in self.errors]}


def score(model: Mapping[str, Any], facts: Mapping[str, Any], now: datetime) -> Score:
    """Apply every rule to the facts at time `now`; the same inputs give the same score."""
    reasons: list[Reason] = []
    errors: list[RuleError] = []
    for rule in model.get("rules") or []:
        if not isinstance(rule, Mapping):
            continue
        rule_id = str(rule.get("id", "?"))
        holds, error = evaluate(rule.get("if"), facts)
        if error:
            errors.append(RuleError(rule_id, error))
            continue
        if not holds:
            continue
        points = _decayed(rule, facts, now)
        if points != 0:
            reasons.append(Reason(rule_id, str(rule.get("dimension")), points,
                                  str(rule.get("reason", ""))))
    reasons += _caps(model.get("caps") or {}, reasons)
    fit = round(sum(r.points for r in reasons if r.dimension == "fit"), 2)
    intent = round(sum(r.points for r in reasons if r.dimension == "intent"), 2)
    return Score(fit=fit, intent=intent, total=round(fit + intent, 2), reasons=tuple(reasons),
                 errors=tuple(errors))


def top_reasons(result: Score, count: int) -> list[Reason]:
    """The reasons that weigh most, for alerts: biggest effect first."""
    return sorted(result.reasons, key=lambda reason: (-abs(reason.points), reason.rule))[:count]


def _decayed(rule: Mapping[str, Any], facts: Mapping[str, Any], now: datetime) -> float:
    points = float(rule.get("points") or 0)
    half_life = rule.get("half_life_days")
    reference = _reference_time(rule.get("if"), facts) if half_life else None
    if reference is None or not half_life:
        return round(points, 2)
    age_days = max((now - reference).total_seconds() / 86400, 0.0)
    return round(points * math.pow(0.5, age_days / float(half_life)), 2)


def _reference_time(condition: Any, facts: Mapping[str, Any]) -> datetime | None:
    """The newest time behind the signals a rule reads, else when the response came."""
    signals = facts.get("signals") if isinstance(facts.get("signals"), Mapping) else {}
    last_at = signals.get("last_at") if isinstance(signals, Mapping) else None
    names = [var.split(".", 1)[1] for var in referenced_vars(condition)
             if var.startswith("signals.") and "." in var]
    times = [_parse(last_at.get(name)) for name in names if isinstance(last_at, Mapping)]
    found = [moment for moment in times if moment is not None]
    if found:
        return max(found)
    submission = facts.get("submission")
    return _parse(submission.get("at")) if isinstance(submission, Mapping) else None


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _caps(caps: Mapping[str, Any], reasons: list[Reason]) -> list[Reason]:
    """A reason per capped dimension that brings its sum down to the cap."""
    extra = []
    for dimension in ("fit", "intent"):
        cap = caps.get(dimension)
        if isinstance(cap, bool) or not isinstance(cap, int | float):
            continue
        total = round(sum(r.points for r in reasons if r.dimension == dimension), 2)
        if total > cap:
            extra.append(Reason(f"cap:{dimension}", dimension, round(cap - total, 2),
                                f"{dimension.title()} capped at {cap:g}"))
    return extra
