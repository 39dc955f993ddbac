"""Static files: compressed for every client that accepts it, cached by content hash."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app.web.assets import minified

STATIC = Path(__file__).resolve().parent.parent.parent / "static"


@pytest.mark.parametrize("filename", ["vendor/htmx-2.0.11.min.js", "public.css", "form.js"])
def test_a_gzip_only_client_gets_static_files_gzipped(client: FlaskClient, filename: str) -> None:
    reply = client.get(f"/static/{filename}", headers={"Accept-Encoding": "gzip"})
    assert reply.status_code == 200
    assert reply.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in reply.headers["Vary"]
    path = STATIC / filename
    assert gzip.decompress(reply.get_data()) == minified(str(path), path.read_bytes())


def test_a_brotli_client_still_gets_brotli(client: FlaskClient) -> None:
    reply = client.get("/static/vendor/htmx-2.0.11.min.js",
                       headers={"Accept-Encoding": "gzip, deflate, br"})
    assert reply.headers["Content-Encoding"] == "br"


def test_a_client_without_compression_gets_the_file_as_is(client: FlaskClient) -> None:
    with client.get("/static/public.css", headers={"Accept-Encoding": "identity"}) as reply:
        assert "Content-Encoding" not in reply.headers
        assert reply.get_data() == (STATIC / "public.css").read_bytes()


def test_a_compressed_static_file_keeps_a_distinct_etag_and_answers_304(
        client: FlaskClient) -> None:
    headers = {"Accept-Encoding": "gzip"}
    first = client.get("/static/public.css", headers=headers)
    etag = first.headers["ETag"]
    assert etag.endswith(':gzip"')
    again = client.get("/static/public.css", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304


def test_our_own_scripts_and_styles_are_minified_and_vendored_ones_kept(client: FlaskClient
                                                                          ) -> None:
    raw = (STATIC / "form.js").read_bytes()
    reply = client.get("/static/form.js", headers={"Accept-Encoding": "gzip"})
    served = gzip.decompress(reply.get_data())
    assert len(served) < len(raw) * 0.8 and b"/*" not in served
    vendored = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(vendored.get_data()) == (
        STATIC / "vendor" / "htmx-2.0.11.min.js").read_bytes()


def test_static_files_carry_no_page_headers_and_no_cookie(client: FlaskClient) -> None:
    client.get("/f/nowhere/nothing")  # a request that has a session
    reply = client.get("/static/form.js?v=1", headers={"Accept-Encoding": "br"})
    assert reply.status_code == 200
    assert "Content-Security-Policy" not in reply.headers
    assert "Cookie" not in reply.headers.get("Vary", "")
    assert "Set-Cookie" not in reply.headers
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["ETag"]
    assert client.get("/static/form.js?v=1", headers={
        "Accept-Encoding": "br", "If-None-Match": reply.headers["ETag"]}).status_code == 304
