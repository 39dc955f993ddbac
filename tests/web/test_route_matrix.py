"""Who may call what, for every route in the URL map (issue 10, security sweep).

ACCESS classifies each endpoint: open to anyone, a secret link, any signed-in account, the
members of a workspace with given roles, or an API token holding a scope. A route that is
not in ACCESS fails `test_every_route_is_classified` by name, so a new route is checked
from the day it is added. From the table, the sweeps below check that:

- signed-out visitors are sent to the sign-in page from every back office route, and every
  token route answers 401 without a token;
- a member whose role is not listed gets 403 on every method of the route, and nothing in
  the workspace changes; a member whose role is listed is let in (not 403 or 404);
- a token holding every scope but the route's gets 403, and the route's scope alone lets
  it in (so the table says which scope the route really checks);
- a state change without a CSRF token is a 400 and changes nothing (with real objects in
  every URL, so the 400 is not a 404 in disguise).

Roles are the ones Leadform has (app.models.workspace.ROLES: admin, marketer, sales);
there is no owner or viewer role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.models.workspace import ROLES
from tests.web.backoffice import add_user, page_token
from tests.web.test_backoffice_security import UNSAFE, methods_of, signed_in
from tests.web.test_tenant_isolation import FORM_BODY, World, build_world, path_of, snapshot


@dataclass(frozen=True)
class Access:
    kind: str  # "public", "secret-link", "signed-in", "members", "token"
    roles: tuple[str, ...] = ()  # members: the roles let in
    scope: str = ""  # token: the scope the route needs


PUBLIC = Access("public")  # prospects' side, and the pages before signing in
SECRET_LINK = Access("secret-link")  # whoever holds the link; each route checks its secret
SIGNED_IN = Access("signed-in")  # any account, whatever its workspaces
ANY_MEMBER = Access("members", ROLES)
ADMINS = Access("members", ("admin",))
EDITORS = Access("members", ("admin", "marketer"))
SELLERS = Access("members", ("admin", "sales"))


def token(scope: str) -> Access:
    return Access("token", scope=scope)


def _editor_routes() -> dict[str, Access]:
    names = """form_home archive build design save_design duplicate add_ending save_ending
        delete_ending experiments start experiment stop export_page save_field delete_field
        duplicate_field move_field logic back_to_logic save_branch save_visibility preview
        publish publish_now responses_csv restore routing route_ending save_route_json
        add_route_rule save_route_rule delete_route_rule move_route_rule start_routing
        test_routing form_rule_builder save_form_settings share change_domains share_qr
        add_step save_step delete_step duplicate_step add_field move_step undo rollback
        new_form create workspace_rule_builder scoring save_json add_rule save_rule
        delete_rule move_rule save_thresholds""".split()
    return {f"builder.{name}": EDITORS for name in names}


ACCESS: dict[str, Access] = {
    # the prospect's side
    "public.index": PUBLIC, "public.embed_script": PUBLIC, "public.show_form": PUBLIC,
    "public.answer_screen": PUBLIC, "public.check_field": PUBLIC, "public.not_you": PUBLIC,
    "public.definition_schema": PUBLIC, "static": PUBLIC,
    "tracking.tracking_script": PUBLIC, "tracking.beacon": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
    "definitions.validate_definition": PUBLIC,  # checks a document, stores nothing
    # operations: probes for load balancers; /metrics checks its own bearer token
    "ops.healthz": PUBLIC, "ops.readyz": PUBLIC, "ops.metrics_page": PUBLIC,
    "public.show_ending": SECRET_LINK, "booking.book_slot": SECRET_LINK,
    "booking.slots": SECRET_LINK, "booking.slots_json": SECRET_LINK,
    "booking.manage": SECRET_LINK, "booking.cancel_booking": SECRET_LINK,
    "booking.invite": SECRET_LINK, "booking.reschedule_booking": SECRET_LINK,
    # signing in, accounts
    "auth.login": PUBLIC,
    "invitations.accept_page": SECRET_LINK, "invitations.accept": SECRET_LINK,
    "invitations.sign_out_to_accept": SECRET_LINK,
    "auth.logout": SIGNED_IN, "auth.password": SIGNED_IN,
    "backoffice.workspaces": SIGNED_IN, "workspaces.create": SIGNED_IN,
    # a workspace's back office
    "backoffice.home": ANY_MEMBER,
    "analytics.index": ANY_MEMBER, "analytics.form_funnel": ANY_MEMBER,
    "calendar.index": ANY_MEMBER, "calendar.save": ANY_MEMBER,
    "sales.leads": ANY_MEMBER, "sales.lead": ANY_MEMBER, "sales.export": ANY_MEMBER,
    "sales.accept": SELLERS, "sales.contacted": SELLERS, "sales.outcome": SELLERS,
    "sales.reassign": SELLERS, "sales.reject": SELLERS,
    "sla.report": SELLERS,
    "sla.settings": ADMINS, "sla.save_settings": ADMINS, "sla.save_team": ADMINS,
    "members.index": ADMINS, "members.remove": ADMINS, "members.set_role": ADMINS,
    "members.invite_someone": ADMINS, "members.revoke_invitation": ADMINS,
    "alert_settings.index": ADMINS, "alert_settings.add": ADMINS,
    "alert_settings.delete": ADMINS, "alert_settings.toggle": ADMINS,
    "alert_settings.rotate": ADMINS, "alert_settings.dead": ADMINS,
    "alert_settings.replay_dead": ADMINS,
    "api_tokens.index": ADMINS, "api_tokens.create": ADMINS, "api_tokens.revoke": ADMINS,
    "data_settings.retention": ADMINS, "data_settings.save_retention": ADMINS,
    "data_settings.audit_log": ADMINS,
    **_editor_routes(),
    # the REST API
    "forms.list_forms": token("forms:read"), "forms.get_form": token("forms:read"),
    "forms.get_definition": token("forms:read"), "forms.publish_form": token("forms:write"),
    "responses.list_responses": token("responses:read"),
    "responses.get_response": token("responses:read"),
    "contacts.list_contacts": token("contacts:read"),
    "contacts.get_contact": token("contacts:read"),
    "contacts.upsert_contact": token("contacts:write"),
    "contacts.erase_contact": token("contacts:write"),
    "contacts.erase_by_email": token("contacts:write"),
    "leads.list_leads": token("leads:read"), "leads.get_lead": token("leads:read"),
    "leads.list_events": token("leads:read"),
    "leads.dispose": token("leads:write"), "leads.record_outcome": token("leads:write"),
    "leads.reassign": token("leads:write"), "leads.set_stage": token("leads:write"),
    "webhooks.list_endpoints": token("webhooks:read"),
    "webhooks.get_endpoint": token("webhooks:read"),
    "webhooks.list_deliveries": token("webhooks:read"),
    "webhooks.get_delivery": token("webhooks:read"),
    "webhooks.add_endpoint": token("webhooks:write"),
    "webhooks.delete_endpoint": token("webhooks:write"),
    "webhooks.replay_delivery": token("webhooks:write"),
    "webhooks.replay_all": token("webhooks:write"),
}

# Values for the URL arguments that name no workspace object (links, files, fields).
OTHER_VALUES = {"token": "not-a-real-link", "filename": "backoffice.css", "field_id": "email"}


def rules_with(app: Flask, *kinds: str) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint in ACCESS and ACCESS[rule.endpoint].kind in kinds]


def requests_of(rules: list[Rule], values: dict[str, Any],
                methods: tuple[str, ...] | None = None) -> list[tuple[Rule, str, str]]:
    """(rule, method, path) for every method of every rule, built with `values`."""
    values = {**OTHER_VALUES, **values}
    return [(rule, method, path_of(rule, values)) for rule in rules
            for method in methods_of(rule) if methods is None or method in methods]


def call(client: FlaskClient, method: str, path: str, headers: dict[str, str] | None = None,
         api: bool = False):
    if api:
        return client.open(path, method=method, headers=headers,
                           json={} if method in UNSAFE else None)
    return client.open(path, method=method, headers=headers,
                       data=FORM_BODY if method in UNSAFE else None)


@pytest.fixture
def world(app: Flask, portable_definition: dict[str, Any]) -> World:
    return build_world(app, portable_definition)


# --- the table ------------------------------------------------------------------------------

def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    unclassified = sorted(endpoints - set(ACCESS))
    assert unclassified == [], (
        f"Say who may call these routes in ACCESS ({__name__}): {unclassified}")
    assert sorted(set(ACCESS) - endpoints) == [], "ACCESS names routes that are gone"


def openapi_template(rule: Rule) -> str:
    """`/api/v1/leads/<int(min=1):lead_id>` → `/api/v1/leads/{lead_id}`."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)


