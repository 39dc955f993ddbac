"""The Design tab: the theme saved to the draft, inline errors, contrast advice, reset."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import DraftRevision, Form
from tests.web.backoffice import add_user, csrf_of, log_in

URL = "/app/acme/forms/demo/design"
DEFINITION: dict[str, Any] = {
    "schema": 1, "title": "Demo",
    "steps": [{"id": "one", "fields": [{"id": "name", "type": "short_text", "label": "Name"}]}],
    "endings": [{"id": "thanks", "type": "message"}],
}
FILLED = {"primary_color": "", "primary_color_picker": "#3543b8",
          "background_color": "", "background_color_picker": "#ffffff",
          "text_color": "", "text_color_picker": "#1b1e29", "font": "system",
          "corner_radius": "", "logo_url": "", "logo_alt": "", "button_text": "",
          "continue_text": ""}


@pytest.fixture
def form(app) -> None:
    from app.db import write_session
    from app.forms.versions import ensure_workspace, save_draft

    with app.app_context(), write_session() as session:
        save_draft(session, ensure_workspace(session, "acme"), "demo", DEFINITION)


@pytest.fixture
def marketer(app, client, form):
    add_user(app, "mia@example.com", role="marketer")
    log_in(client, "mia@example.com")
    return client


def draft(db_engine) -> dict[str, Any]:
    with Session(db_engine) as session:
        return session.scalar(select(Form.draft).where(Form.slug == "demo"))


def theme(db_engine) -> dict[str, Any] | None:
    return draft(db_engine).get("settings", {}).get("theme")


def save(client, **changes: str):
    token = csrf_of(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={"csrf_token": token, **FILLED, **changes})


def test_the_tab_shows_the_theme_boxes_with_the_defaults(marketer):
    page = marketer.get(URL)
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert 'type="color"' in text and 'name="primary_color_picker"' in text
    assert 'value="#3543b8"' in text
    assert '<option value="serif"' in text
    assert "changes when you publish" in text
    assert 'href="/app/acme/forms/demo/design" aria-current="page"' in text


def test_saving_puts_the_theme_in_the_draft_and_redirects(marketer, db_engine):
    reply = save(marketer, primary_color="#0B6E4F", primary_color_picker="#0b6e4f",
                 font="serif", corner_radius="4", logo_url="https://cdn.example.com/l.svg",
                 logo_alt="Example", button_text="Send")

    assert reply.status_code == 303 and reply.headers["Location"].endswith(URL)
    assert theme(db_engine) == {"primary_color": "#0b6e4f", "font": "serif",
                                "corner_radius": 4, "logo_url": "https://cdn.example.com/l.svg",
                                "logo_alt": "Example", "button_text": "Send"}
    with Session(db_engine) as session:
        summary = session.scalar(select(DraftRevision.summary))
    assert summary.startswith("Changed the design: primary colour, font")


def test_a_colour_changed_only_in_the_picker_is_saved(marketer, db_engine):
    save(marketer, primary_color_picker="#aa0000")

    assert theme(db_engine) == {"primary_color": "#aa0000"}


def test_a_short_hex_colour_is_written_out(marketer, db_engine):
    save(marketer, text_color="#333")

    assert theme(db_engine) == {"text_color": "#333333"}


def test_a_bad_colour_is_an_inline_error_and_nothing_is_lost(marketer, db_engine):
    reply = save(marketer, primary_color="blueish", button_text="Go on")
    text = reply.get_data(as_text=True)

    assert reply.status_code == 422
    assert 'id="ds-primary_color-error"' in text and "six hex digits" in text
    assert 'aria-invalid="true"' in text
    assert 'value="blueish"' in text and 'value="Go on"' in text
    assert "<title>Error: Design" in text
    assert theme(db_engine) is None


@pytest.mark.parametrize(("box", "value", "words"), [
    ("corner_radius", "30", "from 0 to 24"),
    ("corner_radius", "4px", "whole number"),
    ("logo_url", "http://cdn.example.com/logo.png", "https://"),
    ("logo_url", "https://cdn.example.com/a logo.png", "https://"),
    ("font", "comic-sans", "Choose one"),
    ("button_text", "x" * 41, "at most 40"),
])
def test_each_bad_box_gets_its_own_message(marketer, db_engine, box, value, words):
    reply = save(marketer, **{box: value})
    text = html.unescape(reply.get_data(as_text=True))

    assert reply.status_code == 422
    error = re.search(rf'id="ds-{box}-error">([^<]*)<', text)
    assert error and words in error.group(1)
    assert theme(db_engine) is None


def test_low_contrast_is_advice_shown_next_to_the_colours_not_a_refusal(marketer, db_engine):
    reply = save(marketer, text_color="#777777")
    assert reply.status_code == 303
    text = marketer.get(URL).get_data(as_text=True)

    status = text.split('id="ds-contrast"', 1)[1].split("</div>", 1)[0]
    assert 'role="status"' in status and "4.47:1" in status
    assert theme(db_engine) == {"text_color": "#777777"}


def test_colours_being_picked_get_live_advice_without_saving(marketer, db_engine):
    reply = marketer.get(URL, query_string={"primary_color": "#ffcc00",
                                            "primary_color_picker": "#ffcc00"},
                         headers={"HX-Request": "true"})
    text = reply.get_data(as_text=True)

    assert reply.status_code == 200
    assert "<html" not in text and "1.51:1" in text
    sample = json.loads(html.unescape(re.search(r'data-vars="([^"]*)"', text).group(1)))
    assert sample["--lf-primary"] == "#ffcc00"
    assert theme(db_engine) is None


def test_live_advice_for_good_colours_says_so(marketer):
    reply = marketer.get(URL, query_string={"text_color": "#000000"},
                         headers={"HX-Request": "true"})

    assert "meet the WCAG contrast minimums" in reply.get_data(as_text=True)


def test_reset_removes_the_theme_and_undo_brings_it_back(marketer, db_engine):
    save(marketer, primary_color="#aa0000", font="mono")
    token = csrf_of(marketer.get(URL).get_data(as_text=True))

    reply = marketer.post(URL, data={"csrf_token": token, "action": "reset"})
    assert reply.status_code == 303
    assert "settings" not in draft(db_engine)

    marketer.post("/app/acme/forms/demo/undo", data={"csrf_token": token, "next": URL})
    assert theme(db_engine) == {"primary_color": "#aa0000", "font": "mono"}


def test_the_other_settings_survive_a_theme_change(app, marketer, db_engine):
    from app.db import write_session
    from app.forms.versions import ensure_workspace, save_draft

    with app.app_context(), write_session() as session:
        save_draft(session, ensure_workspace(session, "acme"), "demo",
                   {**DEFINITION, "settings": {"allowed_domains": ["www.example.com"]}})
    save(marketer, font="serif")
    token = csrf_of(marketer.get(URL).get_data(as_text=True))
    marketer.post(URL, data={"csrf_token": token, "action": "reset"})

    assert draft(db_engine)["settings"] == {"allowed_domains": ["www.example.com"]}


def test_saving_the_same_design_again_changes_nothing(marketer, db_engine):
    reply = save(marketer)

    assert reply.status_code == 303
    assert "settings" not in draft(db_engine)
    assert "Nothing to save" in marketer.get(URL).get_data(as_text=True)


def test_a_refused_change_is_shown_inline(marketer, db_engine, monkeypatch):
    from app.builder.drafts import ChangeRefused

    def refuse(*args, **kwargs):
        raise ChangeRefused("'#zz' is not a colour.",
                            [{"path": "/settings/theme/primary_color",
                              "message": "'#zz' is not a colour."}])

    monkeypatch.setattr("app.web.builder.design.edit_draft", refuse)
    reply = save(marketer, primary_color="#123456")
    text = html.unescape(reply.get_data(as_text=True))

    assert reply.status_code == 422
    assert 'id="ds-primary_color-error">\'#zz\' is not a colour.' in text
    assert 'value="#123456"' in text


def test_the_draft_preview_shows_at_desktop_and_phone_widths(app, client, form):
    add_user(app, "mia@example.com", role="marketer")
    log_in(client, "mia@example.com")
    text = client.get(URL).get_data(as_text=True)

    assert text.count('<iframe src="/app/acme/forms/demo/preview"') == 2
    assert "at phone width" in text and "at desktop width" in text
    preview = client.get("/app/acme/forms/demo/preview")
    assert preview.status_code == 200 and "frame-ancestors 'self'" in preview.headers[
        "Content-Security-Policy"]


@pytest.mark.parametrize("role", ["sales"])
def test_sales_may_not_change_the_design(app, client, form, db_engine, role):
    add_user(app, "sam@example.com", role=role)
    log_in(client, "sam@example.com")
    token = csrf_of(client.get("/app/acme/").get_data(as_text=True))

    assert client.get(URL).status_code == 403
    reply = client.post(URL, data={"csrf_token": token, **FILLED, "font": "mono"})
    assert reply.status_code == 403
    assert theme(db_engine) is None


def test_a_member_of_another_workspace_gets_a_404(app, client, form, db_engine):
    add_user(app, "otto@example.com", workspace="other", role="admin")
    log_in(client, "otto@example.com")
    token = csrf_of(client.get("/app/other/").get_data(as_text=True))

    assert client.get(URL).status_code == 404
    reply = client.post(URL, data={"csrf_token": token, **FILLED, "font": "mono"})
    assert reply.status_code == 404
    assert theme(db_engine) is None


def test_signed_out_visitors_are_sent_to_sign_in(client, form):
    assert client.get(URL).status_code in (302, 303)
    assert client.post(URL, data=FILLED).status_code in (302, 303, 400)
