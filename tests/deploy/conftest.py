"""Deployment tests reuse the REST API's fixtures (the demo app, API tokens)."""

from tests.api.conftest import api, api_app, make_token  # noqa: F401