def test_the_table_agrees_with_the_scopes_the_api_documents(app, client):
    document = client.get("/api/openapi.json").get_json()

    wrong = []
    for rule in rules_with(app, "token"):
        for method in methods_of(rule):
            operation = document["paths"][openapi_template(rule)][method.lower()]
            if operation.get("x-scope") != ACCESS[rule.endpoint].scope:
                wrong.append(f"{method} {rule.rule}: documented {operation.get('x-scope')}, "
                             f"table {ACCESS[rule.endpoint].scope}")

    assert wrong == []


# --- signed out -----------------------------------------------------------------------------

def test_signed_out_visitors_are_sent_to_sign_in_from_every_back_office_route(app, world):
    rules = rules_with(app, "signed-in", "members")
    stranger = app.test_client()

    wrong = []
    for rule, method, path in requests_of(rules, world.acme.values()):
        # A real CSRF token of the stranger's own session (fetched each time: signing out
        # clears it), so that the answer is about signing in.
        headers = {"X-CSRFToken": page_token(stranger, "/login")} if method in UNSAFE else {}
        reply = call(stranger, method, path, headers)
        location = reply.headers.get("Location", "")
        if reply.status_code not in (302, 303) or not location.startswith("/login"):
            wrong.append(f"{method} {path} ({rule.endpoint}): {reply.status_code} {location}")

    assert len(rules) > 80
    assert wrong == []


