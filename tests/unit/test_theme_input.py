"""Reading the Design tab's boxes into a theme: tidy values, one message per bad box."""

from __future__ import annotations

import pytest

from app.builder.theme_input import normal_color, read_theme_form, saved_values


@pytest.mark.parametrize(("typed", "color"), [
    ("#3543B8", "#3543b8"), ("3543b8", "#3543b8"), ("#abc", "#aabbcc"), (" #ABC ", "#aabbcc"),
    ("red", None), ("#12345", None), ("#1234567", None), ("", None), ("#٣٣٣", None),
])
def test_colours_are_written_as_six_lowercase_hex_digits(typed, color):
    assert normal_color(typed) == color


def test_boxes_of_the_default_theme_are_empty_but_pickers_show_the_defaults():
    values = saved_values({})
    assert values["primary_color"] == "" and values["primary_color_picker"] == "#3543b8"
    assert values["font"] == "system" and values["corner_radius"] == ""


def test_boxes_left_out_keep_their_saved_values():
    read = read_theme_form({"font": "mono"}, {"primary_color": "#aa0000"})
    assert read.theme == {"primary_color": "#aa0000", "font": "mono"}
    assert read.errors == {}


def test_the_text_box_wins_when_both_moved():
    read = read_theme_form({"primary_color": "#00aa00", "primary_color_picker": "#0000aa"},
                           {"primary_color": "#aa0000"})
    assert read.theme["primary_color"] == "#00aa00"


def test_the_picker_wins_when_only_it_moved():
    read = read_theme_form({"primary_color": "#aa0000", "primary_color_picker": "#0000aa"},
                           {"primary_color": "#aa0000"})
    assert read.theme["primary_color"] == "#0000aa"


def test_an_emptied_box_goes_back_to_the_default():
    read = read_theme_form({"text_color": "", "text_color_picker": "#333333"},
                           {"text_color": "#333333"})
    assert "text_color" not in read.theme
    assert read.values["text_color_picker"] == "#1b1e29"


def test_values_equal_to_the_defaults_are_not_stored():
    read = read_theme_form({"primary_color": "#3543B8", "font": "system", "corner_radius": "10",
                            "button_text": "Submit", "continue_text": "Continue"}, {})
    assert read.theme == {} and read.errors == {}


def test_a_logo_without_a_scheme_gets_https_and_its_text_needs_a_logo():
    read = read_theme_form({"logo_url": "cdn.example.com/logo.svg", "logo_alt": "Acme"}, {})
    assert read.theme == {"logo_url": "https://cdn.example.com/logo.svg", "logo_alt": "Acme"}
    assert read_theme_form({"logo_alt": "Acme"}, {}).theme == {}


def test_button_texts_are_tidied():
    read = read_theme_form({"button_text": "  Send \n it  "}, {})
    assert read.theme == {"button_text": "Send it"}


@pytest.mark.parametrize(("box", "typed"), [
    ("primary_color", "blue"), ("corner_radius", "-1"), ("corner_radius", "2.5"),
    ("corner_radius", "²"), ("logo_url", "ftp://x.com/a.png"), ("logo_url", "https://"),
    ("logo_url", "http://x.com/a.png"), ("font", "papyrus"), ("continue_text", "y" * 41),
    ("logo_alt", "z" * 201),
])
def test_a_bad_box_gets_a_message_and_keeps_what_was_typed(box, typed):
    read = read_theme_form({box: typed}, {})
    assert set(read.errors) == {box}
    assert read.values[box] == typed
