"""New forms start from a blank form or a template; every one of them is publishable."""

from __future__ import annotations

import json

import pytest

from app.builder.catalog import BLANK, TEMPLATE_DIR, TEMPLATES, template_definition
from app.builder.forms import slugify
from app.forms.review import review

KEYS = [template.key for template in TEMPLATES]


@pytest.mark.parametrize("key", KEYS)
def test_every_start_passes_review_without_errors_or_warnings(key: str) -> None:
    verdict = review(template_definition(key, "My form"))

    assert verdict.errors == [] and verdict.warnings == []


@pytest.mark.parametrize("key", KEYS)
def test_the_form_takes_the_name_as_its_title(key: str) -> None:
    assert template_definition(key, "Spring launch")["title"] == "Spring launch"


def test_every_template_file_is_listed_and_every_listed_one_exists() -> None:
    files = {path.stem for path in TEMPLATE_DIR.glob("*.json")}

    assert files == set(KEYS) - {BLANK}


def test_a_template_is_a_fresh_copy_each_time() -> None:
    first = template_definition("demo-request", "A")
    first["steps"].clear()

    assert template_definition("demo-request", "B")["steps"]


def test_the_demo_request_qualifies_branches_and_routes() -> None:
    definition = template_definition("demo-request", "Demo")
    fields = {field["id"]: field for step in definition["steps"] for field in step["fields"]}

    assert {"email", "first_name", "last_name", "company", "company_size", "job_level",
            "timeline"} <= set(fields)
    assert any(step.get("next") for step in definition["steps"])
    assert definition["endings"][0]["type"] == "route" and definition["route"][-1]["if"] is True


def test_unknown_template() -> None:
    with pytest.raises(KeyError):
        template_definition("nope", "x")


@pytest.mark.parametrize(("name", "slug"), [
    ("Demo request", "demo-request"),
    ("  Démo: Q3 launch!! ", "demo-q3-launch"),
    ("日本", ""),
    ("a" * 80, "a" * 63),
    ("x" * 62 + " y", "x" * 62),
])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_template_files_are_plain_json() -> None:
    for path in TEMPLATE_DIR.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["schema"] == 1
