"""The Design tab's form, read into a theme: what people type, tidied, with a message per box.

Pure. Each colour has two inputs, a colour picker (`<key>_picker`) and a text
box (`<key>`); without JavaScript they are not kept in step, so the one that
moved away from the saved value wins (the text box, if both did).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.builder.theme import (
    COLOR_KEYS,
    DEFAULTS,
    FONTS,
    LOGO_PATTERN,
    MAX_BUTTON_TEXT,
    MAX_RADIUS,
    MIN_RADIUS,
    is_hex_color,
    look,
)

TEXT_KEYS = ("button_text", "continue_text")
MAX_LOGO_URL, MAX_LOGO_ALT = 2000, 200
_SHORT_HEX = re.compile(r"#?([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])")
_LONG_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_LOGO = re.compile(LOGO_PATTERN[1:-1])

COLOR_ERROR = "Enter a colour as # and six hex digits, such as #3543b8."
RADIUS_ERROR = f"Enter a whole number of pixels from {MIN_RADIUS} to {MAX_RADIUS}."
HTTP_LOGO_ERROR = ("Use an https:// address: an image on http:// would not load on "
                   "secure pages.")
LOGO_ERROR = "Enter the https:// address of an image, such as https://example.com/logo.svg."


@dataclass(frozen=True)
class ThemeInput:
    theme: dict[str, Any]  # what to save: valid values that differ from the defaults
    values: dict[str, str]  # what each box shows back: as typed, tidied
    errors: dict[str, str] = field(default_factory=dict)  # box name → message


def saved_values(theme: Mapping[str, Any] | None) -> dict[str, str]:
    """The boxes of the Design tab for a saved theme (empty where the default applies)."""
    theme = theme if isinstance(theme, Mapping) else {}
    shown = look(theme)
    values = {key: str(theme[key]).lower() if is_hex_color(theme.get(key)) else ""
              for key in COLOR_KEYS}
    values |= {f"{key}_picker": getattr(shown, _LOOK[key]) for key in COLOR_KEYS}
    values |= {
        "font": shown.font,
        "corner_radius": str(shown.radius) if "corner_radius" in theme else "",
        "logo_url": shown.logo_url, "logo_alt": shown.logo_alt,
        "button_text": str(theme.get("button_text") or "").strip(),
        "continue_text": str(theme.get("continue_text") or "").strip(),
    }
    return values


_LOOK = {"primary_color": "primary", "background_color": "background", "text_color": "text"}


def read_theme_form(form: Mapping[str, str], saved: Mapping[str, Any] | None) -> ThemeInput:
    """The theme the form asks for; a box left out of `form` keeps its saved value."""
    before = saved_values(saved)
    values = {name: " ".join(str(form.get(name, before[name])).split())
              for name in before}
    theme: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in COLOR_KEYS:
        typed = values[key]
        if typed.lower() == before[key] and values[f"{key}_picker"].lower() != (
                before[f"{key}_picker"]):
            typed = values[f"{key}_picker"]
        color = normal_color(typed)
        values[key] = color or typed
        picker = f"{key}_picker"
        values[picker] = color or (before[picker] if typed else str(DEFAULTS[key]))
        if typed and color is None:
            errors[key] = COLOR_ERROR
        elif color and color != DEFAULTS[key]:
            theme[key] = color
    if values["font"] not in FONTS:
        errors["font"] = "Choose one of the fonts in the list."
    elif values["font"] != DEFAULTS["font"]:
        theme["font"] = values["font"]
    radius = values["corner_radius"]
    if radius:
        if not radius.isascii() or not radius.isdigit() or not (
                MIN_RADIUS <= int(radius) <= MAX_RADIUS):
            errors["corner_radius"] = RADIUS_ERROR
        elif int(radius) != DEFAULTS["corner_radius"]:
            theme["corner_radius"] = int(radius)
    _read_logo(values, theme, errors)
    for key in TEXT_KEYS:
        text = values[key]
        if len(text) > MAX_BUTTON_TEXT:
            errors[key] = f"Keep it short: at most {MAX_BUTTON_TEXT} characters."
        elif text and text != DEFAULTS[key]:
            theme[key] = text
    return ThemeInput(theme=theme, values=values, errors=errors)


def _read_logo(values: dict[str, str], theme: dict[str, Any], errors: dict[str, str]) -> None:
    url = values["logo_url"]
    if url and "://" not in url and "." in url.split("/")[0]:
        url = values["logo_url"] = f"https://{url}"  # "cdn.example.com/logo.svg"
    if len(url) > MAX_LOGO_URL:
        errors["logo_url"] = f"The address is too long: at most {MAX_LOGO_URL} characters."
    elif url.lower().startswith("http://"):
        errors["logo_url"] = HTTP_LOGO_ERROR
    elif url and not _LOGO.fullmatch(url):
        errors["logo_url"] = LOGO_ERROR
    elif url:
        theme["logo_url"] = url
    alt = values["logo_alt"]
    if len(alt) > MAX_LOGO_ALT:
        errors["logo_alt"] = f"Keep it short: at most {MAX_LOGO_ALT} characters."
    elif alt and url:
        theme["logo_alt"] = alt


def normal_color(text: str) -> str | None:
    """'#3543B8', '3543b8' or '#abc' as '#3543b8'; None when it is not a hex colour."""
    text = text.strip()
    long = _LONG_HEX.fullmatch(text)
    if long:
        return "#" + long.group(1).lower()
    short = _SHORT_HEX.fullmatch(text)
    if short:
        return "#" + "".join(digit * 2 for digit in short.groups()).lower()
    return None
