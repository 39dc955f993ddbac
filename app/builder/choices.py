"""What the editor offers to pick from: booking targets, nurture tracks, contact properties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.builder.shapes import objects_of
from app.models import ContactProperty, Form, MeetingType, Team, Workspace

# Properties most forms fill; offered even before any contact has them.
COMMON_PROPERTIES = ("email", "first_name", "last_name", "company", "job_title", "phone",
                     "company_size", "industry", "country", "role", "budget", "timeline")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def booking_targets(session: Session, workspace_id: int) -> list[Choice]:
    """`team/meeting-type` for every meeting type of every team of the workspace."""
    rows = session.execute(
        select(Team.slug, Team.name, MeetingType.slug, MeetingType.name)
        .join(MeetingType, MeetingType.team_id == Team.id)
        .where(Team.workspace_id == workspace_id)
        .order_by(Team.name, MeetingType.name)
    )
    return [Choice(f"{team}/{meeting}", f"{team_name} · {meeting_name}")
            for team, team_name, meeting, meeting_name in rows]


def nurture_tracks(workspace: Workspace) -> list[Choice]:
    tracks: Any = (workspace.settings or {}).get("nurture_tracks") or {}
    if not isinstance(tracks, dict):
        return []
    return [Choice(slug, str((track or {}).get("title") or slug) if isinstance(track, dict)
                   else slug) for slug, track in sorted(tracks.items())]


def known_properties(session: Session, workspace_id: int) -> list[str]:
    """Properties contacts already have or forms already fill, and the common ones."""
    stored = session.scalars(
        select(ContactProperty.name).where(ContactProperty.workspace_id == workspace_id)
        .distinct().limit(500)
    ).all()
    filled: set[str] = set()
    for draft in session.scalars(select(Form.draft).where(Form.workspace_id == workspace_id)):
        steps = draft.get("steps") if isinstance(draft, dict) else None
        for step in objects_of(steps):  # one form's broken draft must not break the others
            filled.update(str(f["property"]) for f in objects_of(step.get("fields"))
                          if f.get("property"))
    return sorted(set(COMMON_PROPERTIES) | set(stored) | filled)
