"""What every endpoint shares: the error body for every status, pagination, rate limits."""

from __future__ import annotations

import json

import pytest

from app.api import responses as responses_service
from tests.api.conftest import ApiClient, error_of


def test_an_unknown_api_url_is_a_404_with_the_error_body(api):
    reply = api.get("/api/v1/nothing-here")

    assert reply.status_code == 404
    assert error_of(reply)["code"] == "not_found"


def test_a_wrong_method_is_a_405_with_the_error_body_and_allow(api):
    reply = api.delete("/api/v1/forms")

    assert reply.status_code == 405
    assert error_of(reply)["code"] == "method_not_allowed"
    assert "GET" in reply.headers["Allow"]


def test_a_body_that_is_not_json_is_a_415(api, world):
    reply = api.post(f"/api/v1/leads/{world['lead_id']}/stage", data="stage=sql",
                     content_type="application/x-www-form-urlencoded")

    assert reply.status_code == 415
    assert error_of(reply)["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_is_a_413(api, api_app):
    api_app.config["MAX_CONTENT_LENGTH"] = 1000
    reply = api.put("/api/v1/contacts", data=json.dumps({"email": "a@b.example",
                                                         "properties": {"x": "y" * 2000}}),
                    content_type="application/json")

    assert reply.status_code == 413
    assert error_of(reply)["code"] == "payload_too_large"


def test_malformed_json_is_a_400(api):
    reply = api.put("/api/v1/contacts", data="{nope", content_type="application/json")

    assert reply.status_code == 400
    assert error_of(reply)["details"] == {"json": ["Invalid JSON body."]}


def test_field_errors_are_a_422_naming_each_field(api, world):
    reply = api.post(f"/api/v1/leads/{world['lead_id']}/stage", json={"stage": "hot",
                                                                      "extra": 1})

    assert reply.status_code == 422
    error = error_of(reply)
    assert error["code"] == "validation_failed"
    assert set(error["details"]["json"]) == {"stage", "extra"}
    assert "stage (json)" in error["message"]


def test_nul_characters_are_refused_before_they_reach_the_database(api):
    assert api.put("/api/v1/contacts", json={"email": "a\u0000@b.example"}).status_code == 422
    assert api.get("/api/v1/leads?source=a%00b").status_code == 400


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=ten", "cursor=bm9wZQ",
                                   "cursor=%C3%A9", "stage=hot", "since=yesterday",
                                   "since=2026-01-01T00:00:00"])
def test_a_bad_filter_or_page_parameter_is_a_400_with_a_message(api, query):
    reply = api.get(f"/api/v1/leads?{query}")

    assert reply.status_code == 400, reply.get_json()
    error = error_of(reply)
    assert error["code"] == "bad_request"
    assert list(error["details"]["query"]) == [query.split("=")[0]]


def test_an_unknown_form_filter_is_a_400(api):
    reply = api.get("/api/v1/responses?form=ghost")

    assert reply.status_code == 400
    assert "ghost" in error_of(reply)["message"]


def test_pages_walk_every_item_once_newest_first(api):
    emails = [f"p{n}@example.com" for n in range(7)]
    for email in emails:
        assert api.put("/api/v1/contacts", json={"email": email}).status_code == 201

    seen, url, pages = [], "/api/v1/contacts?limit=3", 0
    while url:
        reply = api.get(url)
        body = reply.get_json()
        pages += 1
        seen += [contact["email"] for contact in body["data"]]
        assert ("Link" in reply.headers) == (body["next"] is not None)
        url = f"/api/v1/contacts?limit=3&cursor={body['next']}" if body["next"] else None

    assert pages == 3
    assert seen == list(reversed(emails))


def test_the_link_header_points_at_the_next_page(api):
    for n in range(3):
        api.put("/api/v1/contacts", json={"email": f"l{n}@example.com"})

    reply = api.get("/api/v1/contacts?limit=2")
    link = reply.headers["Link"]

    assert link.endswith('; rel="next"')
    target = link[1:link.index(">")]
    assert "limit=2" in target and f"cursor={reply.get_json()['next']}" in target
    assert len(api.get(target).get_json()["data"]) == 1


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(api_app, make_token):
    api_app.config["API_RATE_LIMIT"] = "3 per minute"
    limited = ApiClient(api_app.test_client(), make_token(workspace="rate-limited"))
    other = ApiClient(api_app.test_client(), make_token(workspace="rate-other"))

    statuses = [limited.get("/api/v1/forms").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    reply = limited.get("/api/v1/forms")
    assert reply.status_code == 429
    assert error_of(reply)["code"] == "rate_limited"
    assert int(reply.headers["Retry-After"]) > 0
    assert other.get("/api/v1/forms").status_code == 200  # the limit is per token


def test_a_crash_is_a_500_with_the_error_body_and_no_trace(api, api_app, monkeypatch):
    api_app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(responses_service, "response_page", broken)
    reply = api.get("/api/v1/responses")

    assert reply.status_code == 500
    error = error_of(reply)
    assert error["code"] == "server_error"
    assert "secret internals" not in reply.get_data(as_text=True)
