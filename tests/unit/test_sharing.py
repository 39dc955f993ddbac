"""Sharing, without an app: snippets escape once, typed host names are read kindly."""

from __future__ import annotations

import pytest

from app.builder.settings import put_setting
from app.builder.sharing import DOMAIN_PATTERN, DomainRefused, read_domain, snippets
from app.forms import load_schema


def test_the_domain_pattern_is_the_schemas():
    settings = load_schema()["$defs"]["settings"]["properties"]
    assert settings["allowed_domains"]["items"]["pattern"] == DOMAIN_PATTERN


def test_snippets_escape_every_value_once():
    by_key = {snippet.key: snippet.code for snippet in snippets(
        form_url='https://x.example/f/a/b?x="1"&y=2', script_url="https://x.example/embed.js",
        form_ref="a/b", name="<b>Hi</b> & 'you'")}
    assert by_key["link"] == ('<a href="https://x.example/f/a/b?x=&#34;1&#34;&amp;y=2">'
                              "&lt;b&gt;Hi&lt;/b&gt; &amp; &#39;you&#39;</a>")
    assert "&lt;b&gt;Hi" in by_key["popup"] and "<b>" not in by_key["popup"]


@pytest.mark.parametrize(("typed", "domain"), [
    ("Example.COM", "example.com"), (" *.example.com ", "*.example.com"),
    ("example.com:8443", "example.com:8443"), ("bücher.example", "xn--bcher-kva.example"),
    ("*.bücher.example:81", "*.xn--bcher-kva.example:81"),
])
def test_host_names_are_read_lower_cased(typed, domain):
    assert read_domain(typed, []) == domain


@pytest.mark.parametrize("typed", ["", "   ", "https://example.com", "example.com/x", "a b.com",
                                   "example..com", "-x.com", "x" * 254, "*.", "☃" * 70])
def test_what_is_not_a_host_name_is_refused_with_a_reason(typed):
    with pytest.raises(DomainRefused) as refused:
        read_domain(typed, [])
    assert str(refused.value)


def test_a_listed_host_is_refused():
    with pytest.raises(DomainRefused, match="already in the list"):
        read_domain("EXAMPLE.com", ["example.com"])


def test_put_setting_leaves_no_empty_settings_behind():
    draft = {"title": "T", "settings": {"theme": {"font": "mono"}}}
    put_setting(draft, "theme", {})
    assert "settings" not in draft
    put_setting(draft, "allowed_domains", ["example.com"])
    assert draft["settings"] == {"allowed_domains": ["example.com"]}
