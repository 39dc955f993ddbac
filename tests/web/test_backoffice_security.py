"""Back office security, checked on every route the URL map has, so that routes other
blueprints add later are covered without touching this file:

- CSRF: every POST/PUT/PATCH/DELETE of a back office blueprint answers 400 without the token;
- cookies: the session and remember cookies are Secure (by default), HttpOnly, SameSite=Lax;
- roles: sales get 403 on every builder route, a member of one workspace gets 404 on every
  route of another, and marketers cannot manage members.

URL arguments are filled with real objects (workspace, form, member, invitation) where the
argument's name is known, else with any value the rule accepts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Rule

from app.config import DEFAULTS
from app.web.access import backoffice_blueprints
from tests.web.backoffice import add_user, log_in, page_token

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
FALLBACK_VALUES: tuple[Any, ...] = ("x", 1)


@dataclass
class Workspace:
    """A workspace's real objects, by the URL argument names that refer to them."""

    slug: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    acme: Workspace
    beta: Workspace


@pytest.fixture
def world(app: Flask, portable_definition: dict[str, Any]) -> World:
    """acme: Ada (admin), Mo (marketer), Sam (sales), a form, an invitation; beta: the same
    with Bob as admin."""
    from app.accounts.invitations import invite
    from app.db import write_session
    from app.forms.versions import ensure_workspace, publish, save_draft
    from app.models import utcnow

    ada = add_user(app, "ada@acme.example", workspace="acme", role="admin")
    add_user(app, "mo@acme.example", workspace="acme", role="marketer")
    add_user(app, "sam@acme.example", workspace="acme", role="sales")
    bob = add_user(app, "bob@beta.example", workspace="beta", role="admin")
    spaces = {}
    with app.app_context(), write_session() as session:
        for slug, admin in (("acme", ada), ("beta", bob)):
            workspace = ensure_workspace(session, slug)
            form, _ = save_draft(session, workspace, f"{slug}-form", portable_definition)
            publish(session, form)
            made = invite(session, workspace, f"new@{slug}.example", "sales", invited_by=None,
                          now=utcnow())
            spaces[slug] = Workspace(slug, {
                "workspace": slug, "form": form.slug, "user_id": admin,
                "invitation_id": made.invitation.id, "token": made.token,
                "target": "email", "version": 1, "number": 1,
            })
    return World(spaces["acme"], spaces["beta"])


def signed_in(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, address).status_code == 303
    return client


def backoffice_rules(app: Flask) -> list[Rule]:
    names = backoffice_blueprints(app)
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.rpartition(".")[0] in names]


