"""The workspace's shared scoring model: versioned, validated on import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit import record
from app.forms.types import Issue
from app.forms.versions import content_hash
from app.models import ScoringModel
from app.qualify import validate_model

EMPTY_MODEL: dict[str, Any] = {"schema": 1, "rules": [], "thresholds": {"mql": 40, "sql": 70}}


class ModelRejected(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("The scoring model is not valid.")
        self.issues = issues


@dataclass(frozen=True)
class SavedModel:
    version: ScoringModel
    created: bool


def current_model(session: Session, workspace_id: int) -> ScoringModel | None:
    return session.scalar(
        select(ScoringModel).where(ScoringModel.workspace_id == workspace_id)
        .order_by(ScoringModel.number.desc()).limit(1)
    )


def save_model(session: Session, workspace_id: int, model: Any, note: str = "") -> SavedModel:
    """Store a new version unless it equals the one in force; refuse an invalid model."""
    issues = validate_model(model)
    if issues:
        raise ModelRejected(issues)
    digest = content_hash(model)
    latest = current_model(session, workspace_id)
    if latest is not None and latest.content_hash == digest:
        return SavedModel(latest, created=False)
    number = (session.scalar(select(func.max(ScoringModel.number))
                             .where(ScoringModel.workspace_id == workspace_id)) or 0) + 1
    version = ScoringModel(workspace_id=workspace_id, number=number, content_hash=digest,
                           model=json.loads(json.dumps(model)), note=note[:500])
    session.add(version)
    session.flush()
    record(session, workspace_id, "scoring.change", target_type="scoring_model",
           target_id=version.id, summary=f"Saved scoring model v{number}",
           details={"version": number, "rules": len(model.get("rules") or [])
                    if isinstance(model, dict) else None})
    return SavedModel(version, created=True)
