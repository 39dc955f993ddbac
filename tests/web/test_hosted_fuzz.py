"""Fuzzing the hosted form's public URLs: whatever a browser, a bot or a broken proxy
sends, the answer is never a server error.

The step endpoint (POST /f/<workspace>/<form>) gets random field names and values
(unicode, control characters, NUL), repeated keys, bodies near and above the size
limits, no token, a garbage token or a real one (with and without the visitor's
cookie), and the wrong content types (multipart, JSON, plain text, invalid UTF-8,
broken percent-encoding). Bad input must get a 4xx, or the screen again with the
errors; the form page's query string (UTM parameters, ?lf= personal link tokens,
prefill) is fuzzed the same way. Examples come from the Hypothesis profile.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.hosted import DEMO_URL, STEP_ANSWERS, token_of

FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
# What a prospect may be told: the screen again (200 for htmx, 422 without), a redirect
# to the next screen or the ending, a refused token (400), too much (413), too fast (429).
ALLOWED = {200, 303, 400, 413, 422, 429}
DEMO_FIELDS = [name for answers in STEP_ANSWERS.values() for name in answers]
NASTY = ("", "\x00", "a\x00b", "\x1b[31m", "\u202e", "\ud7ff", "\U0001f600", "é" * 50,
         "<script>alert(1)</script>", "=1+1", "{{answers.email}}", "%00", "%", "../..",
         "a" * 5000, " \t\n", "null", "true", "[]", "{}")
names = st.sampled_from([*DEMO_FIELDS, "_lf_token", "_lf_action", "_lf_embed", "_lf_hp",
                         "use_case[]", "", "\x00", "é"]) | st.text(max_size=12)
values = st.sampled_from(NASTY) | st.text(max_size=60) | st.sampled_from(
    ["back", "lead_quality", "meetings", "51-200", "yes", "vp", "ada@example.com"])


@pytest.fixture
def form_client(demo: Flask) -> FlaskClient:
    return demo.test_client()


def fresh_token(client: FlaskClient) -> str:
    return token_of(client.get(DEMO_URL).get_data(as_text=True))


def assert_handled(reply: Any) -> None:
    body = reply.get_data(as_text=True)
    assert reply.status_code in ALLOWED, (reply.status_code, body[:1500])
    if reply.status_code == 422:
        assert 'name="_lf_token"' in body  # the screen again, with its errors
    if reply.status_code == 303:
        assert reply.headers["Location"]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[Any, str | None]:
    """(data for the test client, content type) in one of many shapes."""
    pairs = draw(st.lists(st.tuples(names, values), max_size=12))
    kind = draw(st.sampled_from(["form", "form", "multipart", "json", "text", "bytes",
                                 "percent"]))
    if kind == "form":
        encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
        return encoded.encode("utf-8", "surrogatepass"), "application/x-www-form-urlencoded"
    if kind == "multipart":
        fields: dict[str, Any] = {}
        for key, value in pairs:
            fields.setdefault(key or "x", []).append(value.encode("utf-8", "surrogatepass")
                                                     .decode("utf-8", "replace"))
        return fields, "multipart/form-data"
    if kind == "json":
        return draw(st.sampled_from([b'{"email": "a@b.c"}', b"[]", b"{", b'"\\u0000"'])), \
            "application/json"
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass"), "text/plain"
    if kind == "bytes":
        return draw(st.binary(max_size=300)), draw(st.sampled_from(
            ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
             "application/x-www-form-urlencoded; charset=latin-1", None]))
    broken = draw(st.sampled_from(["email=%ZZ", "a=%", "%=%", "email=%C3%28", "email=%FF%FE",
                                   "first_name=%00", "=&=&&", "email=a%2", "a" * 300]))
    return broken.encode(), "application/x-www-form-urlencoded"


@FIXTURES
@given(data=st.data())
def test_posting_anything_to_the_step_endpoint_is_never_a_server_error(
        form_client: FlaskClient, data: st.DataObject) -> None:
    token = data.draw(st.sampled_from(["real", "none", "garbage", "real-no-cookie"]))
    payload, content_type = data.draw(bodies())
    if token.startswith("real"):
        real = fresh_token(form_client)
        if token == "real-no-cookie":
            form_client.delete_cookie("lf_v")
        if isinstance(payload, dict):
            payload.setdefault("_lf_token", [real])
        else:
            payload = f"_lf_token={quote(real)}&".encode() + payload
    elif token == "garbage":
        payload = payload if isinstance(payload, dict) else b"_lf_token=eyJ2Ijo.xx&" + payload
    headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
    reply = form_client.post(DEMO_URL, data=payload, content_type=content_type,
                             headers=headers)
    assert_handled(reply)


@FIXTURES
@given(data=st.data())
def test_answering_the_first_screen_with_random_values_never_fails(
        form_client: FlaskClient, data: st.DataObject) -> None:
    """A real token and the real field names, each with a random value (or several)."""
    answers = {name: data.draw(st.lists(values, min_size=1, max_size=3))
               for name in DEMO_FIELDS if data.draw(st.booleans())}
    reply = form_client.post(DEMO_URL, data={"_lf_token": fresh_token(form_client), **answers},
                             headers={"HX-Request": "true"} if data.draw(st.booleans()) else {})
    assert_handled(reply)


QUERY_NAMES = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid",
               "lf", "embed", "lf_page", "lf_ref", "first_name", "email", "company_size")


@FIXTURES
@given(data=st.data())
def test_any_query_string_on_the_form_page_is_never_a_server_error(
        form_client: FlaskClient, data: st.DataObject) -> None:
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(QUERY_NAMES) | st.text(max_size=6),
                                         values | st.sampled_from(["%ZZ", "%FF", "%00"])),
                               max_size=6))
    raw = data.draw(st.booleans())  # raw: the value's bytes as they are, broken escapes too
    query = "&".join(f"{quote(k, safe='')}={v if raw else quote(v, safe='')}"
                     for k, v in pairs if all(c not in v for c in " #\n\r\t\x00&"))
    reply = form_client.get(f"{DEMO_URL}?{query}")
    assert reply.status_code in {200, 303, 400}, (query, reply.get_data(as_text=True)[:1500])
    if reply.status_code == 200:
        # The screen the query string made must also take a submit, which stores it.
        assert_handled(form_client.post(DEMO_URL, data={
            "_lf_token": token_of(reply.get_data(as_text=True)), **STEP_ANSWERS["you"]}))


# --- bugs the fuzzing found, as examples ------------------------------------------------


def test_a_nul_in_utm_parameters_is_dropped_not_a_database_error(
        form_client: FlaskClient) -> None:
    """PostgreSQL refused the response row: its source and hidden values held a NUL."""
    page = form_client.get(f"{DEMO_URL}?utm_source=news%00letter&utm_campaign=spring%01"
                           "&lf_ref=https://example.com/%00")
    reply = form_client.post(DEMO_URL, data={"_lf_token": token_of(page.get_data(as_text=True)),
                                             **STEP_ANSWERS["you"]})
    assert reply.status_code == 303, reply.get_data(as_text=True)[:1500]


def _sized(app: Flask, limit: str, delta: int, token: str) -> tuple[bytes | dict[str, Any], str]:
    """A body at a limit plus `delta` (bytes, or parts for MAX_FORM_PARTS)."""
    size = int(app.config[limit]) + delta
    head = f"_lf_token={quote(token)}&email=ada%40example.com&first_name=".encode()
    if limit == "MAX_FORM_PARTS":  # urlencoded: tests/web/test_form_limits.py
        return ({"_lf_token": token, **{f"k{index}": "v" for index in range(size - 1)}},
                "multipart/form-data")
    if limit == "MAX_FORM_MEMORY_SIZE":  # one multipart field of that size
        return {"_lf_token": token, "first_name": "A" * size}, "multipart/form-data"
    return head + b"A" * (size - len(head)), "application/x-www-form-urlencoded"


@pytest.mark.parametrize("limit", ["MAX_CONTENT_LENGTH", "MAX_FORM_MEMORY_SIZE",
                                   "MAX_FORM_PARTS"])
@pytest.mark.parametrize("delta", [-1, 0, 1, 1000])
def test_bodies_at_and_over_the_limits_get_a_4xx_or_the_screen(
        form_client: FlaskClient, demo: Flask, limit: str, delta: int) -> None:
    payload, content_type = _sized(demo, limit, delta, fresh_token(form_client))
    reply = form_client.post(DEMO_URL, data=payload, content_type=content_type)
    assert_handled(reply)
    if delta > 0:
        assert reply.status_code == 413


@FIXTURES
@given(data=st.data())
def test_the_inline_check_takes_any_field_name_and_value(
        form_client: FlaskClient, data: st.DataObject) -> None:
    field = data.draw(st.sampled_from([*DEMO_FIELDS, "use_case", "industry"]) | st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/?#%"),
        min_size=1, max_size=8))
    payload = {field: data.draw(st.lists(values, max_size=3))}
    reply = form_client.post(f"{DEMO_URL}/check/{quote(field, safe='')}", data=payload,
                             headers={"HX-Request": "true"})
    assert reply.status_code in {200, 404}, reply.get_data(as_text=True)[:1500]
