"""Schemathesis against /api/openapi.json, in process (WSGI), with a token holding every
scope: no generated request may get a server error, and every answer must match the
document (status code, content type, body schema).

Each operation gets valid requests with random ids, valid requests with the demo's real
ids (to reach past the 404s), and invalid requests; a few examples of each keep the run
to well under a minute per database. The operations are driven with Hypothesis directly
rather than through schemathesis' pytest plugin, whose lazy fixture loading does not
work with the pytest this project runs.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ALL_SCOPES

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 8


@pytest.fixture
def operations(api_app, make_token, world):
    api_app.config["API_RATE_LIMIT"] = "100000 per minute"
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 20
    return found, make_token(ALL_SCOPES), world


def run(strategy, headers):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def examples(data):
        case = data.draw(strategy)
        case.call_and_validate(headers=headers, checks=CHECKS)

    examples()


def test_no_generated_request_gets_a_server_error_or_breaks_the_document(operations):
    found, token, world = operations
    # identity: the in-process client does not undo Flask-Compress.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}

    for operation in found:
        names = [parameter.name for parameter in operation.path_parameters]
        real = {name: world[name] for name in names}
        run(operation.as_strategy(GenerationMode.POSITIVE), headers)
        if real:
            run(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real), headers)
        run(operation.as_strategy(GenerationMode.NEGATIVE), headers)
