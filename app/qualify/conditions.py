"""Conditions for qualification: evaluated without raising, checked before they are stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from app.logic.conditions import operations
from app.logic.jsonlogic import JsonLogicError, apply, operators, referenced_vars, truthy

#: The top-level names of the facts document (docs/qualification.md, "Facts").
FACT_ROOTS: Final = frozenset(
    {"answers", "hidden", "contact", "signals", "submission", "workspace", "lead"}
)


def as_facts(value: object) -> dict[str, Any]:
    """The facts as a plain dict; anything that is not a mapping reads as no facts."""
    return dict(value) if isinstance(value, Mapping) else {}


def section(facts: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """One part of the facts (`contact`, `signals`...), empty when absent or malformed."""
    part = facts.get(name)
    return part if isinstance(part, Mapping) else {}


def evaluate(condition: Any, facts: Mapping[str, Any]) -> tuple[bool, str | None]:
    """(holds, error message): a condition that fails does not hold, and says why."""
    try:
        return truthy(apply(condition, dict(facts))), None
    except JsonLogicError as error:
        return False, str(error)
    except (RecursionError, MemoryError, TypeError, ValueError) as error:  # defensive
        return False, f"{type(error).__name__}: {error}"


def unknown_facts(condition: Any) -> list[str]:
    """The variables a condition reads whose first segment is not a fact root."""
    return sorted(
        name for name in referenced_vars(condition)
        if name.split(".", 1)[0] not in FACT_ROOTS
    )


def structural_problem(condition: Any) -> str | None:
    """Why a condition can never run whatever the facts, or None.

    Operators are looked up everywhere in the rule, even in branches an evaluation
    would not reach; applying it to empty facts then catches what the walk cannot.
    """
    known = operators()
    for operation in operations(condition):
        if operation.op not in known:
            return f"Unknown operator {operation.op[:40]!r}."
    try:
        apply(condition, {})
    except JsonLogicError as error:
        message = str(error)
        if "Unknown operator" in message or "nested deeper" in message:
            return message
    except (RecursionError, MemoryError, TypeError, ValueError):  # defensive
        return "The condition is too complex to evaluate."
    return None


__all__ = ["FACT_ROOTS", "as_facts", "evaluate", "section", "structural_problem",
           "unknown_facts"]
