"""Drafts, publishing and immutable versions (invariant 1), on both databases."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.forms.versions import (
    DefinitionRejected,
    NotFound,
    content_hash,
    ensure_workspace,
    export_definition,
    get_form,
    latest_version,
    publish,
    save_draft,
)
from app.models import Form, FormVersion, ImmutableVersionError, Response


@pytest.fixture
def workspace(session: Session):
    workspace = ensure_workspace(session, "acme", "Acme")
    session.commit()
    return workspace


def test_publishing_a_draft_creates_version_one_with_its_hash(
    session, workspace, portable_definition
):
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    outcome = publish(session, form)
    session.commit()

    assert outcome.created
    assert outcome.version.number == 1
    assert outcome.version.content_hash == content_hash(portable_definition)
    assert outcome.version.definition == portable_definition


def test_publishing_an_unchanged_draft_keeps_the_latest_version(
    session, workspace, portable_definition
):
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    first = publish(session, form).version
    again = publish(session, form)

    assert not again.created
    assert again.version.id == first.id
    assert session.scalar(select(func.count()).select_from(FormVersion)) == 1


def test_editing_the_draft_never_changes_a_published_version(
    session, workspace, portable_definition
):
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    first = publish(session, form).version
    session.commit()
    edited = copy.deepcopy(portable_definition)
    edited["title"] = "Book a demo"
    save_draft(session, workspace, "talk", edited)
    second = publish(session, form).version
    session.commit()
    session.expire_all()

    assert (first.number, second.number) == (1, 2)
    assert session.get(FormVersion, first.id).definition["title"] == "Talk to sales"
    assert latest_version(session, form).definition["title"] == "Book a demo"


def test_the_orm_refuses_to_modify_a_published_version(session, workspace, portable_definition):
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    version = publish(session, form).version
    session.commit()

    version.note = "sneaky"
    with pytest.raises(ImmutableVersionError):
        session.flush()


def test_a_response_stays_on_the_version_it_started_on(session, workspace, portable_definition):
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    first = publish(session, form).version
    response = Response(
        workspace_id=workspace.id,
        form_id=form.id,
        version_id=first.id,
        visitor_id="v1",
        answers={},
        hidden={},
        meta={},
    )
    session.add(response)
    session.commit()
    edited = copy.deepcopy(portable_definition)
    edited["steps"][0]["title"] = "Hello"
    save_draft(session, workspace, "talk", edited)
    publish(session, form)
    session.commit()
    session.expire_all()

    assert session.get(Response, response.id).version.number == 1


def test_save_draft_refuses_a_structurally_invalid_definition_and_stores_nothing(
    session, workspace
):
    with pytest.raises(DefinitionRejected) as rejected:
        save_draft(session, workspace, "broken", {"schema": 1, "title": "x", "steps": "no"})
    session.rollback()

    assert rejected.value.review.errors
    assert all(
        issue["path"].startswith("/") or issue["path"] == ""
        for issue in rejected.value.review.errors
    )
    assert session.scalar(select(func.count()).select_from(Form)) == 0


def _with_goto_to_nowhere(definition: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(definition)
    broken["steps"][0]["next"] = [{"if": True, "goto": "nowhere"}]
    return broken


def test_publish_refuses_a_draft_with_lint_errors_and_creates_no_version(
    session, workspace, portable_definition
):
    form, verdict = save_draft(
        session, workspace, "talk", _with_goto_to_nowhere(portable_definition)
    )
    assert verdict.errors, "a draft may hold lint errors while being edited"
    with pytest.raises(DefinitionRejected) as rejected:
        publish(session, form)

    assert any(issue["path"] == "/steps/0/next/0/goto" for issue in rejected.value.review.errors)
    assert session.scalar(select(func.count()).select_from(FormVersion)) == 0


def test_export_returns_the_draft_or_a_chosen_version(session, workspace, portable_definition):
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    publish(session, form)
    edited = copy.deepcopy(portable_definition)
    edited["title"] = "Draft title"
    save_draft(session, workspace, "talk", edited)

    assert export_definition(session, form)["title"] == "Draft title"
    assert export_definition(session, form, 1)["title"] == "Talk to sales"
    with pytest.raises(NotFound, match="no version 7"):
        export_definition(session, form, 7)


def test_a_form_of_another_workspace_is_not_found(session, workspace, portable_definition):
    other = ensure_workspace(session, "other")
    save_draft(session, other, "talk", portable_definition)

    with pytest.raises(NotFound):
        get_form(session, workspace, "talk")


def test_invalid_slugs_are_refused_with_a_message(session, workspace, portable_definition):
    with pytest.raises(ValueError, match="not a valid slug"):
        save_draft(session, workspace, "Bad Slug!", portable_definition)
