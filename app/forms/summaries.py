"""The forms list of a workspace: one row per form, counted by the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Form, FormVersion, Response


@dataclass(frozen=True)
class FormSummary:
    slug: str
    title: str
    status: str  # "published", "draft" (never published) or "archived"
    latest_version: int | None
    responses: int  # completed responses, over every version

    @property
    def is_live(self) -> bool:
        return self.status == "published"


def form_summaries(session: Session, workspace_id: int) -> list[FormSummary]:
    """Every form of the workspace by title, counted in one query."""
    latest = (
        select(FormVersion.form_id, func.max(FormVersion.number).label("number"))
        .where(FormVersion.workspace_id == workspace_id)
        .group_by(FormVersion.form_id)
        .subquery()
    )
    completed = (
        select(Response.form_id, func.count().label("total"))
        .where(Response.workspace_id == workspace_id, Response.state == "completed")
        .group_by(Response.form_id)
        .subquery()
    )
    rows = session.execute(
        select(Form.slug, Form.name, Form.status, latest.c.number, completed.c.total)
        .outerjoin(latest, latest.c.form_id == Form.id)
        .outerjoin(completed, completed.c.form_id == Form.id)
        .where(Form.workspace_id == workspace_id)
        .order_by(func.lower(Form.name), Form.slug)
    )
    return [
        FormSummary(
            slug=slug, title=name, latest_version=number, responses=total or 0,
            status="archived" if status == "archived" else (
                "published" if number is not None else "draft"),
        )
        for slug, name, status, number, total in rows
    ]


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
