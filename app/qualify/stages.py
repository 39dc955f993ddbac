"""Stages from scores: lead → mql → sql, and back down when the score falls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.qualify.conditions import evaluate
from app.qualify.scoring import Score

STAGES = ("lead", "mql", "sql", "disqualified", "recycled")


@dataclass(frozen=True)
class StageDecision:
    stage: str
    reason: str


def stage_for(result: Score, model: Mapping[str, Any], facts: Mapping[str, Any],
              previous: str | None) -> StageDecision:
    """The stage this score earns. Disqualified stays (a person or a route changes it);
    recycled re-engages once the score reaches MQL again."""
    thresholds = model.get("thresholds") or {}
    mql, sql = float(thresholds.get("mql", 40)), float(thresholds.get("sql", 70))
    if previous == "disqualified":
        return StageDecision("disqualified", "Disqualified leads stay so until a person "
                                             "or a route decides otherwise.")
    if result.total >= sql:
        failed = _failed_gate(model.get("sql_gates") or [], facts)
        if failed is None:
            return StageDecision("sql", f"Score {result.total:g} reaches SQL ({sql:g}).")
        if result.total >= mql:
            return StageDecision("mql", f"Score {result.total:g} reaches SQL but {failed}.")
    if result.total >= mql:
        return StageDecision("mql", f"Score {result.total:g} reaches MQL ({mql:g}).")
    if previous == "recycled":
        return StageDecision("recycled", f"Score {result.total:g} is below MQL ({mql:g}).")
    return StageDecision("lead", f"Score {result.total:g} is below MQL ({mql:g}).")


def _failed_gate(gates: list[Any], facts: Mapping[str, Any]) -> str | None:
    """The reason of the first gate that does not hold, or None when all hold."""
    for gate in gates:
        if not isinstance(gate, Mapping):
            continue
        holds, error = evaluate(gate.get("if"), facts)
        if not holds:
            reason = str(gate.get("reason") or gate.get("id") or "a gate does not hold")
            return f"{reason} (the gate failed: {error})" if error else reason.rstrip(".")
    return None