def test_every_token_route_answers_401_without_a_token(app, world):
    stranger = app.test_client()

    wrong = [f"{method} {path} ({rule.endpoint}): {status}"
             for rule, method, path in requests_of(rules_with(app, "token"), world.beta.values())
             if (status := call(stranger, method, path, api=True).status_code) != 401]

    assert wrong == []


# --- roles ----------------------------------------------------------------------------------

@pytest.fixture
def members(app: Flask, world: World) -> dict[str, FlaskClient]:
    """A signed-in client of acme for every role (Ada, acme's admin, plus two more)."""
    add_user(app, "mo@acme.example", workspace="acme", role="marketer")
    add_user(app, "sam@acme.example", workspace="acme", role="sales")
    emails = {"admin": world.acme.admin_email, "marketer": "mo@acme.example",
              "sales": "sam@acme.example"}
    assert set(emails) == set(ROLES)
    return {role: signed_in(app, email) for role, email in emails.items()}


def test_a_role_that_is_not_listed_gets_403_and_changes_nothing(app, world, members,
                                                                 db_engine):
    rules = rules_with(app, "members")
    before = snapshot(db_engine, world.acme.workspace_id)

    wrong, checked = [], 0
    for role, client in members.items():
        headers = {"X-CSRFToken": page_token(client, "/app/acme/")}
        for rule, method, path in requests_of(rules, world.acme.values()):
            if role in ACCESS[rule.endpoint].roles:
                continue
            checked += 1
            status = call(client, method, path, headers).status_code
            if status not in (403, 404):
                wrong.append(f"{role}: {method} {path} ({rule.endpoint}): {status}")

    assert checked > 60
    assert wrong == []
    assert snapshot(db_engine, world.acme.workspace_id) == before


def test_a_listed_role_is_let_in_on_every_page(app, world, members):
    """The control: the table's roles really open these pages (reads only: nothing changes,
    so the order does not matter)."""
    rules = rules_with(app, "members")

    wrong = []
    for role, client in members.items():
        for rule, _, path in requests_of(rules, world.acme.values(), ("GET",)):
            if role in ACCESS[rule.endpoint].roles:
                status = client.get(path).status_code
                if status in (401, 403, 404) or status >= 500:
                    wrong.append(f"{role}: GET {path} ({rule.endpoint}): {status}")

    assert wrong == []


