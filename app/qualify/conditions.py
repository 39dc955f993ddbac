"""Evaluating rule conditions for qualification: errors are reported, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.logic.jsonlogic import JsonLogicError, apply, referenced_vars, truthy

FACT_ROOTS = frozenset(
    {"answers", "hidden", "contact", "signals", "submission", "workspace", "lead"}
)


def evaluate(condition: Any, facts: Mapping[str, Any]) -> tuple[bool, str | None]:
    """(holds, error message). A missing condition holds; a failing one does not."""
    if condition is None:
        return True, None
    try:
        return truthy(apply(condition, dict(facts))), None
    except JsonLogicError as error:
        return False, str(error)
    except (RecursionError, MemoryError, TypeError, ValueError) as error:  # defensive
        return False, f"{type(error).__name__}: {error}"


def unknown_roots(condition: Any) -> list[str]:
    """Variables whose first segment is not a known fact namespace."""
    return sorted(
        name for name in referenced_vars(condition)
        if name.split(".", 1)[0] not in FACT_ROOTS
    )


def operator_problem(condition: Any) -> str | None:
    """A message when the condition uses an operator the evaluator does not know."""
    try:
        apply(condition, {root: {} for root in FACT_ROOTS})
    except JsonLogicError as error:
        return str(error) if "Unknown operator" in str(error) else None
    except Exception:  # noqa: BLE001 - anything else is a run-time matter, not a typo
        return None
    return None
