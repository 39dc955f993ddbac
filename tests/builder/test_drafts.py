"""Draft changes: kept only when nothing new breaks; undo puts the draft back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.builder.drafts import KEEP_REVISIONS, ChangeRefused, edit_draft, undo
from app.forms.versions import ensure_workspace, save_draft
from app.models import DraftRevision, Form


def _definition() -> dict[str, Any]:
    return {
        "schema": 1, "title": "Demo",
        "steps": [
            {"id": "one", "fields": [
                {"id": "size", "type": "choice", "label": "Size",
                 "options": [{"value": "small"}, {"value": "large"}]}],
             "next": [{"if": {"==": [{"var": "answers.size"}, "large"]}, "goto": "two"}]},
            {"id": "two", "fields": [{"id": "name", "type": "short_text", "label": "Name"}]},
        ],
        "endings": [{"id": "thanks", "type": "message"}],
    }


@pytest.fixture
def form(session: Session) -> Form:
    workspace = ensure_workspace(session, "acme")
    created, _ = save_draft(session, workspace, "demo", _definition())
    session.commit()
    return created


def test_a_change_is_kept_and_remembered(session: Session, form: Form) -> None:
    def rename(draft: dict[str, Any]) -> None:
        draft["steps"][1]["fields"][0]["label"] = "Your name"

    edited = edit_draft(session, form, rename, summary="Renamed a field")
    session.commit()
    assert edited.changed
    assert form.draft["steps"][1]["fields"][0]["label"] == "Your name"
    revision = session.scalar(select(DraftRevision).where(DraftRevision.form_id == form.id))
    assert revision is not None and revision.summary == "Renamed a field"
    assert revision.before["steps"][1]["fields"][0]["label"] == "Name"


def test_duplicate_option_values_are_refused_and_nothing_is_saved(
        session: Session, form: Form) -> None:
    def duplicate(draft: dict[str, Any]) -> None:
        draft["steps"][0]["fields"][0]["options"].append({"value": "small"})

    with pytest.raises(ChangeRefused) as refused:
        edit_draft(session, form, duplicate, summary="Added an option")
    session.rollback()
    assert "small" in refused.value.message
    assert len(session.get(Form, form.id).draft["steps"][0]["fields"][0]["options"]) == 2
    assert session.scalar(select(func.count()).select_from(DraftRevision)) == 0


def test_deleting_a_step_a_branch_goes_to_is_refused(session: Session, form: Form) -> None:
    def delete_step(draft: dict[str, Any]) -> None:
        del draft["steps"][1]

    with pytest.raises(ChangeRefused) as refused:
        edit_draft(session, form, delete_step, summary="Deleted a step")
    assert "two" in refused.value.message
    assert refused.value.for_path("/steps/0")


def test_an_unchanged_draft_stores_no_revision(session: Session, form: Form) -> None:
    edited = edit_draft(session, form, lambda draft: None, summary="Nothing")
    assert not edited.changed
    assert session.scalar(select(func.count()).select_from(DraftRevision)) == 0


def test_undo_restores_the_draft_before_the_last_change(session: Session, form: Form) -> None:
    edit_draft(session, form, lambda d: d.update(title="First"), summary="Title: First")
    edit_draft(session, form, lambda d: d.update(title="Second"), summary="Title: Second")
    session.commit()
    undone = undo(session, form)
    assert undone is not None and undone.summary == "Title: Second"
    assert form.draft["title"] == "First" and form.name == "First"
    undo(session, form)
    assert form.draft["title"] == "Demo"
    assert undo(session, form) is None


def test_old_revisions_are_pruned(session: Session, form: Form) -> None:
    for number in range(KEEP_REVISIONS + 5):
        edit_draft(session, form, lambda d, n=number: d.update(title=f"T{n}"), summary=f"{number}")
    session.commit()
    assert session.scalar(select(func.count()).select_from(DraftRevision)) == KEEP_REVISIONS