def test_a_listed_role_is_not_refused_on_any_change(app, world, members):
    """Every POST of the table, by each role it lists: not a 403 (it may be a 400 or 422
    for the sweep's minimal body, or a 404 once an earlier change removed the object)."""
    rules = rules_with(app, "members")

    wrong = []
    for role, client in sorted(members.items(), key=lambda item: item[0] != "admin"):
        headers = {"X-CSRFToken": page_token(client, "/app/acme/")}
        for rule, method, path in requests_of(rules, world.acme.values(), UNSAFE):
            if role in ACCESS[rule.endpoint].roles and rule.endpoint not in (
                    "members.remove", "members.set_role"):  # they could demote the caller
                status = call(client, method, path, headers).status_code
                if status in (401, 403) or status >= 500:
                    wrong.append(f"{role}: {method} {path} ({rule.endpoint}): {status}")

    assert wrong == []


# --- API scopes -----------------------------------------------------------------------------

def api_client(app: Flask, secret: str) -> tuple[FlaskClient, dict[str, str]]:
    return app.test_client(), {"Authorization": f"Bearer {secret}"}


def make_token(app: Flask, scopes: list[str]) -> str:
    from app.api.tokens import create_token
    from app.db import write_session
    from app.forms.versions import ensure_workspace
    from app.models import utcnow

    with app.app_context(), write_session() as session:
        return create_token(session, ensure_workspace(session, "acme"), name="Sweep",
                            scopes=scopes, now=utcnow()).secret


def test_a_token_without_the_routes_scope_gets_403_and_with_it_is_let_in(app, world,
                                                                         db_engine):
    from app.api.tokens import SCOPES

    rules = rules_with(app, "token")
    requests = requests_of(rules, world.acme.values())
    assert {ACCESS[rule.endpoint].scope for rule, _, _ in requests} == set(SCOPES)
    before = snapshot(db_engine, world.acme.workspace_id)

    without = {scope: make_token(app, [other for other in SCOPES if other != scope])
               for scope in SCOPES}
    only = {scope: make_token(app, [scope]) for scope in SCOPES}

    refused = []
    for rule, method, path in requests:
        client, headers = api_client(app, without[ACCESS[rule.endpoint].scope])
        if (status := call(client, method, path, headers, api=True).status_code) != 403:
            refused.append(f"{method} {path} ({rule.endpoint}) without its scope: {status}")
    assert refused == []
    changed = snapshot(db_engine, world.acme.workspace_id)
    # Making the tokens above writes api_token rows and their audit entries; nothing else.
    made_by_test = {"api_token", "audit_log"}
    assert {name: rows for name, rows in changed.items() if name not in made_by_test} == {
        name: rows for name, rows in before.items() if name not in made_by_test}

    let_in = []
    for rule, method, path in sorted(requests, key=lambda item: item[1] == "DELETE"):
        client, headers = api_client(app, only[ACCESS[rule.endpoint].scope])
        status = call(client, method, path, headers, api=True).status_code
        if status in (401, 403) or status >= 500:
            let_in.append(f"{method} {path} ({rule.endpoint}) with its scope only: {status}")
    assert let_in == []


# --- CSRF -----------------------------------------------------------------------------------

def test_a_change_without_the_csrf_token_is_400_and_changes_nothing(app, world, members,
                                                                    db_engine):
    rules = rules_with(app, "signed-in", "members", "secret-link")
    rules = [rule for rule in rules if not rule.endpoint.startswith("booking.")
             and rule.endpoint not in ("public.show_ending",)]
    rules += [rule for rule in app.url_map.iter_rules() if rule.endpoint == "auth.login"]
    before = snapshot(db_engine, world.acme.workspace_id)
    admin = members["admin"]

    requests = requests_of(rules, world.acme.values(), UNSAFE)
    wrong = [f"{method} {path} ({rule.endpoint}): {status}"
             for rule, method, path in requests
             if (status := call(admin, method, path).status_code) != 400]

    assert len(requests) > 60
    assert wrong == []
    assert snapshot(db_engine, world.acme.workspace_id) == before
    assert admin.get("/app/acme/members/").status_code == 200  # still signed in
