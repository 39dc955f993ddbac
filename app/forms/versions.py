"""Drafts and published versions of forms: the writes behind import, publish, export.

Services take a session and flush; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit import record
from app.forms.review import Review, review, route_issues
from app.models import Form, FormVersion, Workspace, utcnow

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class DefinitionRejected(Exception):
    """The definition has errors; nothing was stored."""

    def __init__(self, message: str, review_: Review) -> None:
        super().__init__(message)
        self.review = review_


class NotFound(LookupError):
    """A workspace, form or version that does not exist (or is not yours)."""


class FormClosed(NotFound):
    """An archived form: it was public once and takes no answers now."""


@dataclass(frozen=True)
class Published:
    version: FormVersion
    created: bool  # False when the draft equals the latest version


def content_hash(definition: Any) -> str:
    """A stable hash of the document's meaning: key order and spacing don't count."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_slug(slug: str) -> None:
    if not SLUG_PATTERN.match(slug):
        raise ValueError(
            f"'{slug}' is not a valid slug: use lowercase letters, digits and dashes "
            "(at most 63), starting with a letter or digit."
        )


def get_workspace(session: Session, slug: str) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise NotFound(f"Unknown workspace '{slug}'.")
    return workspace


def ensure_workspace(session: Session, slug: str, name: str | None = None) -> Workspace:
    check_slug(slug)
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        workspace = Workspace(slug=slug, name=name or slug.replace("-", " ").title(), settings={})
        session.add(workspace)
        session.flush()
    return workspace


def get_form(session: Session, workspace: Workspace, slug: str) -> Form:
    form = session.scalar(
        select(Form).where(Form.workspace_id == workspace.id, Form.slug == slug)
    )
    if form is None:
        raise NotFound(f"Unknown form '{slug}' in workspace '{workspace.slug}'.")
    return form


def save_draft(
    session: Session, workspace: Workspace, slug: str, definition: Any, name: str | None = None
) -> tuple[Form, Review]:
    """Create or replace a form's draft. Schema errors refuse it; lint issues don't.

    A draft may still have logic mistakes while someone works on it; publishing
    is where they must all be gone.
    """
    check_slug(slug)
    verdict = review(definition)
    if not verdict.schema_valid:
        raise DefinitionRejected("The definition is not valid.", verdict)
    form = session.scalar(
        select(Form).where(Form.workspace_id == workspace.id, Form.slug == slug)
    )
    title = name or str(definition.get("title") or slug)
    if form is None:
        form = Form(workspace_id=workspace.id, slug=slug, name=title, draft=definition)
        session.add(form)
    else:
        form.draft = definition
        form.name = title
        form.draft_updated_at = utcnow()
    session.flush()
    return form, verdict


def latest_version(session: Session, form: Form) -> FormVersion | None:
    return session.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == form.id)
        .order_by(FormVersion.number.desc())
        .limit(1)
    )


def get_version(session: Session, form: Form, number: int) -> FormVersion:
    version = session.scalar(
        select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.number == number)
    )
    if version is None:
        raise NotFound(f"Form '{form.slug}' has no version {number}.")
    return version


def publish(session: Session, form: Form, note: str = "") -> Published:
    """Freeze the draft as the next version, unless it has errors or is unchanged."""
    verdict = publish_review(session, form)
    if not verdict.ok:
        raise DefinitionRejected("The draft has errors and cannot be published.", verdict)
    digest = content_hash(form.draft)
    latest = latest_version(session, form)
    if latest is not None and latest.content_hash == digest:
        return Published(version=latest, created=False)
    number = (
        session.scalar(
            select(func.coalesce(func.max(FormVersion.number), 0)).where(
                FormVersion.form_id == form.id
            )
        )
        or 0
    ) + 1
    version = FormVersion(
        workspace_id=form.workspace_id,
        form_id=form.id,
        number=number,
        definition=json.loads(json.dumps(form.draft)),  # a deep copy the draft can't reach
        content_hash=digest,
        note=note[:500],
    )
    session.add(version)
    session.flush()
    record(session, form.workspace_id, "form.publish", target_type="form", target_id=form.id,
           summary=f"Published {form.slug} v{number}", details={"version": number})
    return Published(version=version, created=True)


def publish_review(session: Session, form: Form) -> Review:
    """The draft's review plus what only the workspace knows: do its routes' teams and
    nurture tracks exist? Publishing needs this to have no errors."""
    from app.leads.teams import team_slugs

    verdict = review(form.draft)
    if not verdict.schema_valid:
        return verdict
    workspace = session.get(Workspace, form.workspace_id)
    tracks = (workspace.settings or {}).get("nurture_tracks") if workspace else None
    issues = [issue.as_dict() for issue in route_issues(
        form.draft, team_slugs(session, form.workspace_id),
        set(tracks) if isinstance(tracks, dict) else None)]
    known = {(issue["path"], issue["message"]) for issue in verdict.errors}
    new = [issue for issue in issues if (issue["path"], issue["message"]) not in known]
    if not new:
        return verdict
    return Review(errors=[*verdict.errors, *new], warnings=verdict.warnings)


def export_definition(session: Session, form: Form, version: int | None = None) -> Any:
    """The draft, or the definition of a published version."""
    if version is None:
        return form.draft
    return get_version(session, form, version).definition
