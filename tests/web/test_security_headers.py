"""Security headers on every kind of response (issue 10, security sweep).

Every GET route of the URL map, signed out and as an admin, with real objects in the URL;
plus the error pages (400, 404, 405, 413, 429, 500) of the public side, the back office
and the API, and static files:

- every response: `X-Content-Type-Options: nosniff` and a `Referrer-Policy`;
- every response but static files: a Content-Security-Policy whose scripts are never
  inline or eval'd, with `object-src 'none'`, a `base-uri` and a `frame-ancestors`;
- the back office and everything that is not a form page: `frame-ancestors 'none'` (the
  editor's preview: 'self'); form pages: what the form's allowed domains say.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.web.access import backoffice_blueprints
from tests.web.test_backoffice_security import signed_in
from tests.web.test_route_matrix import OTHER_VALUES
from tests.web.test_tenant_isolation import World, build_world, path_of

FORM_PAGES = {"public.show_form", "public.show_ending", "booking.slots"}
FRAMED_BY_THE_EDITOR = {"builder.preview"}


@pytest.fixture
def world(app: Flask, portable_definition: dict[str, Any]) -> World:
    return build_world(app, portable_definition)


def directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def problems_of(response, endpoint: str | None, backoffice: frozenset[str]) -> list[str]:
    """What is missing or wrong in one response's security headers."""
    headers = response.headers
    found = []
    if headers.get("X-Content-Type-Options") != "nosniff":
        found.append("no nosniff")
    if not headers.get("Referrer-Policy"):
        found.append("no Referrer-Policy")
    if endpoint == "static":
        return found
    policy = directives(headers.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src", ""))
    if not scripts or "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        found.append(f"script-src {scripts!r}")
    if policy.get("object-src") != "'none'":
        found.append("object-src is not 'none'")
    if "base-uri" not in policy:
        found.append("no base-uri")
    ancestors = policy.get("frame-ancestors")
    if endpoint in FORM_PAGES:
        expected = None  # the form's allowed domains: checked in tests/builder/test_share.py
    elif endpoint in FRAMED_BY_THE_EDITOR:
        expected = "'self'" if response.status_code == 200 else "'none'"
    else:
        expected = "'none'"
    if ancestors is None or (expected and ancestors != expected):
        found.append(f"frame-ancestors {ancestors!r}")
    if (endpoint or "").rpartition(".")[0] in backoffice and \
            headers.get("Cache-Control") != "no-store":
        found.append("a back office page that may be cached")
    return found


def get_rules(app: Flask) -> list:
    return [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())]


def test_every_page_signed_out_and_signed_in_sends_the_security_headers(app, world):
    values = {**OTHER_VALUES, **world.acme.values(),
              "workspace": "acme", "form": world.acme.objects["form"]}
    backoffice = backoffice_blueprints(app)
    admin = signed_in(app, world.acme.admin_email)
    auth = {"Authorization": f"Bearer {world.acme.api_secret}"}

    wrong, statuses = [], set()
    for rule in get_rules(app):
        path = path_of(rule, values)
        for who, client in (("signed out", app.test_client()), ("admin", admin)):
            headers = auth if rule.rule.startswith("/api/") and who == "admin" else {}
            reply = client.get(path, headers=headers)
            statuses.add(reply.status_code)
            for problem in problems_of(reply, rule.endpoint, backoffice):
                wrong.append(f"GET {path} ({rule.endpoint}) {who}, {reply.status_code}: "
                             f"{problem}")
            reply.close()

    assert {200, 302, 404} <= statuses
    assert wrong == []


def test_static_files_send_nosniff_and_a_referrer_policy(app, client):
    with client.get("/static/backoffice.css") as reply:
        assert reply.status_code == 200
        assert problems_of(reply, "static", frozenset()) == []


@pytest.mark.parametrize("path", ["/no-such-page", "/f/acme/no-such-form", "/app/acme/nope",
                                  "/api/v1/no-such-thing", "/static/no-such-file.css"])
def test_not_found_pages_send_the_security_headers(app, client, path):
    reply = client.get(path)

    assert reply.status_code == 404
    assert problems_of(reply, None, frozenset()) == []


def test_a_request_refused_for_its_csrf_token_sends_the_security_headers(app, client):
    reply = client.post("/login", data={"email": "a@b.example", "password": "x"})

    assert reply.status_code == 400
    assert problems_of(reply, "auth.login", backoffice_blueprints(app)) == []


def test_a_wrong_method_and_a_body_too_large_send_the_security_headers(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    wrong_method = client.delete("/login")
    too_large = client.post("/f/acme/any", data={"x": "y" * 500})

    assert (wrong_method.status_code, too_large.status_code) == (405, 413)
    for reply in (wrong_method, too_large):
        assert problems_of(reply, None, frozenset()) == []


def test_too_many_submits_send_the_security_headers(app, client, publish_form,
                                                    portable_definition):
    url = publish_form(portable_definition)
    app.config["SUBMIT_RATE_LIMIT"] = "1 per minute"
    from app.extensions import limiter
    limiter.reset()

    replies = [client.post(url, data={}) for _ in range(3)]

    assert replies[-1].status_code == 429
    assert problems_of(replies[-1], None, frozenset()) == []


@pytest.mark.parametrize("endpoint, path", [
    ("public.index", "/"),
    ("backoffice.workspaces", "/app/"),
    ("forms.list_forms", "/api/v1/forms"),
])
def test_a_server_error_sends_the_security_headers(app, world, endpoint, path):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = signed_in(app, world.acme.admin_email)
    headers = {"Authorization": f"Bearer {world.acme.api_secret}"}
    app.view_functions[endpoint] = broken

    reply = client.get(path, headers=headers)

    assert reply.status_code == 500
    assert "a bug" not in reply.get_data(as_text=True)
    assert problems_of(reply, None, frozenset()) == []
