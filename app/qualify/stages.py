"""Stages from scores: lead → mql → sql and back down, with a sentence that says why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from app.qualify.conditions import as_facts, evaluate
from app.qualify.model import number, show_number
from app.qualify.scoring import Score

STAGES: Final = ("lead", "mql", "sql", "disqualified", "recycled")
DEFAULT_THRESHOLDS: Final = {"mql": 40.0, "sql": 70.0}  # only for models that skipped validation


@dataclass(frozen=True)
class StageDecision:
    """The stage a lead is in after scoring, and the reason shown in its history."""

    stage: str
    reason: str


def stage_for(result: Score, model: Mapping[str, Any], facts: Mapping[str, Any],
              previous: str | None) -> StageDecision:
    """The stage this score earns; never raises.

    Disqualified stays (only a person or a new route changes it); recycled stays
    until the score reaches MQL or SQL again; every other stage follows the score,
    up or down.
    """
    if previous == "disqualified":
        return StageDecision("disqualified", "Disqualified leads stay so until a person "
                                             "or a route decides otherwise.")
    mql, sql = _thresholds(model)
    total, shown = result.total, show_number(result.total)
    again = " again" if previous == "recycled" else ""
    if total >= sql:
        gates = model.get("sql_gates") if isinstance(model, Mapping) else None
        failed = _failed_gate(gates, as_facts(facts))
        if failed is None:
            return StageDecision("sql", f"Score {shown} reaches SQL ({show_number(sql)}){again}.")
        if total >= mql:
            return StageDecision("mql", f"Score {shown} reaches SQL ({show_number(sql)}) but "
                                        f"{failed}.")
    if total >= mql:
        return StageDecision("mql", f"Score {shown} reaches MQL ({show_number(mql)}){again}.")
    if previous == "recycled":
        return StageDecision("recycled", f"Score {shown} is still below MQL "
                                         f"({show_number(mql)}).")
    return StageDecision("lead", f"Score {shown} is below MQL ({show_number(mql)}).")


def _thresholds(model: object) -> tuple[float, float]:
    raw = model.get("thresholds") if isinstance(model, Mapping) else None
    raw = raw if isinstance(raw, Mapping) else {}
    mql, sql = (number(raw.get(key)) for key in ("mql", "sql"))
    return (DEFAULT_THRESHOLDS["mql"] if mql is None else mql,
            DEFAULT_THRESHOLDS["sql"] if sql is None else sql)


def _failed_gate(gates: object, facts: Mapping[str, Any]) -> str | None:
    """Why the first gate that does not hold fails, or None when all hold.

    A gate that cannot be evaluated does not hold: SQL is a promise to sales.
    """
    for index, gate in enumerate(gates if isinstance(gates, list) else []):
        if not isinstance(gate, Mapping) or "if" not in gate:
            return f"SQL gate {index + 1} is malformed, so it does not hold"
        text = gate.get("reason")
        name = text.rstrip(".") if isinstance(text, str) and text.strip() else (
            f"SQL gate {gate.get('id') or index + 1} does not hold")
        holds, error = evaluate(gate["if"], facts)
        if error:
            return f"{name} (the gate could not be evaluated: {error.rstrip('.')})"
        if not holds:
            return name
    return None



__all__ = ["STAGES", "StageDecision", "stage_for"]
