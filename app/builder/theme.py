"""A form's look (`settings.theme`): defaults, WCAG contrast checks, and its CSS.

Pure: takes the theme dict of a definition, returns values. `theme_css` is the
only way a theme reaches a page, and it re-checks every value itself (hex
colour, known font, integer radius), so even a definition that skipped schema
validation cannot put anything else into a stylesheet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# The schema's patterns (tests keep them equal); a logo: https, a plain host, no userinfo.
HEX_PATTERN = "^#[0-9a-fA-F]{6}$"
LOGO_PATTERN = "^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\\s\"'<>\\\\]*)?$"
_HEX = re.compile(HEX_PATTERN[1:-1])
_LOGO = re.compile(LOGO_PATTERN[1:-1])

# Safe font stacks: fonts people already have, never a download.
FONTS: dict[str, tuple[str, str]] = {
    "system": ("System (the device's own)",
               'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'),
    "humanist": ("Humanist sans",
                 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", sans-serif'),
    "geometric": ("Geometric sans",
                  'Avenir, Montserrat, Corbel, "URW Gothic", sans-serif'),
    "serif": ("Serif", 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif'),
    "rounded": ("Rounded", 'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, '
                           '"Arial Rounded MT", Calibri, sans-serif'),
    "mono": ("Monospace", 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, '
                          'Consolas, "DejaVu Sans Mono", monospace'),
}

MIN_RADIUS, MAX_RADIUS = 0, 24
MAX_BUTTON_TEXT = 40
DEFAULTS: dict[str, Any] = {
    "primary_color": "#3543b8",
    "background_color": "#ffffff",
    "text_color": "#1b1e29",
    "font": "system",
    "corner_radius": 10,
    "button_text": "Submit",
    "continue_text": "Continue",
    "logo_url": "",
    "logo_alt": "",
}
COLOR_KEYS = ("primary_color", "background_color", "text_color")

TEXT_MINIMUM = 4.5  # WCAG 1.4.3, normal text
UI_MINIMUM = 3.0  # WCAG 1.4.11, borders, focus rings, selected states
_WHITE, _BLACK = "#ffffff", "#000000"
_ERROR, _ERROR_ON_DARK = "#b3261e", "#ff8a80"


def is_hex_color(value: object) -> bool:
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def _rgb(color: str) -> tuple[int, int, int]:
    if not is_hex_color(color):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour (0 black … 1 white)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, from 1 (none) to 21 (black on white); order does not matter."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(color: str, other: str, weight: float) -> str:
    """`weight` of `color` and the rest of `other`, channel by channel."""
    mixed = (round(a * weight + b * (1 - weight)) for a, b in zip(_rgb(color), _rgb(other),
                                                                  strict=True))
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def _toward(color: str, base: str, minimum: float, start: float) -> str:
    """The weakest mix of `color` into `base`, from `start`, that reaches `minimum` contrast."""
    weight = start
    while weight < 1:
        candidate = mix(color, base, weight)
        if contrast_ratio(candidate, base) >= minimum:
            return candidate
        weight = round(weight + 0.05, 2)
    return color.lower()


@dataclass(frozen=True)
class Look:
    """Every value of a theme, defaults filled in and anything invalid replaced."""

    primary: str
    background: str
    text: str
    font: str
    radius: int
    button_text: str
    continue_text: str
    logo_url: str
    logo_alt: str

    @property
    def on_primary(self) -> str:
        """Button text: white when it reads well, else the best of white and the text colours."""
        if contrast_ratio(_WHITE, self.primary) >= TEXT_MINIMUM:
            return _WHITE
        candidates = (_WHITE, self.text, str(DEFAULTS["text_color"]))
        return max(candidates, key=lambda color: contrast_ratio(color, self.primary))

    @property
    def is_dark(self) -> bool:
        return relative_luminance(self.background) < 0.2


def look(theme: Mapping[str, Any] | None) -> Look:
    """The theme as it will be shown: a value that is missing or invalid gets its default."""
    theme = theme if isinstance(theme, Mapping) else {}

    def color(key: str) -> str:
        value = theme.get(key)
        return value.lower() if is_hex_color(value) else str(DEFAULTS[key])

    def text(key: str, limit: int) -> str:
        value = theme.get(key)
        cleaned = " ".join(value.split())[:limit] if isinstance(value, str) else ""
        return cleaned or str(DEFAULTS[key])

    logo = theme.get("logo_url")
    return Look(
        primary=color("primary_color"), background=color("background_color"),
        text=color("text_color"),
        font=theme["font"] if _is_font(theme.get("font")) else str(DEFAULTS["font"]),
        radius=_radius(theme.get("corner_radius")),
        button_text=text("button_text", MAX_BUTTON_TEXT),
        continue_text=text("continue_text", MAX_BUTTON_TEXT),
        logo_url=logo if isinstance(logo, str) and _LOGO.fullmatch(logo) else "",
        logo_alt=text("logo_alt", 200) if theme.get("logo_alt") else "",
    )


def _radius(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return int(DEFAULTS["corner_radius"])
    if isinstance(value, float) and not value.is_integer():
        return int(DEFAULTS["corner_radius"])
    number = int(value)
    return number if MIN_RADIUS <= number <= MAX_RADIUS else int(DEFAULTS["corner_radius"])


def logo_origin(theme: Mapping[str, Any] | None) -> str | None:
    """`https://host[:port]` of a valid logo URL, for the page's img-src; else None."""
    url = look(theme).logo_url
    if not url:
        return None
    parts = urlsplit(url)
    return f"https://{parts.netloc.lower()}"


