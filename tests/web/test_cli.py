"""`flask forms ...` and `flask demo load`: exit codes, messages, what gets stored."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Form, FormVersion


@pytest.fixture
def acme(cli):
    result = cli.invoke(args=["workspaces", "create", "acme"])
    assert result.exit_code == 0, result.output
    return "acme"


def count(db_engine, model) -> int:
    with Session(db_engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_import_with_publish_stores_a_version(
    cli, acme, write_json, portable_definition, db_engine
):
    path = write_json(portable_definition, "talk-to-sales.json")

    result = cli.invoke(args=["forms", "import", str(path), "--workspace", acme, "--publish"])

    assert result.exit_code == 0, result.output
    assert "Published 'acme/talk-to-sales' as version 1." in result.output
    assert count(db_engine, FormVersion) == 1


def test_import_of_malformed_json_lists_the_error_and_stores_nothing(
    cli, acme, write_json, db_engine
):
    path = write_json('{"schema": 1, "title": ', "broken.json")

    result = cli.invoke(args=["forms", "import", str(path), "--workspace", acme])

    assert result.exit_code == 1
    assert "Not valid JSON" in result.output
    assert count(db_engine, Form) == 0


def test_import_of_an_unknown_field_type_names_its_path(
    cli, acme, write_json, portable_definition, db_engine
):
    broken = copy.deepcopy(portable_definition)
    broken["steps"][1]["fields"][0]["type"] = "fancy"
    path = write_json(broken)

    result = cli.invoke(args=["forms", "import", str(path), "--workspace", acme])

    assert result.exit_code == 1
    assert "/steps/1/fields/0/type" in result.output
    assert "fancy" in result.output
    assert count(db_engine, Form) == 0


def test_import_with_publish_is_all_or_nothing_on_lint_errors(
    cli, acme, write_json, portable_definition, db_engine
):
    broken = copy.deepcopy(portable_definition)
    broken["steps"][0]["visible_if"] = {"==": [{"var": "answers.nope"}, 1]}
    path = write_json(broken)

    result = cli.invoke(args=["forms", "import", str(path), "--workspace", acme, "--publish"])

    assert result.exit_code == 1
    assert "/steps/0/visible_if" in result.output
    assert "nope" in result.output
    assert (count(db_engine, Form), count(db_engine, FormVersion)) == (0, 0)


def test_import_into_an_unknown_workspace_fails_clearly(cli, write_json, portable_definition):
    result = cli.invoke(
        args=["forms", "import", str(write_json(portable_definition)), "--workspace", "ghost"]
    )

    assert result.exit_code == 1
    assert "Unknown workspace 'ghost'" in result.output


def test_export_prints_the_draft_as_json(cli, acme, write_json, portable_definition):
    cli.invoke(
        args=[
            "forms",
            "import",
            str(write_json(portable_definition, "talk.json")),
            "--workspace",
            acme,
        ]
    )

    result = cli.invoke(args=["forms", "export", "acme/talk"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == portable_definition


def test_export_of_an_unknown_form_exits_1(cli, acme):
    result = cli.invoke(args=["forms", "export", "missing", "--workspace", acme])

    assert result.exit_code == 1
    assert "Unknown form 'missing'" in result.output


def test_demo_load_publishes_once_and_is_safe_to_repeat(cli, db_engine):
    first = cli.invoke(args=["demo", "load"])
    second = cli.invoke(args=["demo", "load"])

    assert first.exit_code == 0, first.output
    assert "version 1 (published)" in first.output
    assert "version 1 (unchanged)" in second.output
    assert count(db_engine, FormVersion) == 1


def test_simulate_with_a_workspace_names_the_rep_and_changes_nothing(demo, cli, write_json,
                                                                      demo_definition, db_engine):
    from app.models import Lead, TeamMember

    answers = {"first_name": "Ada", "email": "ada@acme.io", "job_level": "vp",
               "company": "Acme", "company_size": "51-200", "use_case": ["conversion"],
               "timeline": "now", "budget": "over_50k", "authority": "me", "consent": True}
    result = cli.invoke(args=["forms", "simulate", str(write_json(demo_definition)),
                              "--workspace", "demo", "--answers", json.dumps(answers)])

    assert result.exit_code == 0, result.output
    assert "Stage: sql" in result.output
    assert any(name in result.output for name in ("Sam Rivera", "Priya Shah", "Jordan Lee"))
    assert count(db_engine, Lead) == 0
    with Session(db_engine) as session:
        assert sum(m.meetings_assigned for m in session.scalars(select(TeamMember))) == 0
