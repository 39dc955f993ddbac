"""/api/v1/responses: filters, one response with answers, hidden/UTM and its version."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from app.models import utcnow
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, post_screen, token_of
from tests.web.test_qualification import SALES_PATH


def test_a_response_has_its_answers_utm_and_version(api, api_app):
    client = api_app.test_client()
    page = client.get(f"{DEMO_URL}?utm_source=LinkedIn&utm_campaign=q3-launch")
    post_screen(client, DEMO_URL, STEP_ANSWERS["you"], token=token_of(page.get_data(as_text=True)))
    fill_demo(client, *SALES_PATH[1:])

    (listed,) = api.get("/api/v1/responses").get_json()["data"]
    one = api.get(f"/api/v1/responses/{listed['id']}").get_json()

    assert one == listed
    assert one["form"] == "talk-to-sales" and one["version"] == 1
    assert one["state"] == "completed" and one["completed_at"]
    assert one["answers"]["email"] == "ada@example.com"
    assert one["utm"] == {"utm_campaign": "q3-launch", "utm_source": "LinkedIn"}
    assert one["source"] == "linkedin" and one["campaign"] == "q3-launch"
    assert one["contact_id"] is not None and one["erased"] is False


def test_responses_filter_by_form_state_contact_and_time(api, api_app):
    fill_demo(api_app.test_client(), *SALES_PATH)
    fill_demo(api_app.test_client(), "you", changes={"you": {"email": "bo@example.com"}})

    def count(query):
        reply = api.get(f"/api/v1/responses?{query}")
        assert reply.status_code == 200, reply.get_json()
        return len(reply.get_json()["data"])

    past = quote((utcnow() - timedelta(hours=1)).isoformat())
    future = quote((utcnow() + timedelta(hours=1)).isoformat())
    completed = api.get("/api/v1/responses?state=completed").get_json()["data"][0]
    assert count("") == 2
    assert count("form=talk-to-sales") == 2
    assert count("state=completed") == 1 and count("state=in_progress") == 1
    assert count(f"contact_id={completed['contact_id']}") == 1
    assert count(f"since={past}") == 2 and count(f"since={future}") == 0
    assert count(f"until={past}") == 0


def test_an_unknown_response_is_a_404(api):
    assert api.get("/api/v1/responses/424242").status_code == 404
    assert api.get("/api/v1/responses/99999999999").status_code == 404
