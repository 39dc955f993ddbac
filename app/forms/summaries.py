"""The forms list of a workspace: one row per form, counted by the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.models import Form, FormVersion, Response


@dataclass(frozen=True)
class FormSummary:
    slug: str
    title: str
    archived: bool
    latest_version: int | None
    versions: int
    started: int  # responses begun (in progress, abandoned or completed), over every version
    completed: int
    unpublished_changes: bool  # the draft differs from the latest version (or none exists)
    edited_at: datetime

    @property
    def status(self) -> str:
        """"draft" (never published), "published", "changes" (draft ahead) or "archived"."""
        if self.archived:
            return "archived"
        if self.latest_version is None:
            return "draft"
        return "changes" if self.unpublished_changes else "published"

    @property
    def status_label(self) -> str:
        return {
            "archived": "Archived",
            "draft": "Draft",
            "published": f"Published v{self.latest_version}",
            "changes": f"Unpublished changes · v{self.latest_version}",
        }[self.status]

    @property
    def is_live(self) -> bool:
        """Answering at its public address: published and not archived."""
        return not self.archived and self.latest_version is not None

    @property
    def conversion(self) -> str:
        """Completed ÷ started as a whole percentage; '–' before anyone started."""
        if not self.started:
            return "–"
        return f"{round(100 * self.completed / self.started)}%"


def form_summaries(session: Session, workspace_id: int, *,
                   archived: bool = False) -> list[FormSummary]:
    """The workspace's active (or archived) forms by title, counted in one query."""
    from app.forms.versions import content_hash

    versions = (
        select(FormVersion.form_id, func.max(FormVersion.number).label("number"),
               func.count().label("total"))
        .where(FormVersion.workspace_id == workspace_id)
        .group_by(FormVersion.form_id)
        .subquery()
    )
    responses = (
        select(Response.form_id, func.count().label("started"),
               func.sum(case((Response.state == "completed", 1), else_=0)).label("completed"))
        .where(Response.workspace_id == workspace_id)
        .group_by(Response.form_id)
        .subquery()
    )
    rows = session.execute(
        select(Form.slug, Form.name, Form.status, Form.draft, Form.draft_updated_at,
               versions.c.number, versions.c.total, FormVersion.content_hash,
               responses.c.started, responses.c.completed)
        .outerjoin(versions, versions.c.form_id == Form.id)
        .outerjoin(FormVersion, and_(FormVersion.form_id == Form.id,
                                     FormVersion.number == versions.c.number))
        .outerjoin(responses, responses.c.form_id == Form.id)
        .where(Form.workspace_id == workspace_id,
               Form.status == ("archived" if archived else "active"))
        .order_by(func.lower(Form.name), Form.slug)
    )
    return [
        FormSummary(
            slug=slug, title=name, archived=status == "archived", latest_version=number,
            versions=total or 0, started=started or 0, completed=int(completed or 0),
            unpublished_changes=latest_hash is None or latest_hash != content_hash(draft),
            edited_at=edited_at,
        )
        for (slug, name, status, draft, edited_at, number, total, latest_hash, started,
             completed) in rows
    ]


def archived_count(session: Session, workspace_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Form).where(
        Form.workspace_id == workspace_id, Form.status == "archived")) or 0


@dataclass(frozen=True)
class FormStatus:
    """The editor header's line: published version, unpublished changes, archived."""

    archived: bool
    latest_version: int | None
    unpublished_changes: bool

    @property
    def label(self) -> str:
        if self.archived:
            return "Archived"
        if self.latest_version is None:
            return "Draft"
        return "Unpublished changes" if self.unpublished_changes else "Published"


def form_status(session: Session, form: Form) -> FormStatus:
    from app.forms.versions import content_hash, latest_version

    latest = latest_version(session, form)
    return FormStatus(
        archived=form.status == "archived",
        latest_version=latest.number if latest else None,
        unpublished_changes=latest is None or latest.content_hash != content_hash(form.draft),
    )
