"""Helpers for driving the hosted form through the Flask test client."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient

TOKEN = re.compile(r'name="_lf_token" value="([^"]+)"')
DEMO_URL = "/f/demo/talk-to-sales"

STEP_ANSWERS: dict[str, dict[str, Any]] = {
    "you": {"first_name": "Ada", "email": "ada@example.com", "job_level": "vp"},
    "company": {"company": "Analytical Engines", "company_size": "51-200"},
    "needs": {"use_case": ["lead_quality", "meetings"], "timeline": "now",
              "budget": "over_50k", "authority": "me"},
    "details": {"notes": "", "consent": "yes"},
}


def token_of(page: str) -> str:
    match = TOKEN.search(page)
    assert match, "the page has no form token"
    return html.unescape(match.group(1))


def post_screen(client: FlaskClient, url: str, answers: dict[str, Any], *, token: str | None = None,
                htmx: bool = False, **extra: Any):
    """Answer the screen currently shown at `url` (fetching it for its token)."""
    if token is None:
        token = token_of(client.get(url).get_data(as_text=True))
    data = {"_lf_token": token, **answers, **extra}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data=data, headers=headers)


def fill_demo(client: FlaskClient, *steps: str, changes: dict[str, dict[str, Any]] | None = None):
    """Answer the demo form's steps in order (with per-step changes); returns the last reply."""
    result = None
    for step in steps:
        answers = {**STEP_ANSWERS.get(step, {}), **(changes or {}).get(step, {})}
        result = post_screen(client, DEMO_URL, answers)
        assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    return result
