"""The theme of a form: contrast by WCAG's formula, advice, and CSS that cannot be injected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.builder.theme import (
    DEFAULTS,
    FONTS,
    HEX_PATTERN,
    LOGO_PATTERN,
    contrast_ratio,
    logo_origin,
    look,
    shown_ratio,
    theme_css,
    theme_warnings,
)
from app.forms import load_schema, validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "definition.md"
THEME_SCHEMA = load_schema()["$defs"]["settings"]["properties"]["theme"]
HOSTILE = "red;}</style><script>alert(1)</script>"


def themed(theme: object) -> dict[str, object]:
    return {"schema": 1, "title": "T",
            "steps": [{"id": "one", "fields": [{"id": "a", "type": "short_text",
                                                 "label": "A"}]}],
            "endings": [{"id": "thanks", "type": "message"}],
            "settings": {"theme": theme}}


# --- contrast ------------------------------------------------------------------------


@pytest.mark.parametrize(("foreground", "background", "expected"), [
    ("#000000", "#ffffff", 21.0),
    ("#ffffff", "#ffffff", 1.0),
    ("#777777", "#ffffff", 4.48),
    ("#767676", "#ffffff", 4.54),  # the lightest grey that passes on white
    ("#0000ff", "#ffffff", 8.59),
    ("#FF0000", "#ffffff", 4.0),
])
def test_contrast_ratio_follows_the_wcag_formula(foreground, background, expected) -> None:
    assert contrast_ratio(foreground, background) == pytest.approx(expected, abs=0.01)


def test_contrast_ratio_does_not_depend_on_the_order() -> None:
    assert contrast_ratio("#3543b8", "#f3f4f8") == contrast_ratio("#f3f4f8", "#3543b8")


def test_a_ratio_just_below_a_minimum_never_reads_as_meeting_it() -> None:
    assert shown_ratio(contrast_ratio("#777777", "#ffffff")) == "4.47:1"
    assert shown_ratio(4.4999) == "4.49:1"


@pytest.mark.parametrize("bad", ["red", "#fff", "#12345g", "", "#1234567"])
def test_contrast_ratio_refuses_what_is_not_a_hex_colour(bad) -> None:
    with pytest.raises(ValueError):
        contrast_ratio(bad, "#ffffff")


# --- warnings ------------------------------------------------------------------------


def test_the_default_look_has_no_warnings() -> None:
    assert theme_warnings({}) == []
    assert theme_warnings(None) == []


def test_grey_text_below_four_and_a_half_to_one_is_warned_about() -> None:
    [warning] = theme_warnings({"text_color": "#777777"})
    assert warning.subject == "text" and warning.minimum == 4.5
    assert "4.47:1" in warning.message


def test_a_primary_colour_too_light_for_the_background_is_a_ui_warning() -> None:
    subjects = {w.subject: w for w in theme_warnings({"primary_color": "#ffcc00"})}
    assert subjects["primary"].minimum == 3.0
    assert "button" not in subjects  # the button text turned dark, which reads well


def test_a_primary_colour_between_three_and_four_and_a_half_warns_about_links() -> None:
    [warning] = theme_warnings({"primary_color": "#e8590c"})  # about 3.6:1 on white
    assert warning.subject == "primary" and warning.minimum == 4.5
    assert "Links" in warning.message


def test_button_text_that_reads_badly_on_every_choice_is_warned_about() -> None:
    warnings = theme_warnings({"primary_color": "#808080", "text_color": "#555555"})
    assert "button" in {warning.subject for warning in warnings}


def test_warnings_never_refuse_a_theme() -> None:
    theme = {"primary_color": "#ffffff", "text_color": "#ffffff"}
    assert theme_warnings(theme)
    assert validate(themed(theme)) == []


# --- the look and its CSS ----------------------------------------------------------------


def test_button_text_is_white_unless_a_text_colour_reads_better() -> None:
    assert look({}).on_primary == "#ffffff"
    assert look({"primary_color": "#ffcc00"}).on_primary == DEFAULTS["text_color"]
    assert look({"primary_color": "#ffcc00", "text_color": "#000000"}).on_primary == "#000000"
    # light text on a dark theme: a light primary still gets dark button text
    dark = {"primary_color": "#fca311", "text_color": "#f5f5f5", "background_color": "#14213d"}
    assert look(dark).on_primary == DEFAULTS["text_color"]


def test_no_theme_changes_nothing_in_the_stylesheet() -> None:
    assert theme_css({}) == ""
    assert theme_css(None) == ""


def test_the_theme_becomes_custom_properties_only() -> None:
    css = theme_css({"primary_color": "#0B6E4F", "font": "serif", "corner_radius": 0,
                     "background_color": "#111111", "text_color": "#eeeeee"})
    assert css.startswith(":root{") and css.endswith("}") and css.count("{") == 1
    declarations = dict(part.split(":", 1) for part in css[len(":root{"):-1].split(";"))
    assert declarations["--lf-primary"] == "#0b6e4f"
    assert declarations["--lf-radius"] == "0px"
    assert declarations["--lf-font"] == FONTS["serif"][1]
    assert declarations["color-scheme"] == "dark"
    assert all(name.startswith("--lf-") or name == "color-scheme" for name in declarations)


def test_derived_colours_keep_their_contrast_on_the_chosen_background() -> None:
    css = theme_css({"background_color": "#202020", "text_color": "#f0f0f0"})
    values = dict(part.split(":", 1) for part in css[len(":root{"):-1].split(";"))
    assert contrast_ratio(values["--lf-muted"], "#202020") >= 4.5
    assert contrast_ratio(values["--lf-placeholder"], "#202020") >= 4.5
    assert contrast_ratio(values["--lf-border"], "#202020") >= 3.0
    assert contrast_ratio(values["--lf-error"], "#202020") >= 4.5


@pytest.mark.parametrize("theme", [
    {"primary_color": HOSTILE},
    {"background_color": "#fff}body{display:none"},
    {"font": 'x;}</style><script>'},
    {"font": ["serif"]},
    {"corner_radius": "4px;}</style>"},
    {"corner_radius": True},
    {"corner_radius": 99},
    {"corner_radius": 4.5},
    "not an object",
])
def test_a_value_that_skipped_validation_never_reaches_the_css(theme) -> None:
    css = theme_css(theme)
    assert css == ""
    if isinstance(theme, dict):
        assert validate(themed(theme)) != []


def test_only_the_valid_keys_of_a_half_valid_theme_are_used() -> None:
    css = theme_css({"primary_color": HOSTILE, "corner_radius": 6})
    assert css == ":root{--lf-radius:6px}"


def test_button_texts_default_and_are_tidied() -> None:
    assert look({}).button_text == "Submit"
    assert look({"button_text": "  Send   it \n"}).button_text == "Send it"
    assert look({"button_text": "   "}).button_text == "Submit"
    assert look({"continue_text": "Next"}).continue_text == "Next"


@pytest.mark.parametrize(("url", "origin"), [
    ("https://cdn.example.com/logo.svg", "https://cdn.example.com"),
    ("https://CDN.Example.com:8443/a/b.png?v=2", "https://cdn.example.com:8443"),
    ("http://cdn.example.com/logo.svg", None),
    ("https://evil.com; script-src *", None),
    ("https://user@evil.com/x.png", None),
    ("javascript:alert(1)", None),
    (42, None),
])
def test_only_an_https_logo_gives_an_image_origin(url, origin) -> None:
    assert logo_origin({"logo_url": url}) == origin


# --- the schema and the docs agree -------------------------------------------------------


def test_theme_patterns_fonts_and_radius_match_the_schema() -> None:
    keys = THEME_SCHEMA["properties"]
    assert THEME_SCHEMA["additionalProperties"] is False
    for color in ("primary_color", "background_color", "text_color"):
        assert keys[color]["pattern"] == HEX_PATTERN
    assert keys["logo_url"]["pattern"] == LOGO_PATTERN
    assert keys["font"]["enum"] == list(FONTS)
    assert (keys["corner_radius"]["minimum"], keys["corner_radius"]["maximum"]) == (0, 24)
    assert set(keys) == set(DEFAULTS)


def test_every_theme_key_is_documented() -> None:
    section = DOC.read_text(encoding="utf-8").split("### Theme", 1)[1].split("\n#", 1)[0]
    assert set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M)) == set(THEME_SCHEMA["properties"])


@pytest.mark.parametrize(("theme", "path", "words"), [
    ({"primary_color": "red"}, "/settings/theme/primary_color", "#rrggbb"),
    ({"logo_url": "http://x.com/logo.png"}, "/settings/theme/logo_url", "https://"),
    ({"font": "comic"}, "/settings/theme/font", "Expected one of"),
    ({"corner_radius": 30}, "/settings/theme/corner_radius", "at most 24"),
    ({"button_text": ""}, "/settings/theme/button_text", "empty"),
    ({"colour": "#ffffff"}, "/settings/theme/colour", "Unknown key"),
])
def test_a_bad_theme_is_refused_with_a_plain_message(theme, path, words) -> None:
    issues = [issue for issue in validate(themed(theme)) if issue.path == path]
    assert issues and words in issues[0].message
