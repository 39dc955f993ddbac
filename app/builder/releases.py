"""The Publish tab's services: the draft's review in words, the version history, rollback.

Publishing itself is `app.forms.versions.publish`; a rollback is an ordinary draft
change ("Restored vN", undoable) followed by an ordinary publish, so the old
definition comes back as a new version and responses keep the versions they
were made against (invariant 1).

Services take a session and flush; the caller owns the transaction.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.builder.changes import summarize_changes
from app.builder.drafts import edit_draft
from app.builder.locations import Location, describe
from app.forms.review import Review
from app.forms.versions import (
    NotFound,
    Published,
    get_version,
    latest_version,
    publish,
    publish_review,
)
from app.models import Form, FormVersion

HISTORY_LENGTH = 50  # versions shown; older ones stay in the database and the API


@dataclass(frozen=True)
class Finding:
    message: str
    location: Location


@dataclass(frozen=True)
class DraftReview:
    errors: list[Finding]
    warnings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class VersionEntry:
    number: int
    published_at: datetime
    note: str
    changes: list[str]  # against the version before it
    latest: bool


def findings(definition: Any, verdict: Review) -> DraftReview:
    """The review's issues with readable locations, errors and warnings apart."""
    def located(issues: list[dict[str, str]]) -> list[Finding]:
        return [Finding(issue["message"], describe(definition, issue.get("path", "")))
                for issue in issues]
    return DraftReview(located(verdict.errors), located(verdict.warnings))


def review_draft(session: Session, form: Form) -> DraftReview:
    return findings(form.draft, publish_review(session, form))


def draft_changes(session: Session, form: Form) -> list[str] | None:
    """What the draft changes against the live version; None before the first publish."""
    latest = latest_version(session, form)
    return None if latest is None else summarize_changes(latest.definition, form.draft)


def version_history(session: Session, form: Form) -> list[VersionEntry]:
    """The newest versions first, each with what it changed against the one before."""
    versions = list(session.scalars(
        select(FormVersion).where(FormVersion.form_id == form.id)
        .order_by(FormVersion.number.desc()).limit(HISTORY_LENGTH + 1)))
    entries = []
    for position, version in enumerate(versions[:HISTORY_LENGTH]):
        previous = versions[position + 1] if position + 1 < len(versions) else None
        if previous is not None:
            changes = summarize_changes(previous.definition, version.definition) or [
                "No changes to the form (published again)"]
        elif version.number == 1:
            changes = ["First version"]
        else:
            changes = []
        entries.append(VersionEntry(version.number, version.published_at, version.note,
                                    changes, latest=position == 0))
    return entries


def rollback(session: Session, form: Form, number: int, *,
             user_id: int | None = None) -> Published:
    """Publish version `number`'s definition again, as a new version.

    Raises NotFound for an unknown version, ChangeRefused when the old definition
    breaks today's rules, DefinitionRejected when it names a team or track that is
    gone; the caller rolls back then.
    """
    old = get_version(session, form, number)
    definition = copy.deepcopy(old.definition)

    def restore(draft: dict[str, Any]) -> None:
        draft.clear()
        draft.update(definition)

    edit_draft(session, form, restore, summary=f"Restored v{number}", user_id=user_id)
    return publish(session, form, note=f"Rollback to v{number}")


__all__ = ["DraftReview", "Finding", "NotFound", "VersionEntry", "draft_changes", "findings",
           "review_draft", "rollback", "version_history"]
