"""MAX_FORM_PARTS holds for urlencoded bodies as for multipart: one field too many is a 413."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web.form_limits import too_many_parts
from tests.web.backoffice import add_user, csrf_of, log_in
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, token_of

URLENCODED = "application/x-www-form-urlencoded"
RETENTION_URL = "/app/acme/data/retention"


def filled_to(fields: dict[str, Any], parts: int) -> dict[str, Any]:
    """`fields` plus filler fields, `parts` fields in all."""
    return {**fields, **{f"filler{index}": "x" for index in range(parts - len(fields))}}


def test_the_public_step_takes_exactly_max_form_parts_fields(demo: Flask,
                                                            client: FlaskClient) -> None:
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    fields = filled_to({"_lf_token": token, **STEP_ANSWERS["you"]},
                       demo.config["MAX_FORM_PARTS"])

    reply = client.post(DEMO_URL, data=fields, content_type=URLENCODED)

    assert reply.status_code == 303, reply.get_data(as_text=True)[:500]


def test_one_field_more_on_the_public_step_is_the_413_page(demo: Flask,
                                                          client: FlaskClient) -> None:
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    fields = filled_to({"_lf_token": token, **STEP_ANSWERS["you"]},
                       demo.config["MAX_FORM_PARTS"] + 1)

    reply = client.post(DEMO_URL, data=fields, content_type=URLENCODED)

    assert reply.status_code == 413
    assert "That was too much to send" in reply.get_data(as_text=True)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    add_user(app, "admin@acme.example", role="admin")
    browser = app.test_client()
    assert log_in(browser, "admin@acme.example").status_code == 303
    return browser


def retention_fields(admin: FlaskClient, parts: int) -> dict[str, Any]:
    token = csrf_of(admin.get(RETENTION_URL).get_data(as_text=True))
    return filled_to({"csrf_token": token, "partial_responses": "", "delivery_logs": "",
                      "signals": "30", "audit_log": ""}, parts)


def test_a_back_office_post_takes_exactly_max_form_parts_fields(app: Flask,
                                                               admin: FlaskClient) -> None:
    fields = retention_fields(admin, app.config["MAX_FORM_PARTS"])

    reply = admin.post(RETENTION_URL, data=fields, content_type=URLENCODED)

    assert reply.status_code == 303


def test_one_field_more_on_a_back_office_post_is_the_back_office_413_page(
        app: Flask, admin: FlaskClient) -> None:
    fields = retention_fields(admin, app.config["MAX_FORM_PARTS"] + 1)

    reply = admin.post(RETENTION_URL, data=fields, content_type=URLENCODED)

    html = reply.get_data(as_text=True)
    assert reply.status_code == 413
    assert "That was too much to send" in html and "bo-problem" in html
    assert "30 days (this workspace)" not in admin.get(RETENTION_URL).get_data(as_text=True)


def test_the_limit_follows_the_config(app: Flask, admin: FlaskClient) -> None:
    app.config["MAX_FORM_PARTS"] = 10
    fields = retention_fields(admin, 11)

    assert admin.post(RETENTION_URL, data=fields, content_type=URLENCODED).status_code == 413


@pytest.mark.parametrize("body, limit, expected", [
    (b"a=1&b=2&c=3", 3, False),
    (b"a=1&b=2&c=3", 2, True),
    (b"a=1&&b=2&", 2, False),  # empty pieces are no field, as parse_qsl sees them
    (b"a&b&c", 2, True),  # a name without a value is a field
    (b"", 0, False),
    (b"a=1&b=2", None, False),
])
def test_parts_are_counted_as_the_parser_sees_them(body: bytes, limit: int | None,
                                                   expected: bool) -> None:
    assert too_many_parts(body, limit) is expected
