"""Qualification, pure: scores with reasons, stages, routes and reps; no Flask, no database."""

from app.qualify.assignment import (
    Assignment,
    RepState,
    TeamState,
    Territory,
    assign,
    record_assignment,
    starting_calibration,
)
from app.qualify.model import validate_model
from app.qualify.routing import Destination, lint_route, route
from app.qualify.scoring import Reason, RuleError, Score, score, top_reasons
from app.qualify.stages import STAGES, StageDecision, stage_for

__all__ = [
    "STAGES",
    "Assignment",
    "Destination",
    "Reason",
    "RepState",
    "RuleError",
    "Score",
    "StageDecision",
    "TeamState",
    "Territory",
    "assign",
    "lint_route",
    "record_assignment",
    "route",
    "score",
    "stage_for",
    "starting_calibration",
    "top_reasons",
    "validate_model",
]
