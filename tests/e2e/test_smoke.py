"""The served app answers a real browser."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e


def test_landing_page_links_to_the_definition_schema(live_server, page):
    page.goto(live_server + "/")
    assert page.get_by_role("heading", name="Leadform").is_visible()

    page.get_by_role("link", name="Form definition JSON Schema").click()
    schema = json.loads(page.locator("body").inner_text())

    assert schema["$id"] == "/schema/form-definition.json"