def methods_of(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def url_for_rule(app: Flask, rule: Rule, method: str, known: dict[str, Any]) -> str:
    """A path that routes to `rule`: known objects first, else any value its converters take."""
    adapter = app.url_map.bind("localhost")
    names = sorted(rule.arguments)
    choices = [([known[name]] if name in known else []) + list(FALLBACK_VALUES)
               for name in names]
    for combination in itertools.product(*choices):
        try:
            built = rule.build(dict(zip(names, combination, strict=True)),
                               append_unknown=False)
        except (ValueError, TypeError):  # a converter that refuses the value
            continue
        if built is None:
            continue
        path = built[1]
        try:
            endpoint, _ = adapter.match(path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        if endpoint == rule.endpoint:
            return path
    raise AssertionError(f"cannot build a URL for {rule.rule} ({rule.endpoint})")


def requests_of(app: Flask, rules: list[Rule], methods: tuple[str, ...] | None,
                known: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(endpoint, method, path) for every method of every rule (or only `methods`)."""
    for rule in rules:
        for method in methods_of(rule):
            if methods is None or method in methods:
                yield rule.endpoint, method, url_for_rule(app, rule, method, known)


# --- CSRF ----------------------------------------------------------------------------------

def test_the_test_app_checks_csrf(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_every_back_office_change_needs_the_csrf_token(app, world):
    rules = backoffice_rules(app)
    requests = list(requests_of(app, rules, UNSAFE, world.acme.values))
    endpoints = {endpoint for endpoint, _, _ in requests}
    # Not vacuous: the routes of this issue are in, whoever adds more.
    assert {"auth.login", "auth.logout", "auth.password", "members.invite_someone",
            "members.set_role", "members.remove", "members.revoke_invitation",
            "invitations.accept", "workspaces.create", "builder.undo"} <= endpoints
    admin, stranger = signed_in(app, "ada@acme.example"), app.test_client()

    wrong = []
    for endpoint, method, path in requests:
        for who, client, headers in (
            ("admin", admin, {}),
            ("admin, forged header", admin, {"X-CSRFToken": "forged", "HX-Request": "true"}),
            ("signed out", stranger, {}),
        ):
            status = client.open(path, method=method, headers=headers).status_code
            if status != 400:
                wrong.append(f"{method} {path} ({endpoint}) as {who}: {status}")
    assert wrong == []
    # Nothing was changed: the admin is still signed in and still an admin.
    assert admin.get("/app/acme/members/").status_code == 200


# --- cookies -------------------------------------------------------------------------------

def cookies_of(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_cookies_are_secure_by_default():
    assert DEFAULTS["SESSION_COOKIE_SECURE"] is True
    assert DEFAULTS["SESSION_COOKIE_HTTPONLY"] is True
    assert DEFAULTS["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert DEFAULTS["REMEMBER_COOKIE_SECURE"] is None  # follows SESSION_COOKIE_SECURE


def test_session_and_remember_cookies_are_secure_httponly_and_lax(app, world):
    client = app.test_client()

    response = log_in(client, "ada@acme.example", remember="y")

    cookies = cookies_of(response)
    name = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    for cookie in (cookies[app.config["SESSION_COOKIE_NAME"]], cookies[name]):
        flags = [part.strip() for part in cookie.split(";")]
        assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags, cookie


def test_a_session_started_by_accepting_an_invitation_has_the_same_flags(app, world):
    path = f"/invite/{world.acme.values['token']}"
    client = app.test_client()
    token = page_token(client, path)

    response = client.post(path, data={"csrf_token": token, "name": "New",
                                       "password": "a long enough password",
                                       "confirm": "a long enough password"})

    assert response.status_code == 303
    cookie = cookies_of(response)[app.config["SESSION_COOKIE_NAME"]]
    flags = [part.strip() for part in cookie.split(";")]
    assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags


def test_plain_http_development_can_turn_secure_off_for_both_cookies(database_url, db_engine):
    from app import create_app

    local = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "t",
                        "SESSION_COOKIE_SECURE": False})
    try:
        add_user(local, "ada@acme.example")
        response = log_in(local.test_client(), "ada@acme.example", remember="y")
        cookies = cookies_of(response)
        assert local.config["REMEMBER_COOKIE_SECURE"] is False
        for cookie in (cookies["session"], cookies["remember_token"]):
            flags = [part.strip() for part in cookie.split(";")]
            assert "Secure" not in flags and "HttpOnly" in flags and "SameSite=Lax" in flags
    finally:
        local.extensions["leadform.engine"].dispose()


# --- roles ---------------------------------------------------------------------------------

def test_sales_get_403_on_every_builder_route(app, world):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("builder.")]
    assert "builder.build" in {rule.endpoint for rule in rules}
    sam = signed_in(app, "sam@acme.example")
    headers = {"X-CSRFToken": page_token(sam, "/app/acme/")}

    wrong = [f"{method} {path} ({endpoint}): {status}"
             for endpoint, method, path in requests_of(app, rules, None, world.acme.values)
             if (status := sam.open(path, method=method, headers=headers).status_code) != 403]

    assert wrong == []


def workspace_rules(app: Flask) -> list[Rule]:
    """Back office rules under /app/<workspace>/."""
    return [rule for rule in backoffice_rules(app)
            if rule.rule.startswith("/app/<workspace>/") or rule.rule == "/app/<workspace>"]


def test_a_member_of_one_workspace_gets_404_on_every_page_of_another(app, world):
    rules = workspace_rules(app)
    mo = signed_in(app, "mo@acme.example")

    requests = list(requests_of(app, rules, ("GET",), world.beta.values))
    wrong = [f"GET {path} ({endpoint}): {status}" for endpoint, _, path in requests
             if (status := mo.get(path).status_code) != 404]

    assert {"backoffice.home", "members.index", "builder.build", "sales.leads"} <= {
        endpoint for endpoint, _, _ in requests}
    assert wrong == []


def test_a_member_of_one_workspace_gets_404_on_every_change_to_another(app, world):
    rules = workspace_rules(app)
    mo = signed_in(app, "mo@acme.example")
    headers = {"X-CSRFToken": page_token(mo, "/app/acme/")}

    wrong = [f"{method} {path} ({endpoint}): {status}"
             for endpoint, method, path in requests_of(app, rules, UNSAFE, world.beta.values)
             if (status := mo.open(path, method=method, headers=headers).status_code) != 404]

    assert wrong == []
    bob = signed_in(app, "bob@beta.example")
    assert "new@beta.example" in bob.get("/app/beta/members/").get_data(as_text=True)


def test_marketers_cannot_open_or_use_the_members_page(app, world):
    mo = signed_in(app, "mo@acme.example")
    headers = {"X-CSRFToken": page_token(mo, "/app/acme/")}
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("members.")]

    statuses = {(method, path): mo.open(path, method=method, headers=headers).status_code
                for _, method, path in requests_of(app, rules, None, world.acme.values)}

    assert mo.get("/app/acme/members/").status_code == 403
    assert set(statuses.values()) == {403}, statuses
    assert "Members</a>" not in mo.get("/app/acme/").get_data(as_text=True)
