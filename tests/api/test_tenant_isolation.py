"""Invariant 8 for the API, on every route the URL map has under /api/v1 that takes an
argument, so that routes added later are covered without touching this file: a token
of another workspace gets 404 for the demo's real ids, while the demo's own token
reaches them (so the 404 is about the workspace, not a bad id)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Rule

from tests.api.conftest import ALL_SCOPES, ApiClient, error_of


# Bodies that pass validation, so that the answer depends on the id alone.
def bodies(world) -> dict:
    return {
        "leads.set_stage": {"stage": "mql"},
        "leads.dispose": {"code": "not_now", "note": "next year"},
        "leads.record_outcome": {"outcome": "won"},
        "leads.reassign": {"owner_id": world["member_id"]},
    }
# Outside the token API: the booking widget's slots, authorised by the signed response
# token in their URL (app/web/booking.py, tests/booking).
NOT_TOKEN_ROUTES = {"booking.slots_json"}


def id_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") and rule.arguments
            and rule.endpoint not in NOT_TOKEN_ROUTES]


def requests(app: Flask, values: dict) -> list[tuple[str, str, str]]:
    found = []
    for rule in id_rules(app):
        path = rule.build({name: values[name] for name in rule.arguments},
                          append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    return found


def test_the_routes_with_ids_are_found(api_app):
    endpoints = {rule.endpoint for rule in id_rules(api_app)}

    assert {"forms.get_form", "responses.get_response", "contacts.get_contact",
            "leads.get_lead", "leads.set_stage", "leads.reassign", "leads.list_events",
            "webhooks.replay_delivery"} <= endpoints


def test_another_workspaces_token_gets_404_for_every_id(api_app, world, make_token):
    stranger = ApiClient(api_app.test_client(), make_token(ALL_SCOPES, "beta"))

    wrong = []
    for endpoint, method, path in requests(api_app, world.values):
        reply = stranger.open(method, path, json=bodies(world).get(endpoint))
        if reply.status_code != 404 or error_of(reply)["code"] != "not_found":
            wrong.append(f"{method} {path} ({endpoint}): {reply.status_code}")

    assert wrong == []


def test_the_workspaces_own_token_reaches_the_same_ids(api_app, world, api):
    # Reads first, then changes, and erasure last: it removes the contact.
    ordered = sorted(requests(api_app, world.values),
                     key=lambda item: (item[1] != "GET", item[1] == "DELETE"))
    wrong = [f"{method} {path} ({endpoint}): {status}"
             for endpoint, method, path in ordered
             if (status := api.open(method, path, json=bodies(world).get(endpoint)).status_code)
             not in (200, 201, 204, 409)]

    assert wrong == []
