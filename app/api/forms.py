"""Forms as the API shows them: listing with versions, definitions, publishing.

Reads and shapes only; publishing is `app.forms.versions.publish`. Every query is
scoped to the caller's workspace.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.errors import api_abort
from app.api.pagination import Page, fetch_page
from app.models import Form, FormVersion, Workspace


def form_page(session: Session, workspace: Workspace, args: dict[str, Any]
              ) -> tuple[list[dict[str, Any]], Page]:
    query = select(Form).where(Form.workspace_id == workspace.id)
    if args.get("status"):
        query = query.where(Form.status == args["status"])
    page = fetch_page(session, query, Form.id, args, lambda row: row[0].id)
    forms = [row[0] for row in page.rows]
    versions = versions_of(session, [form.id for form in forms])
    return [describe(workspace, form, versions[form.id]) for form in forms], page


def find_form(session: Session, workspace: Workspace, slug: str) -> Form | None:
    return session.scalar(select(Form).where(Form.workspace_id == workspace.id,
                                             Form.slug == slug))


def filter_form_id(session: Session, workspace: Workspace, slug: str) -> int:
    """The id of the form a `?form=` filter names, or a 400 saying it is unknown."""
    form = find_form(session, workspace, slug)
    if form is None:
        api_abort(400, f"No form {slug!r} in this workspace.", code="bad_filter",
                  details={"query": {"form": ["Unknown form."]}})
    return form.id


def versions_of(session: Session, form_ids: list[int]) -> dict[int, list[FormVersion]]:
    """Every version of these forms, newest first, in one query."""
    found: dict[int, list[FormVersion]] = defaultdict(list)
    if form_ids:
        for version in session.scalars(select(FormVersion)
                                       .where(FormVersion.form_id.in_(form_ids))
                                       .order_by(FormVersion.number.desc())):
            found[version.form_id].append(version)
    return found


def describe(workspace: Workspace, form: Form, versions: list[FormVersion]) -> dict[str, Any]:
    return {
        "id": form.id, "slug": form.slug, "name": form.name, "status": form.status,
        "url": url_for("public.show_form", workspace=workspace.slug, form=form.slug),
        "created_at": form.created_at, "draft_updated_at": form.draft_updated_at,
        "latest_version": versions[0].number if versions else None,
        "versions": [version_summary(version) for version in versions],
    }


def version_summary(version: FormVersion) -> dict[str, Any]:
    return {"number": version.number, "published_at": version.published_at,
            "content_hash": version.content_hash, "note": version.note}
