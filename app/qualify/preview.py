"""What qualification would decide for a sample respondent: the simulator's second half.

Pure, like the rest of the core: the caller passes the model, the team and the
facts a real submit would gather; the editor's test panel will call it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.qualify.assignment import Assignment, TeamState, assign
from app.qualify.routing import Destination, route
from app.qualify.scoring import Score, score
from app.qualify.stages import StageDecision, stage_for


@dataclass(frozen=True)
class Preview:
    score: Score
    stage: StageDecision
    destination: Destination | None
    assignment: Assignment | None
    rep_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score.as_dict(),
            "stage": {"stage": self.stage.stage, "reason": self.stage.reason},
            "destination": self.destination.as_dict() if self.destination else None,
            "assignment": ({"rep_id": self.assignment.rep_id, "rep": self.rep_name,
                            "why": self.assignment.why} if self.assignment else None),
        }


def preview(model: Mapping[str, Any], facts: dict[str, Any], now: datetime,
            rules: list[Any] | None, teams: Mapping[str, TeamState]) -> Preview:
    """Score, stage, route and (for a booking) the rep, exactly as a submit would."""
    result = score(model, facts, now)
    decision = stage_for(result, model, facts, None)
    facts = {**facts, "lead": {"stage": decision.stage, "fit": result.fit,
                               "intent": result.intent, "total": result.total}}
    destination = route(rules, facts) if rules else None
    assignment, rep_name = None, ""
    if destination is not None and destination.kind == "book":
        team = teams.get(destination.target.split("/", 1)[0])
        if team is not None:
            assignment = assign(team, facts)
            rep_name = next((rep.name for rep in team.reps if rep.rep_id == assignment.rep_id),
                            "")
    return Preview(result, decision, destination, assignment, rep_name)
