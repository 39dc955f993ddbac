"""The Share tab: link, snippets, QR code, and the sites allowed to embed the form."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote

import pytest
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import DraftRevision, Form
from tests.web.backoffice import add_user, csrf_of, log_in

URL = "/app/acme/forms/demo/share"
DEFINITION: dict[str, Any] = {
    "schema": 1, "title": 'Talk to "sales" <now>',
    "steps": [{"id": "one", "fields": [{"id": "name", "type": "short_text", "label": "Name"}]}],
    "endings": [{"id": "thanks", "type": "message"}],
}


def make_form(app, *, publish: bool = False, settings: dict[str, Any] | None = None) -> None:
    from app.db import write_session
    from app.forms.versions import ensure_workspace, save_draft
    from app.forms.versions import publish as publish_version

    definition = {**DEFINITION, **({"settings": settings} if settings else {})}
    with app.app_context(), write_session() as session:
        form, _ = save_draft(session, ensure_workspace(session, "acme"), "demo", definition)
        if publish:
            publish_version(session, form)


@pytest.fixture
def marketer(app, client):
    make_form(app)
    add_user(app, "mia@example.com", role="marketer")
    log_in(client, "mia@example.com")
    return client


def domains(db_engine) -> list[str] | None:
    with Session(db_engine) as session:
        draft = session.scalar(select(Form.draft).where(Form.slug == "demo"))
    return draft.get("settings", {}).get("allowed_domains")


def post(client, **data: str):
    token = csrf_of(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={"csrf_token": token, **data})


def textarea(page: str, key: str) -> str:
    match = re.search(rf'<textarea[^>]*id="sh-{key}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, f"no {key} snippet"
    return html.unescape(match.group(1))


# --- link and snippets ---------------------------------------------------------------


def test_the_link_is_absolute_on_this_host(marketer):
    page = marketer.get(URL).get_data(as_text=True)

    assert '<a class="sh-url" href="http://localhost/f/acme/demo">' in page


def test_base_url_sets_the_link_and_the_script_address(app, marketer):
    app.config["BASE_URL"] = "https://forms.example.com/"
    page = marketer.get(URL).get_data(as_text=True)

    assert 'href="https://forms.example.com/f/acme/demo"' in page
    assert '<script src="https://forms.example.com/embed.js" async></script>' in textarea(
        page, "inline")


def test_the_snippets_are_the_readmes_with_the_name_escaped_inside(marketer):
    page = marketer.get(URL).get_data(as_text=True)
    name = "Talk to &#34;sales&#34; &lt;now&gt;"

    assert textarea(page, "link") == f'<a href="http://localhost/f/acme/demo">{name}</a>'
    assert textarea(page, "inline") == ('<div data-leadform="acme/demo"></div>\n'
                                        '<script src="http://localhost/embed.js" async></script>')
    assert textarea(page, "popup") == (
        f'<button data-leadform="acme/demo" data-leadform-mode="popup">{name}</button>\n'
        '<script src="http://localhost/embed.js" async></script>')
    assert "<now>" not in page  # the page escapes the snippets once more, as text


def test_each_snippet_has_a_copy_button_and_the_page_a_live_region(marketer):
    page = marketer.get(URL).get_data(as_text=True)

    for key in ("link", "inline", "popup"):
        assert f'data-copy="sh-{key}"' in page
    assert 'id="sh-announce" role="status"' in page
    assert "share.js" in page


def test_an_unpublished_form_says_the_link_works_once_published(marketer):
    assert "not published yet" in marketer.get(URL).get_data(as_text=True)


def test_a_published_form_has_no_such_warning(app, client):
    make_form(app, publish=True)
    add_user(app, "mia@example.com", role="marketer")
    log_in(client, "mia@example.com")

    page = client.get(URL).get_data(as_text=True)
    assert "not published yet" not in page
    assert client.get("/f/acme/demo").status_code == 200


# --- QR code -------------------------------------------------------------------------


def svg_matrix(svg: str, size: int) -> list[list[int]]:
    """The dark modules drawn by segno's SVG path (runs of `h`, moves of `m`)."""
    path = re.search(r"class=.qrline.[^>]*\sd=.([^'\"]+)", svg)
    assert path, "no QR path in the SVG"
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                grid[int(y)][column] = 1
            x += float(a)
    return grid


def test_the_qr_code_is_an_svg_data_uri_of_the_link(marketer):
    page = marketer.get(URL).get_data(as_text=True)
    uri = html.unescape(re.search(r'<img class="sh-qr-image" src="([^"]+)"', page).group(1))

    assert uri.startswith("data:image/svg+xml")
    expected = segno.make("http://localhost/f/acme/demo", error="m", micro=False)
    drawn = svg_matrix(unquote(uri), expected.symbol_size(scale=1, border=4)[0])
    border = 4
    modules = [row[border:-border] for row in drawn[border:-border]]
    assert modules == [[int(bool(cell)) for cell in row] for row in expected.matrix]


def test_the_qr_code_downloads_as_an_svg_file(marketer):
    reply = marketer.get(URL + "/qr.svg")

    assert reply.status_code == 200 and reply.mimetype == "image/svg+xml"
    assert 'filename="demo-qr.svg"' in reply.headers["Content-Disposition"]
    assert b"<svg" in reply.data and b"http://localhost/f/acme/demo" in reply.data


