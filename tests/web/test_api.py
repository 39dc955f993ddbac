"""The definition endpoints: the published schema and validation over HTTP."""

from __future__ import annotations

import copy
import json


def test_the_schema_is_served_as_json_schema(client):
    response = client.get("/schema/form-definition.json")

    assert response.status_code == 200
    assert response.mimetype == "application/schema+json"
    assert "steps" in response.get_json()["properties"]


def test_a_valid_definition_validates(client, demo_definition):
    response = client.post("/api/v1/definitions/validate", data=json.dumps(demo_definition),
                           content_type="application/json")

    assert response.status_code == 200
    assert response.get_json()["valid"] is True


def test_malformed_json_is_a_422_with_a_message(client):
    response = client.post("/api/v1/definitions/validate", data="{not json",
                           content_type="application/json")

    assert response.status_code == 422
    body = response.get_json()
    assert body["valid"] is False
    assert "Not valid JSON" in body["errors"][0]["message"]


def test_wrong_types_are_a_422_with_json_pointers(client, demo_definition):
    broken = copy.deepcopy(demo_definition)
    broken["steps"][0]["fields"][0]["required"] = "yes"

    response = client.post("/api/v1/definitions/validate", data=json.dumps(broken),
                           content_type="application/json")

    assert response.status_code == 422
    paths = [error["path"] for error in response.get_json()["errors"]]
    assert "/steps/0/fields/0/required" in paths


def test_a_condition_on_an_unknown_field_is_a_422(client, demo_definition):
    broken = copy.deepcopy(demo_definition)
    broken["steps"][2]["visible_if"] = {"==": [{"var": "answers.ghost"}, "x"]}

    response = client.post("/api/v1/definitions/validate", data=json.dumps(broken),
                           content_type="application/json")

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert any(e["path"].startswith("/steps/2/visible_if") and "ghost" in e["message"]
               for e in errors)
