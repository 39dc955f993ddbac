"""Schemathesis' state machine over /api/openapi.json, in process (WSGI), chaining calls
by the document's OpenAPI links (app/api/links.py): PUT a contact, then GET or erase
it; list forms, then open one and publish it; add a webhook endpoint, then its
deliveries and a replay; open a lead, then change its stage, disposition, outcome or
owner; delete an endpoint or erase a contact. Every answer must be no server error and
match the document (status code, content type, body schema). Each scenario starts from
the same fresh data (every table emptied, ids restarted, the demo and the API fixtures'
world made again), so Hypothesis can replay and shrink a failing one, and the
destructive calls cannot starve a later scenario of ids. Bounded by a fixed number of
scenarios per database.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from app.api.links import LINKS, PREFIX, operation_ref
from tests.api.conftest import ALL_SCOPES, ApiClient, make_world
from tests.api.test_schemathesis import CHECKS
from tests.conftest import empty_all_tables

SCENARIOS = int(os.environ.get("LEADFORM_FUZZ_EXAMPLES", 25))
STEPS = 6
# Operations on a linked id that must succeed at least once. With the fixed seed and fresh
# data the run is the same each time: on both databases it deletes the world's endpoint.
REACHED = 1


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
def state_machine(api_app, make_token, db_engine):
    api_app.config["API_RATE_LIMIT"] = "100000 per minute"
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
    # identity: the in-process client does not undo Flask-Compress.
    headers = {"Accept-Encoding": "identity"}
    cli = api_app.test_cli_runner()

    class ApiStateMachine(schema.as_state_machine()):  # type: ignore[misc]
        answered: list[tuple[str, int]] = []
        scenarios: list[int] = []  # how many started from fresh data

        def setup(self):
            empty_all_tables(db_engine)
            loaded = cli.invoke(args=["demo", "load"])
            assert loaded.exit_code == 0, loaded.output
            token = make_token(ALL_SCOPES)
            make_world(api_app, ApiClient(api_app.test_client(), token))
            headers["Authorization"] = f"Bearer {token}"
            self.scenarios.append(len(self.answered))

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
        phases=[Phase.explicit, Phase.generate, Phase.shrink]))
    assert len(state_machine.scenarios) >= min(SCENARIOS, 10)
    # The links were followed: operations on real ids (from earlier answers) succeeded,
    # destructive ones included.
    reached = {label for label, status in state_machine.answered
               if "{" in label and 200 <= status < 300}
    assert len(reached) >= REACHED, sorted(set(state_machine.answered))
