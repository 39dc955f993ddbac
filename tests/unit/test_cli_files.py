"""`forms lint` and `forms simulate` read files only: no database involved."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from app.cli.forms import forms_group


@pytest.fixture
def run():
    runner = CliRunner()
    flask_app = Flask("lint-only")

    def invoke(*args: str):
        with flask_app.app_context():
            return runner.invoke(forms_group, list(args), catch_exceptions=False)

    return invoke


def test_lint_accepts_the_demo_form(run, write_json, demo_definition):
    result = run("lint", str(write_json(demo_definition)))

    assert result.exit_code == 0, result.output
    assert "is valid" in result.output


def test_lint_exits_1_listing_each_error_with_its_path(run, write_json, demo_definition):
    broken = copy.deepcopy(demo_definition)
    broken["steps"][1]["next"][0]["goto"] = "missing-step"
    broken["steps"][0]["fields"][0]["type"] = "short_text"
    broken["steps"][0]["fields"][1]["id"] = "first_name"

    result = run("lint", str(write_json(broken)))

    assert result.exit_code == 1
    assert "/steps/0/fields/1/id" in result.output or "first_name" in result.output


def test_lint_reports_a_goto_to_an_unknown_step(run, write_json, demo_definition):
    broken = copy.deepcopy(demo_definition)
    broken["steps"][1]["next"][0]["goto"] = "missing-step"

    result = run("lint", str(write_json(broken)))

    assert result.exit_code == 1
    assert "/steps/1/next/0/goto" in result.output
    assert "missing-step" in result.output


def test_lint_of_a_missing_file_exits_1(run, tmp_path):
    result = run("lint", str(tmp_path / "nope.json"))

    assert result.exit_code != 0


ANSWERS = {
    "first_name": "Ada", "email": "ada@example.com", "job_level": "vp",
    "company": "Analytical", "company_size": "51-200",
    "use_case": ["lead_quality"], "timeline": "now", "budget": "over_50k", "authority": "me",
    "consent": True,
}


def test_simulate_walks_the_sales_path(run, write_json, demo_definition):
    result = run("simulate", str(write_json(demo_definition)), "--answers", json.dumps(ANSWERS),
                 "--json")

    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert [step["id"] for step in outcome["steps"]] == ["you", "company", "needs", "details"]
    assert outcome["ending"]["id"] == "sales"


def test_simulate_takes_the_small_company_branch(run, write_json, demo_definition):
    answers = {**ANSWERS, "company_size": "1-10", "starter_goal": "trial"}

    result = run("simulate", str(write_json(demo_definition)), "--answers", json.dumps(answers),
                 "--json")

    outcome = json.loads(result.output)
    assert [step["id"] for step in outcome["steps"]] == ["you", "company", "starter"]
    assert outcome["ending"]["id"] == "self-serve"
    assert "timeline" in outcome["dropped"]


def test_simulate_sends_students_to_their_ending(run, write_json, demo_definition):
    answers = {**ANSWERS, "job_level": "student"}

    result = run("simulate", str(write_json(demo_definition)), "--answers", json.dumps(answers))

    assert result.exit_code == 0, result.output
    assert "Ending: student (disqualify)" in result.output
    assert "2. company" in result.output
    assert "3." not in result.output


def test_simulate_sends_later_timelines_to_nurture(run, write_json, demo_definition):
    answers = {**ANSWERS, "timeline": "later"}

    result = run("simulate", str(write_json(demo_definition)), "--answers", json.dumps(answers),
                 "--json")

    assert json.loads(result.output)["ending"]["id"] == "nurture"


def test_simulate_flags_invalid_answers(run, write_json, demo_definition):
    answers = {**ANSWERS, "email": "not-an-email"}

    result = run("simulate", str(write_json(demo_definition)), "--answers", json.dumps(answers))

    assert result.exit_code == 0
    assert "email" in result.output and "!" in result.output


def test_simulate_refuses_answers_that_are_not_json(run, write_json, demo_definition):
    result = run("simulate", str(write_json(demo_definition)), "--answers", "{oops")

    assert result.exit_code == 1
    assert "--answers is not valid JSON" in result.output


MODEL = Path(__file__).parents[2] / "demo" / "scoring-model.json"


def test_simulate_with_a_model_prints_every_reason_the_stage_and_the_route(
    run, write_json, demo_definition
):
    result = run("simulate", str(write_json(demo_definition)), "--answers", json.dumps(ANSWERS),
                 "--signals", '{"pricing_views_7d": 3}', "--model", str(MODEL))

    assert result.exit_code == 0, result.output
    assert "+25 fit    Budget over $50k a year [budget-over-50k]" in result.output
    assert "+15 intent Viewed pricing twice or more this week [pricing-views]" in result.output
    assert "Stage: sql" in result.output
    assert "Destination: book ae-team/intro-30" in result.output


def test_simulate_json_has_a_score_equal_to_its_reasons(run, write_json, demo_definition):
    answers = {**ANSWERS, "email": "ada@gmail.com"}
    result = run("simulate", str(write_json(demo_definition)), "--answers", json.dumps(answers),
                 "--model", str(MODEL), "--json")

    qualification = json.loads(result.output)["qualification"]
    score = qualification["score"]
    assert score["total"] == round(sum(reason["points"] for reason in score["reasons"]), 2)
    assert qualification["stage"]["stage"] == "mql"
    assert "work email" in qualification["stage"]["reason"]
    assert qualification["destination"]["target"] == "fast-track"


def test_simulate_refuses_an_invalid_model(run, write_json, demo_definition, tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text('{"schema": 1, "rules": [{"id": "x"}], "thresholds": {}}')

    result = run("simulate", str(write_json(demo_definition)), "--model", str(bad))

    assert result.exit_code == 1
    assert "/rules/0/points" in result.output
