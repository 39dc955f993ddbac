"""A published form wears its theme: CSS custom properties allowed by hash, logo, button text."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from app.forms.versions import DefinitionRejected
from tests.web.hosted import post_screen

STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
THEME = {"primary_color": "#0b6e4f", "font": "serif", "corner_radius": 4,
         "logo_url": "https://cdn.example.com/brand/logo.svg", "logo_alt": "Example Inc.",
         "button_text": "Send it", "continue_text": "Onwards"}


def definition(theme: dict[str, Any] | None = None, steps: int = 1) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": 1, "title": "Themed",
        "steps": [{"id": f"s{n}", "fields": [{"id": f"f{n}", "type": "short_text",
                                               "label": f"Question {n}"}]}
                  for n in range(steps)],
        "endings": [{"id": "thanks", "type": "message"}],
    }
    if theme is not None:
        document["settings"] = {"theme": theme}
    return document


def csp_sources(response, directive: str) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == directive:
            return words[1:]
    return []


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_theme_is_applied_as_custom_properties_allowed_by_their_hash(publish_form, client):
    page = client.get(publish_form(definition(THEME)))
    text = page.get_data(as_text=True)

    styles = STYLE.findall(text)
    assert len(styles) == 2
    theme_style = styles[1]
    assert theme_style.startswith(":root{--lf-primary:#0b6e4f;")
    assert "--lf-radius:4px" in theme_style and "Georgia" in theme_style
    assert sha256_source(theme_style) in csp_sources(page, "style-src")
    assert sha256_source(styles[0]) in csp_sources(page, "style-src")


def test_a_form_without_a_theme_keeps_the_default_look(publish_form, client):
    page = client.get(publish_form(definition()))
    text = page.get_data(as_text=True)

    assert len(STYLE.findall(text)) == 1
    assert len(csp_sources(page, "style-src")) == 2  # 'self' and public.css
    assert csp_sources(page, "img-src") == ["'self'", "data:"]
    assert 'class="lf-logo"' not in text
    assert ">Submit</button>" in text


def test_the_logo_shows_and_only_its_origin_may_serve_images(publish_form, client):
    page = client.get(publish_form(definition(THEME)))
    text = page.get_data(as_text=True)

    assert ('<img class="lf-logo" src="https://cdn.example.com/brand/logo.svg" '
            'alt="Example Inc."') in text
    assert csp_sources(page, "img-src") == ["'self'", "data:", "https://cdn.example.com"]


def test_the_button_texts_label_the_continue_and_final_buttons(publish_form, client):
    url = publish_form(definition(THEME, steps=2))

    assert ">Onwards</button>" in client.get(url).get_data(as_text=True)
    post_screen(client, url, {"f0": "yes"})
    assert ">Send it</button>" in client.get(url).get_data(as_text=True)


def test_the_embedded_form_wears_the_theme_too(publish_form, client):
    page = client.get(publish_form(definition(THEME)) + "?embed=1")

    assert "--lf-primary:#0b6e4f" in page.get_data(as_text=True)


def test_the_ending_page_wears_the_theme(publish_form, client):
    url = publish_form(definition(THEME))
    done = post_screen(client, url, {"f0": "yes"})
    page = client.get(done.headers["Location"])
    text = page.get_data(as_text=True)

    assert "--lf-primary:#0b6e4f" in text and 'class="lf-logo"' in text
    assert sha256_source(STYLE.findall(text)[1]) in csp_sources(page, "style-src")


@pytest.mark.parametrize("hostile", [
    {"primary_color": "red;}</style><script>alert(1)</script>"},
    {"font": "x}</style><script>alert(1)</script>"},
    {"logo_url": "https://x.com/\"><script>alert(1)</script>"},
    {"logo_url": "https://evil.com; script-src *"},
])
def test_a_hostile_theme_is_refused_by_the_schema(publish_form, hostile):
    with pytest.raises(DefinitionRejected):
        publish_form(definition(hostile))


@pytest.mark.parametrize("hostile", [
    {"primary_color": "red;}</style><script>alert(1)</script>", "corner_radius": 6},
    {"font": "x}</style><script>alert(1)</script>", "corner_radius": 6},
    {"corner_radius": "6px}</style><script>alert(1)</script>"},
    {"logo_url": "https://evil.com; script-src * 'unsafe-inline'", "corner_radius": 6},
])
def test_a_hostile_theme_that_bypassed_validation_is_never_rendered(
        publish_form, client, monkeypatch, hostile):
    from app.forms import review as review_module

    clean = review_module.review(definition())  # every check passes, whatever is published
    monkeypatch.setattr("app.forms.versions.review", lambda _: clean)
    url = publish_form(definition(hostile))

    page = client.get(url)
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "<script>alert(1)" not in text and "evil.com" not in text
    policy = page.headers["Content-Security-Policy"]
    assert "evil.com" not in policy and "unsafe-inline" not in policy
    assert csp_sources(page, "script-src") == ["'self'"]
    for style in STYLE.findall(text)[1:]:
        assert style == ":root{--lf-radius:6px}"
