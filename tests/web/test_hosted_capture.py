"""What the form's URL brings: hidden fields, UTM, prefill, referrer; and the headers it sends."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Response
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, token_of


def only_response(db_engine) -> Response:
    with Session(db_engine) as session:
        return session.scalars(select(Response)).one()


def test_utm_and_hidden_parameters_are_stored_with_the_response(demo, client, db_engine):
    url = (DEMO_URL + "?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=forms"
           "&utm_content=ad1&gclid=abc123&unrelated=zzz")
    page = client.get(url, headers={"Referer": "https://search.example/q"})
    client.post(DEMO_URL, data={"_lf_token": token_of(page.get_data(as_text=True)),
                                **STEP_ANSWERS["you"]})

    response = only_response(db_engine)
    assert response.hidden == {"utm_source": "google", "utm_medium": "cpc",
                               "utm_campaign": "spring", "utm_term": "forms",
                               "utm_content": "ad1", "gclid": "abc123"}
    assert response.meta["referrer"] == "https://search.example/q"
    assert response.meta["landing_page"].startswith("http://localhost" + DEMO_URL)


def test_custom_hidden_names_and_hidden_fields_are_captured_and_feed_logic(
    app, client, publish_form, db_engine
):
    url = publish_form({
        "schema": 1, "title": "Partners", "hidden": ["partner"],
        "steps": [
            {"id": "one", "fields": [
                {"id": "name", "type": "short_text", "label": "Name"},
                {"id": "plan", "type": "hidden"},
            ], "next": [{"if": {"==": [{"var": "hidden.partner"}, "acme"]}, "goto": "partner"}]},
            {"id": "two", "fields": [{"id": "more", "type": "short_text", "label": "More"}]},
        ],
        "endings": [{"id": "done", "type": "message", "title": "Done"},
                    {"id": "partner", "type": "message", "title": "Hello partner"}],
    })
    page = client.get(url + "?partner=acme&plan=pro")
    reply = client.post(url, data={"_lf_token": token_of(page.get_data(as_text=True)),
                                   "name": "Ada"})

    assert "/done/" in reply.headers["Location"]
    response = only_response(db_engine)
    assert response.hidden["partner"] == "acme"
    assert response.answers == {"name": "Ada", "plan": "pro"}
    assert response.ending == "partner"


def test_the_embed_passes_the_host_page_and_its_referrer(demo, client, db_engine):
    page = client.get(DEMO_URL + "?embed=1&lf_page=https%3A%2F%2Fhost.example%2Fpricing"
                      "&lf_ref=https%3A%2F%2Fnews.example%2F")
    client.post(DEMO_URL, data={"_lf_token": token_of(page.get_data(as_text=True)),
                                **STEP_ANSWERS["you"]})

    meta = only_response(db_engine).meta
    assert meta["landing_page"] == "https://host.example/pricing"
    assert meta["referrer"] == "https://news.example/"


def test_prefill_from_the_url_fills_allowed_fields_only(demo, client):
    text = client.get(DEMO_URL + "?first_name=Grace&email=grace%40navy.mil&job_level=vp"
                      ).get_data(as_text=True)

    assert 'value="Grace"' in text
    assert 'value="grace@navy.mil"' in text
    assert '<option value="vp" selected>' not in text  # job_level does not allow prefill


def test_a_bad_prefill_value_is_ignored(demo, client):
    text = client.get(DEMO_URL + "?email=not-an-email").get_data(as_text=True)

    assert 'value="not-an-email"' not in text


def test_form_pages_may_be_framed_by_default(demo, client):
    policy = client.get(DEMO_URL).headers["Content-Security-Policy"]

    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy


def test_allowed_domains_restrict_who_may_frame_the_form(app, client, publish_form):
    url = publish_form({
        "schema": 1, "title": "Framed",
        "steps": [{"id": "one", "fields": [{"id": "name", "type": "short_text", "label": "N"}]}],
        "endings": [{"id": "done", "type": "message"}],
        "settings": {"allowed_domains": ["www.example.com"]},
    })

    policy = client.get(url).headers["Content-Security-Policy"]

    assert "frame-ancestors 'self' https://www.example.com http://www.example.com" in policy


def test_other_pages_may_not_be_framed(app, client):
    assert "frame-ancestors 'none'" in client.get("/").headers["Content-Security-Policy"]
