"""Editing a draft one change at a time: refuse what breaks it, remember what it was.

A change is a function that edits a copy of the draft in place. It is kept only
if the result is still a valid definition and adds no lint error the draft did
not have before, so a marketer can never save a half-broken form (a branch to a
deleted step, duplicate option values, a regex that cannot run). The draft
before each kept change is stored as a `DraftRevision`: undo restores it.

Services take a session and flush; the caller owns the transaction.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit import record
from app.forms.review import Review, review
from app.models import DraftRevision, Form, utcnow

KEEP_REVISIONS = 100  # per form; older ones are pruned
Change = Callable[[dict[str, Any]], None]


class ChangeRefused(Exception):
    """The change would break the draft; nothing was saved. `issues` say why and where."""

    def __init__(self, message: str, issues: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues = issues or []

    def for_path(self, prefix: str) -> list[str]:
        """Messages about `prefix` or anything inside it (a JSON pointer)."""
        return [issue["message"] for issue in self.issues
                if issue["path"] == prefix or issue["path"].startswith(prefix + "/")]


@dataclass(frozen=True)
class Edited:
    draft: dict[str, Any]
    review: Review
    changed: bool


def form_for_edit(session: Session, workspace_id: int, slug: str) -> Form | None:
    """The workspace's form, locked for this transaction so two editors can't interleave."""
    return session.scalar(
        select(Form).where(Form.workspace_id == workspace_id, Form.slug == slug)
        .with_for_update()
    )


def edit_draft(session: Session, form: Form, change: Change, *, summary: str,
               user_id: int | None = None) -> Edited:
    """Apply `change` to a copy of the draft; keep it only if nothing new is broken.

    `change` may raise `ChangeRefused` itself (e.g. "no such field"). A change
    that leaves the draft as it was stores nothing.
    """
    before = form.draft
    after = copy.deepcopy(before)
    change(after)
    if after == before:
        return Edited(before, review(before), changed=False)
    verdict = review(after)
    if not verdict.schema_valid:
        raise ChangeRefused(_first_message(verdict.errors), verdict.errors)
    introduced = new_errors(review(before), verdict)
    if introduced:
        raise ChangeRefused(_first_message(introduced), introduced)
    session.add(DraftRevision(workspace_id=form.workspace_id, form_id=form.id,
                              user_id=user_id, summary=summary[:300],
                              before=copy.deepcopy(before)))
    form.draft = after
    if after.get("title"):
        form.name = str(after["title"])[:200]
    form.draft_updated_at = utcnow()
    session.flush()
    if before.get("route") != after.get("route"):
        record(session, form.workspace_id, "routing.change", target_type="form",
               target_id=form.id, summary=f"Routing of {form.slug}: {summary}"[:300],
               actor_id=user_id)
    _prune(session, form)
    return Edited(after, verdict, changed=True)


def new_errors(old: Review, new: Review) -> list[dict[str, str]]:
    """Errors of `new` that `old` did not have, matched by message (paths move on reorder)."""
    seen = Counter(issue["message"] for issue in old.errors)
    introduced = []
    for issue in new.errors:
        if seen[issue["message"]]:
            seen[issue["message"]] -= 1
        else:
            introduced.append(issue)
    return introduced


def undo(session: Session, form: Form) -> DraftRevision | None:
    """Put back the draft from before the last change; None when there is nothing to undo."""
    last = session.scalar(
        select(DraftRevision).where(DraftRevision.form_id == form.id)
        .order_by(DraftRevision.id.desc()).limit(1)
    )
    if last is None:
        return None
    form.draft = copy.deepcopy(last.before)
    if form.draft.get("title"):
        form.name = str(form.draft["title"])[:200]
    form.draft_updated_at = utcnow()
    session.delete(last)
    session.flush()
    return last


def last_change(session: Session, form: Form) -> DraftRevision | None:
    return session.scalar(
        select(DraftRevision).where(DraftRevision.form_id == form.id)
        .order_by(DraftRevision.id.desc()).limit(1)
    )


def _prune(session: Session, form: Form) -> None:
    count = session.scalar(select(func.count()).select_from(DraftRevision)
                           .where(DraftRevision.form_id == form.id)) or 0
    if count <= KEEP_REVISIONS:
        return
    keep_from = session.scalar(
        select(DraftRevision.id).where(DraftRevision.form_id == form.id)
        .order_by(DraftRevision.id.desc()).offset(KEEP_REVISIONS - 1).limit(1)
    )
    session.execute(delete(DraftRevision).where(DraftRevision.form_id == form.id,
                                                DraftRevision.id < keep_from))


def _first_message(issues: list[dict[str, str]]) -> str:
    return issues[0]["message"] if issues else "The change is not valid."
