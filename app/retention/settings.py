"""A workspace's own retention periods: saved in its settings, each change audited."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.audit import record
from app.models import Workspace
from app.retention.policy import KINDS, SETTINGS_KEY, check_days


def save_overrides(session: Session, workspace: Workspace,
                   chosen: Mapping[str, int | None]) -> dict[str, tuple[object, object]]:
    """Set each kind to a number of days (0: forever) or None (the app default).

    Returns what changed as kind -> (before, after); nothing changed records nothing.
    """
    settings = dict(workspace.settings or {})
    stored = settings.get(SETTINGS_KEY)
    before = dict(stored) if isinstance(stored, Mapping) else {}
    after: dict[str, int] = {}
    for kind in KINDS:
        value = chosen.get(kind)
        if value is not None:
            check_days(value)
            after[kind] = int(value)
    changes = {kind: (before.get(kind), after.get(kind)) for kind in KINDS
               if before.get(kind) != after.get(kind)}
    if not changes:
        return {}
    settings[SETTINGS_KEY] = after
    workspace.settings = settings  # a new dict: the JSON column sees the change
    session.flush()
    record(session, workspace.id, "retention.change", target_type="workspace",
           target_id=workspace.id, summary="Changed how long data is kept",
           details={kind: {"from": old, "to": new} for kind, (old, new) in changes.items()})
    return changes