@dataclass(frozen=True)
class ContrastWarning:
    subject: str  # "text", "button" or "primary": which pair of colours
    ratio: float
    minimum: float
    message: str


def shown_ratio(ratio: float) -> str:
    """"4.48:1": rounded down, so a ratio just below a minimum never reads as meeting it."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def theme_warnings(theme: Mapping[str, Any] | None) -> list[ContrastWarning]:
    """Colour pairs below the WCAG minimums. Advice only: a theme is never refused for it."""
    shown = look(theme)
    warnings = []
    text = contrast_ratio(shown.text, shown.background)
    if text < TEXT_MINIMUM:
        warnings.append(ContrastWarning(
            "text", text, TEXT_MINIMUM,
            f"Text on the background has a contrast of {shown_ratio(text)}; aim for at least "
            "4.5:1 so everyone can read the questions."))
    button = contrast_ratio(shown.on_primary, shown.primary)
    if button < TEXT_MINIMUM:
        warnings.append(ContrastWarning(
            "button", button, TEXT_MINIMUM,
            f"Button text on the primary colour has a contrast of {shown_ratio(button)}; aim "
            "for at least 4.5:1 (try a darker or lighter primary colour)."))
    primary = contrast_ratio(shown.primary, shown.background)
    if primary < UI_MINIMUM:
        warnings.append(ContrastWarning(
            "primary", primary, UI_MINIMUM,
            f"The primary colour on the background has a contrast of {shown_ratio(primary)}; "
            "buttons, selected answers and focus outlines need at least 3:1 to be seen."))
    elif primary < TEXT_MINIMUM:
        warnings.append(ContrastWarning(
            "primary", primary, TEXT_MINIMUM,
            f"Links in the primary colour have a contrast of {shown_ratio(primary)} on the "
            "background; text needs at least 4.5:1."))
    return warnings


def theme_css(theme: Mapping[str, Any] | None) -> str:
    """CSS custom properties for public.css (`:root{--lf-…}`); "" when nothing differs."""
    declarations = theme_declarations(theme)
    if not declarations:
        return ""
    return ":root{" + ";".join(f"{name}:{value}" for name, value in declarations) + "}"


def theme_declarations(theme: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The (property, value) pairs that differ from public.css's defaults.

    Every value comes from `look` (checked hex, known font, bounded integer) or
    is computed from those, never copied from the theme as text.
    """
    theme = theme if isinstance(theme, Mapping) else {}
    shown = look(theme)
    set_keys = _valid_keys(theme)
    declarations: list[tuple[str, str]] = []
    if set_keys & {"primary_color", "background_color", "text_color"}:
        declarations += _primary_declarations(shown)
    if set_keys & {"background_color", "text_color"}:
        declarations += _surface_declarations(shown)
    if "font" in set_keys:
        declarations.append(("--lf-font", FONTS[shown.font][1]))
    if "corner_radius" in set_keys:
        declarations.append(("--lf-radius", f"{shown.radius}px"))
    return declarations


def _valid_keys(theme: Mapping[str, Any]) -> set[str]:
    """The theme keys that hold a valid value; the others keep the stylesheet's default."""
    valid = {key for key in COLOR_KEYS if is_hex_color(theme.get(key))}
    if _is_font(theme.get("font")):
        valid.add("font")
    radius = theme.get("corner_radius")
    if not isinstance(radius, bool) and _radius(radius) == radius:
        valid.add("corner_radius")
    return valid


def _is_font(value: object) -> bool:
    return isinstance(value, str) and value in FONTS


def _primary_declarations(shown: Look) -> list[tuple[str, str]]:
    on_primary = shown.on_primary
    hover = mix(shown.primary, _BLACK if on_primary == _WHITE else _WHITE, 0.8)
    return [("--lf-primary", shown.primary), ("--lf-primary-dark", hover),
            ("--lf-on-primary", on_primary), ("--lf-tint", mix(shown.primary,
                                                               shown.background, 0.1))]


def _surface_declarations(shown: Look) -> list[tuple[str, str]]:
    back, text = shown.background, shown.text
    error = _ERROR
    if contrast_ratio(_ERROR, back) < TEXT_MINIMUM and (
            contrast_ratio(_ERROR_ON_DARK, back) > contrast_ratio(_ERROR, back)):
        error = _ERROR_ON_DARK
    return [
        ("--lf-card", back), ("--lf-text", text), ("--lf-bg", mix(text, back, 0.05)),
        ("--lf-muted", _toward(text, back, TEXT_MINIMUM, 0.75)),
        ("--lf-placeholder", _toward(text, back, TEXT_MINIMUM, 0.65)),
        ("--lf-border", _toward(text, back, UI_MINIMUM, 0.45)),
        ("--lf-error", error), ("--lf-error-bg", mix(error, back, 0.08)),
        ("color-scheme", "dark" if shown.is_dark else "light"),
    ]