# --- allowed domains ---------------------------------------------------------------------


def test_none_listed_says_any_site_may_embed(marketer):
    assert "any site may embed this form" in marketer.get(URL).get_data(as_text=True)


def test_a_domain_is_added_lower_cased_and_remembered(marketer, db_engine):
    reply = post(marketer, action="add", domain="  WWW.Example.COM ")

    assert reply.status_code == 303 and reply.headers["Location"].endswith(URL + "#domains")
    assert domains(db_engine) == ["www.example.com"]
    page = marketer.get(URL).get_data(as_text=True)
    assert "<code>www.example.com</code>" in page and "when you publish" in page
    with Session(db_engine) as session:
        assert session.scalar(select(DraftRevision.summary)) == (
            "Allowed www.example.com to embed the form")


def test_wildcards_ports_and_international_names_are_accepted(marketer, db_engine):
    for typed in ("*.example.org", "localhost:8080", "bücher.example"):
        assert post(marketer, action="add", domain=typed).status_code == 303
    assert domains(db_engine) == ["*.example.org", "localhost:8080", "xn--bcher-kva.example"]


@pytest.mark.parametrize(("typed", "words"), [
    ("https://www.example.com/pricing", "only the host name, without https:// or a path here: "
                                        "www.example.com"),
    ("not a host!", "is not a host name such as www.example.com"),
    ("", "Enter a host name"),
    ("-bad-.com", "is not a host name"),
])
def test_a_bad_domain_is_an_inline_error_and_what_was_typed_stays(marketer, db_engine,
                                                                    typed, words):
    reply = post(marketer, action="add", domain=typed)
    text = html.unescape(reply.get_data(as_text=True))

    assert reply.status_code == 422
    error = re.search(r'id="sh-domain-error">([^<]*)<', text)
    assert error and words in error.group(1)
    assert f'value="{typed}"' in text and 'aria-invalid="true"' in text
    assert "<title>Error: Share" in text
    assert domains(db_engine) is None


def test_a_duplicate_domain_is_refused(marketer, db_engine):
    post(marketer, action="add", domain="www.example.com")
    reply = post(marketer, action="add", domain="WWW.EXAMPLE.COM")

    assert reply.status_code == 422
    assert "already in the list" in reply.get_data(as_text=True)
    assert domains(db_engine) == ["www.example.com"]


def test_the_schema_limit_is_shown_inline(app, client, db_engine):
    make_form(app, settings={"allowed_domains": [f"s{n}.example.com" for n in range(100)]})
    add_user(app, "mia@example.com", role="marketer")
    log_in(client, "mia@example.com")

    reply = post(client, action="add", domain="one-more.example.com")
    assert reply.status_code == 422
    assert "at most 100" in reply.get_data(as_text=True)
    assert len(domains(db_engine)) == 100


def test_a_domain_is_removed_and_the_last_one_leaves_no_empty_settings(marketer, db_engine):
    post(marketer, action="add", domain="www.example.com")
    post(marketer, action="add", domain="app.example.com")

    assert post(marketer, action="remove", domain="www.example.com").status_code == 303
    assert domains(db_engine) == ["app.example.com"]
    post(marketer, action="remove", domain="app.example.com")
    with Session(db_engine) as session:
        assert "settings" not in session.scalar(select(Form.draft))


def test_removing_a_domain_that_is_not_listed_changes_nothing(marketer, db_engine):
    reply = post(marketer, action="remove", domain="ghost.example.com")

    assert reply.status_code == 303
    assert domains(db_engine) is None


def test_allowed_domains_reach_the_public_form_when_published(app, marketer):
    from app.db import write_session
    from app.forms.versions import ensure_workspace, get_form, publish

    post(marketer, action="add", domain="www.example.com")
    assert marketer.get("/f/acme/demo").status_code == 404  # nothing published yet
    with app.app_context(), write_session() as session:
        publish(session, get_form(session, ensure_workspace(session, "acme"), "demo"))

    policy = marketer.get("/f/acme/demo").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.example.com http://www.example.com" in policy


# --- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/qr.svg"])
def test_sales_get_a_403(app, client, db_engine, path):
    make_form(app)
    add_user(app, "sam@example.com", role="sales")
    log_in(client, "sam@example.com")
    token = csrf_of(client.get("/app/acme/").get_data(as_text=True))

    assert client.get(URL + path).status_code == 403
    reply = client.post(URL, data={"csrf_token": token, "action": "add",
                                   "domain": "evil.example.com"})
    assert reply.status_code == 403
    assert domains(db_engine) is None


def test_a_member_of_another_workspace_gets_a_404(app, client, db_engine):
    make_form(app)
    add_user(app, "otto@example.com", workspace="other", role="admin")
    log_in(client, "otto@example.com")
    token = csrf_of(client.get("/app/other/").get_data(as_text=True))

    assert client.get(URL).status_code == 404
    reply = client.post(URL, data={"csrf_token": token, "action": "add",
                                   "domain": "evil.example.com"})
    assert reply.status_code == 404
    assert domains(db_engine) is None


def test_a_post_without_the_csrf_token_is_refused(marketer, db_engine):
    reply = marketer.post(URL, data={"action": "add", "domain": "www.example.com"})

    assert reply.status_code == 400
    assert domains(db_engine) is None
