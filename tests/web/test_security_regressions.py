"""Holes the security sweep found, each pinned by a test on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.db import write_session
from app.forms.validation import validate
from app.forms.versions import (
    DefinitionRejected,
    NotFound,
    ensure_workspace,
    get_form,
    save_draft,
)
from tests.builder.test_build_tab import (
    BASE,
    HTMX,
    _definition,
    _draft,
    _token,
    editor,  # noqa: F401 (a fixture)
)


def test_a_nul_character_anywhere_in_a_definition_is_refused_with_its_path():
    definition = _definition()
    definition["steps"][1]["fields"][0]["label"] = "Project\x00name"

    assert [issue.path for issue in validate(definition)] == ["/steps/1/fields/0/label"]


def test_saving_a_draft_with_a_nul_character_is_refused_not_a_server_error(app: Flask):
    definition = _definition()
    definition["endings"][0]["title"] = "Thanks\x00"

    # PostgreSQL cannot store \u0000 in JSON or text: before the fix this was a DataError.
    with app.app_context(), write_session() as session, pytest.raises(DefinitionRejected):
        save_draft(session, ensure_workspace(session, "acme"), "nul", definition)
    with app.app_context(), write_session() as session, pytest.raises(NotFound):
        get_form(session, ensure_workspace(session, "acme"), "nul")


def test_the_editor_refuses_a_label_with_a_nul_character(app: Flask,
                                                        editor: FlaskClient):  # noqa: F811
    before = _draft(app)

    reply = editor.post(f"{BASE}/fields/name", headers=HTMX, data={
        "csrf_token": _token(editor), "label": "Project\x00name", "key": "name"})

    assert reply.status_code < 500
    assert _draft(app) == before
