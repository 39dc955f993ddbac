"""Schemathesis' state machine over /api/openapi.json, in process (WSGI), chaining calls
by the document's OpenAPI links (app/api/links.py): PUT a contact, then GET or erase
it; list forms, then open one and publish it; add a webhook endpoint, then its
deliveries and a replay; open a lead, then change its stage, disposition, outcome or
owner. Every answer must be no server error and match the document (status code,
content type, body schema). Bounded by a fixed number of scenarios per database.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from app.api.links import LINKS, PREFIX, operation_ref
from tests.api.conftest import ALL_SCOPES
from tests.api.test_schemathesis import CHECKS

SCENARIOS = int(os.environ.get("LEADFORM_FUZZ_EXAMPLES", 25))
STEPS = 6


def operation_at(document: dict, pointer: str) -> dict | None:
    node: object = document
    for part in pointer.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def test_the_document_links_every_listed_answer_to_real_operations(api) -> None:
    document = api.get("/api/openapi.json").get_json()
    found = 0
    for (path, method, status), links in LINKS.items():
        response = document["paths"][PREFIX + path][method]["responses"][status]
        assert set(response["links"]) == set(links)
        for link in response["links"].values():
            target = operation_at(document, link["operationRef"])
            assert target is not None, link
            item = operation_at(document, link["operationRef"].rsplit("/", 1)[0]) or {}
            names = {f"{parameter['in']}.{parameter['name']}"
                     for parameter in [*item.get("parameters", []),
                                       *target.get("parameters", [])]}
            assert set(link["parameters"]) <= names, (link, names)
            found += 1
    assert found >= 20
    assert operation_ref("/leads/{lead_id}", "get") == "#/paths/~1api~1v1~1leads~1{lead_id}/get"


@pytest.fixture
def state_machine(api_app, make_token, world):
    api_app.config["API_RATE_LIMIT"] = "100000 per minute"
    # Hypothesis replays a scenario's prefix and expects the same answers; erasing the only
    # contact or deleting the endpoint would empty a list a later scenario reads ids from.
    # Those calls are fuzzed one by one in test_schemathesis.py.
    schema = (schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
              .exclude(method="DELETE").exclude(path="/api/v1/contacts/erase"))
    # identity: the in-process client does not undo Flask-Compress.
    headers = {"Authorization": f"Bearer {make_token(ALL_SCOPES)}",
               "Accept-Encoding": "identity"}

    class ApiStateMachine(schema.as_state_machine()):  # type: ignore[misc]
        answered: list[tuple[str, int]] = []

        def after_call(self, response, case):
            self.answered.append((case.operation.label, response.status_code))

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    return ApiStateMachine


def test_chained_calls_never_get_a_server_error_or_break_the_document(state_machine) -> None:
    link_names = {name for links in LINKS.values() for name in links}
    linked = [name for name in vars(state_machine.__mro__[1])
              if not name.startswith("RANDOM") and any(link in name for link in link_names)]
    assert len(linked) >= 20, linked  # a transition per link of the document
    state_machine.run(settings=settings(
        max_examples=SCENARIOS, stateful_step_count=STEPS, deadline=None, derandomize=True,
        database=None, suppress_health_check=list(HealthCheck),
        # The database is shared by the scenarios, so a replay would not see the same data.
        phases=[Phase.explicit, Phase.generate]))
    # The links were followed: an operation on a real id (from an earlier answer) succeeded.
    # (How many depends on the data earlier tests left: 1 to 4 have been seen.)
    reached = {label for label, status in state_machine.answered
               if "{" in label and 200 <= status < 300}
    assert reached, sorted(set(state_machine.answered))
