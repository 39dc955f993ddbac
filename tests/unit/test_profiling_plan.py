"""The profiling plan is pure: known properties in, skips and queued questions out."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.forms import validate
from app.profiling.plan import Plan, apply_plan, make_plan

DEMO = json.loads((Path(__file__).parents[2] / "demo" / "talk-to-sales.json").read_text())
KNOWN = {"first_name": "Ada", "email": "ada@acme.io", "job_level": "vp", "company": "Acme"}


def field_ids(definition, step_id):
    step = next(step for step in definition["steps"] if step["id"] == step_id)
    return [spec["id"] for spec in step["fields"]]


def test_an_unknown_visitor_gets_the_form_unchanged():
    plan = make_plan(DEMO, {})

    assert plan == Plan()
    assert apply_plan(DEMO, plan) == DEMO


def test_known_fields_are_skipped_and_answered_from_the_profile():
    plan = make_plan(DEMO, KNOWN)

    assert plan.skipped == {"first_name": "Ada", "email": "ada@acme.io", "job_level": "vp",
                            "company": "Acme"}
    assert plan.known == KNOWN


def test_queued_questions_take_the_places_of_skipped_ones_up_to_the_limit():
    effective = apply_plan(DEMO, make_plan(DEMO, KNOWN))

    assert field_ids(effective, "you") == ["industry", "crm"]
    assert field_ids(effective, "company") == ["company_size"]


def test_queued_questions_already_answered_are_not_asked_again():
    effective = apply_plan(DEMO, make_plan(DEMO, {**KNOWN, "industry": "software"}))

    assert field_ids(effective, "you") == ["crm", "team_role"]


def test_max_new_per_visit_zero_only_skips():
    definition = copy.deepcopy(DEMO)
    definition["profiling"]["max_new_per_visit"] = 0

    effective = apply_plan(definition, make_plan(definition, KNOWN))

    assert field_ids(effective, "you") == []


def test_a_known_value_that_is_no_longer_a_valid_answer_is_asked_again():
    plan = make_plan(DEMO, {"job_level": "astronaut"})

    assert "job_level" not in plan.skipped


def test_consent_is_always_asked_even_when_known():
    plan = make_plan(DEMO, {"consent": True})

    assert plan.skipped == {}


def test_the_plan_survives_a_round_trip_through_json():
    plan = make_plan(DEMO, KNOWN)

    assert Plan.from_dict(json.loads(json.dumps(plan.as_dict()))) == plan


@given(st.dictionaries(
    st.sampled_from(["first_name", "email", "job_level", "company", "company_size", "timeline",
                     "budget", "authority", "industry", "crm", "job_title", "use_case"]),
    st.one_of(st.text(max_size=20), st.sampled_from(["vp", "now", "51-200", "me", "software"])),
))
def test_an_applied_plan_is_always_a_valid_definition(known):
    plan = make_plan(DEMO, known)
    effective = apply_plan(DEMO, plan)

    # A step may be left empty (every question known); the hosted form skips it.
    assert [i for i in validate(effective) if i.message != "Needs at least one field."] == []
    asked = {spec["id"] for step in effective["steps"] for spec in step["fields"]}
    assert not asked & set(plan.skipped)
    assert len(plan.inserted) <= DEMO["profiling"]["max_new_per_visit"]


@pytest.mark.parametrize("email, expected", [
    ("ada@acme.io", {"email_type": "work", "company_domain": "acme.io"}),
    ("ada@GMAIL.com", {"email_type": "free"}),
    ("ada@mailinator.com", {"email_type": "disposable"}),
])
def test_enrichment_classifies_email_domains(email, expected):
    from app.profiling.enrichment import enrich

    assert enrich(email) == expected


@pytest.mark.parametrize("raw, expected", [
    ("Ada@ACME.io", "Ada@acme.io"),
    ("  ada@acme.io ", "ada@acme.io"),
])
def test_emails_normalise_with_a_case_folded_domain(raw, expected):
    from app.profiling.emails import normalise_email

    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "ada", "ada@", "@acme.io", "ada@acme"])
def test_malformed_emails_are_refused_with_a_message(raw):
    from app.profiling.emails import InvalidEmail, normalise_email

    with pytest.raises(InvalidEmail) as refused:
        normalise_email(raw)
    assert str(refused.value)
