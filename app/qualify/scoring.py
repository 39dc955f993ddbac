"""Scores with a reason for every point (invariant 6), decaying intent, explicit caps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.logic.jsonlogic import referenced_vars
from app.qualify.conditions import as_facts, evaluate, section
from app.qualify.model import CAP_PREFIX, DIMENSIONS, number, show_number

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Reason:
    """Why some points were given (or taken): shown to sales next to the score."""

    rule: str
    dimension: str
    points: float
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "dimension": self.dimension, "points": self.points,
                "reason": self.reason}


@dataclass(frozen=True)
class RuleError:
    """A rule that could not be evaluated and so scored 0: for the model's author."""

    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Score:
    """fit + intent = total = the sum of the reasons' points (to the cent)."""

    fit: float
    intent: float
    total: float
    reasons: tuple[Reason, ...] = ()
    errors: tuple[RuleError, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"fit": self.fit, "intent": self.intent, "total": self.total,
                "reasons": [reason.as_dict() for reason in self.reasons],
                "errors": [error.as_dict() for error in self.errors]}


class _Broken(Exception):
    """A rule that cannot be applied; its message is recorded and it scores 0."""


def score(model: Mapping[str, Any], facts: Mapping[str, Any], now: datetime) -> Score:
    """Apply every rule to the facts at time `now`; the same inputs give the same score.

    Never raises: a rule that fails is recorded in `errors` and scores 0. A naive
    `now` is taken as UTC.
    """
    try:
        moment = now if now.tzinfo else now.replace(tzinfo=UTC)
        return _score(model, as_facts(facts), moment)
    except Exception as error:  # noqa: BLE001 - a last resort; rules fail one by one
        return Score(0.0, 0.0, 0.0, (), (RuleError("model", f"Scoring failed: {error}"),))


def top_reasons(result: Score, count: int) -> list[Reason]:
    """The reasons that weigh most, for alerts: largest effect first, then model order."""
    return sorted(result.reasons, key=lambda reason: -abs(reason.points))[:max(count, 0)]


def _score(model: Mapping[str, Any], facts: Mapping[str, Any], now: datetime) -> Score:
    # Points add up in whole cents, so the total is exactly the sum of the rounded reasons.
    if not isinstance(model, Mapping):
        return Score(0.0, 0.0, 0.0, (), (RuleError("model", "The model is not an object."),))
    rules = model.get("rules")
    scored: list[tuple[Reason, int]] = []
    errors: list[RuleError] = []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        rule_id = _rule_id(rule, index)
        try:
            cents = _cents(rule, facts, now)
        except _Broken as error:
            errors.append(RuleError(rule_id, str(error)))
            continue
        except (ArithmeticError, ValueError) as error:  # e.g. points too large to decay
            errors.append(RuleError(rule_id, f"{type(error).__name__}: {error}"))
            continue
        if cents is not None:
            text = rule.get("reason")
            reason = Reason(rule_id, str(rule["dimension"]), cents / 100,
                            text if isinstance(text, str) else "")
            scored.append((reason, cents))
    caps, cap_errors = _caps(model.get("caps"), scored)
    scored += caps
    errors += cap_errors
    fit = sum(cents for reason, cents in scored if reason.dimension == "fit")
    intent = sum(cents for reason, cents in scored if reason.dimension == "intent")
    return Score(fit / 100, intent / 100, (fit + intent) / 100,
                 tuple(reason for reason, _ in scored), tuple(errors))


def _rule_id(rule: object, index: int) -> str:
    rule_id = rule.get("id") if isinstance(rule, Mapping) else None
    return rule_id if isinstance(rule_id, str) and rule_id else f"rules/{index}"


def _cents(rule: object, facts: Mapping[str, Any], now: datetime) -> int | None:
    """The rule's points in cents after decay, None when its condition does not hold."""
    if not isinstance(rule, Mapping):
        raise _Broken("The rule is not an object.")
    if "if" not in rule:
        raise _Broken("The rule has no condition.")
    if rule.get("dimension") not in DIMENSIONS:
        raise _Broken("The rule's dimension is neither fit nor intent.")
    points = number(rule.get("points"))
    if points is None:
        raise _Broken("The rule's points are not a number.")
    half_life = number(rule.get("half_life_days")) if "half_life_days" in rule else None
    if "half_life_days" in rule and (half_life is None or half_life <= 0):
        raise _Broken("The rule's half-life is not a positive number of days.")
    holds, error = evaluate(rule["if"], facts)
    if error:
        raise _Broken(error)
    if not holds:
        return None
    reference = _reference_time(rule["if"], facts) if half_life else None
    if half_life and reference is not None:
        age_days = max((now - reference).total_seconds() / SECONDS_PER_DAY, 0.0)
        points *= 0.5 ** (age_days / half_life)
    return round(round(points, 2) * 100)


def _reference_time(condition: Any, facts: Mapping[str, Any]) -> datetime | None:
    """The newest time behind the signals a rule reads, else when the response came."""
    last_at = section(section(facts, "signals"), "last_at")
    names = [var.split(".", 1)[1] for var in referenced_vars(condition)
             if var.startswith("signals.")]
    times = [moment for name in names if (moment := _parse(last_at.get(name))) is not None]
    return max(times) if times else _parse(section(facts, "submission").get("at"))


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _caps(caps: object, scored: list[tuple[Reason, int]]) -> tuple[
        list[tuple[Reason, int]], list[RuleError]]:
    """A reason per capped dimension that brings its sum down to the cap."""
    if caps is None:
        return [], []
    if not isinstance(caps, Mapping):
        return [], [RuleError("caps", "The caps are not an object; no cap was applied.")]
    extra: list[tuple[Reason, int]] = []
    errors: list[RuleError] = []
    for dimension in DIMENSIONS:
        if dimension not in caps:
            continue
        cap = number(caps[dimension])
        if cap is None or cap < 0:
            errors.append(RuleError(f"{CAP_PREFIX}{dimension}", "The cap is not a number of "
                                                                "points, 0 or more."))
            continue
        cap_cents = round(round(cap, 2) * 100)
        total = sum(cents for reason, cents in scored if reason.dimension == dimension)
        if total > cap_cents:
            cents = cap_cents - total
            extra.append((Reason(f"{CAP_PREFIX}{dimension}", dimension, cents / 100,
                                 f"{dimension.title()} capped at {show_number(cap)}"), cents))
    return extra, errors



__all__ = ["Reason", "RuleError", "Score", "score", "top_reasons"]
