"""View models for the hosted form: everything a template shows, computed here.

Templates stay dumb (STYLE.md 11): labels arrive piped, values arrive chosen
(typed > answered > prefilled), errors arrive per field.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from app.builder.theme import logo_origin, look, theme_css
from app.forms.fields import field_type
from app.forms.piping import pipe, tidy
from app.logic import facts
from app.responses.screens import Screen, screen_fields
from app.responses.service import Outcome


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class FieldView:
    id: str
    type: str
    widget: str
    label: str
    help: str
    why: str
    placeholder: str
    required: bool
    value: Any
    error: str | None
    options: list[OptionView] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    scale: list[int] = field(default_factory=list)
    checked_live: bool = False  # re-checked by the server as the visitor leaves it


@dataclass(frozen=True)
class ScreenView:
    title: str
    form_title: str
    description: str
    fields: list[FieldView]
    progress: int
    can_go_back: bool
    errors: dict[str, str]
    submit_label: str
    is_first: bool
    uses_known_data: bool = False  # offer "Not you?" (invariant 5)


@dataclass(frozen=True)
class EndingView:
    type: str
    title: str
    message: str
    url: str


def screen_view(outcome: Outcome, *, is_last: bool) -> ScreenView:
    assert outcome.screen is not None
    definition = outcome.definition
    response = outcome.response
    answers = dict(response.answers) if response else {}
    hidden = dict(response.hidden) if response else {}
    prefill = dict(response.meta.get("prefill", {})) if response else {}
    data = facts(answers=answers, hidden=hidden)
    step = _step(definition, outcome.screen)
    views = []
    for spec in screen_fields(definition, outcome.screen, data):
        if spec["type"] == "hidden":
            continue
        if spec["id"] in outcome.typed:
            value = outcome.typed[spec["id"]]
        else:
            value = answers.get(spec["id"], prefill.get(spec["id"]))
        views.append(field_view(spec, value, outcome.errors.get(spec["id"]), answers, hidden))
    return ScreenView(
        title=tidy(pipe(step.get("title", ""), answers, hidden)),
        form_title=definition.get("title", ""),
        description=definition.get("description", "") if not outcome.can_go_back else "",
        fields=views,
        progress=outcome.progress,
        can_go_back=outcome.can_go_back,
        errors={k: v for k, v in outcome.errors.items() if any(f.id == k for f in views)},
        submit_label=_button_label(definition, is_last=is_last),
        is_first=not outcome.can_go_back,
        uses_known_data=outcome.plan.uses_known_data,
    )


def field_view(
    spec: dict[str, Any], value: Any, error: str | None,
    answers: dict[str, Any], hidden: dict[str, Any],
) -> FieldView:
    kind = field_type(spec["type"])
    rules = spec.get("validation", {})
    chosen = value if isinstance(value, list) else ([] if value is None else [value])
    options = [
        OptionView(
            value=str(option["value"]),
            label=option.get("label") or str(option["value"]),
            checked=str(option["value"]) in {str(item) for item in chosen},
        )
        for option in spec.get("options", [])
    ]
    if spec["type"] == "yes_no":
        options = [
            OptionView("yes", "Yes", value in (True, "yes")),
            OptionView("no", "No", value in (False, "no")),
        ]
    scale: list[int] = []
    if spec["type"] == "scale":
        low, high = int(rules.get("min", 1)), int(rules.get("max", 5))
        scale = list(range(low, high + 1))
    return FieldView(
        id=spec["id"],
        type=spec["type"],
        widget=kind.input_widget,
        label=tidy(pipe(spec.get("label", ""), answers, hidden)),
        help=pipe(spec.get("help", ""), answers, hidden),
        why=spec.get("why", ""),
        placeholder=spec.get("placeholder", ""),
        required=bool(spec.get("required")),
        value=_display_value(spec["type"], value),
        error=error,
        options=options,
        attributes=_input_attributes(spec["type"], rules, spec.get("property", "")),
        scale=scale,
        checked_live=kind.checks_beyond_browser(spec),
    )


def ending_view(ending: dict[str, Any], answers: dict[str, Any], hidden: dict[str, Any],
                tracks: dict[str, Any] | None = None) -> EndingView:
    """The ending's text; a routed ending speaks for its destination (rep, track)."""
    kind = ending.get("type", "message")
    defaults = {
        "message": ("Thank you!", "Your answers have been received."),
        "nurture": ("Thank you!", "We'll be in touch with resources that fit where you are."),
        "book": ("Let's talk!", "Someone from our team will reach out to find a time."),
        "disqualify": ("Thank you", "Thanks for your interest."),
        "route": ("Thank you!", "Your answers have been received."),
        "redirect": ("Thank you!", "Taking you onwards…"),
    }
    title, message = defaults.get(kind, defaults["message"])
    if kind == "book" and ending.get("rep"):
        message = (f"{ending['rep']} will be your contact and will reach out shortly to find "
                   "a time that suits you.")
    track = (tracks or {}).get(ending.get("track") or "")
    if kind == "nurture" and isinstance(track, dict):
        title, message = track.get("title") or title, track.get("message") or message
    return EndingView(
        type=kind,
        title=tidy(pipe(ending.get("title") or title, answers, hidden)),
        message=pipe(ending.get("message") or message, answers, hidden),
        url=ending.get("url", ""),
    )


@dataclass(frozen=True)
class PageTheme:
    """What a form page needs of `settings.theme`: its CSS, the CSP sources, the logo."""

    css: Markup  # custom properties only, built by app.builder.theme from checked values
    style_source: str | None  # the CSP hash of `css`
    logo_url: str
    logo_alt: str
    logo_source: str | None  # the logo's https origin, for img-src


def page_theme(definition: dict[str, Any]) -> PageTheme:
    theme = _theme_of(definition)
    css = theme_css(theme)
    source = None
    if css:
        digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
    shown = look(theme)
    return PageTheme(css=Markup(css),  # noqa: S704 - declarations built from checked values
                     style_source=source, logo_url=shown.logo_url, logo_alt=shown.logo_alt,
                     logo_source=logo_origin(theme))


def _theme_of(definition: dict[str, Any]) -> dict[str, Any]:
    settings = definition.get("settings")
    theme = settings.get("theme") if isinstance(settings, dict) else None
    return theme if isinstance(theme, dict) else {}


def _button_label(definition: dict[str, Any], *, is_last: bool) -> str:
    shown = look(_theme_of(definition))
    return shown.button_text if is_last else shown.continue_text


def _step(definition: dict[str, Any], screen: Screen) -> dict[str, Any]:
    return next(step for step in definition["steps"] if step["id"] == screen.step)


def _display_value(field_type_name: str, value: Any) -> Any:
    if field_type_name in ("yes_no", "consent") or isinstance(value, list):
        return value
    return "" if value is None else str(value)


# Browser autofill tokens for well-known contact properties (WCAG 1.3.5).
AUTOCOMPLETE = {"first_name": "given-name", "last_name": "family-name", "company": "organization",
                "job_title": "organization-title", "phone": "tel", "email": "email"}


def _input_attributes(field_type_name: str, rules: dict[str, Any],
                      property_name: str = "") -> dict[str, Any]:
    """HTML attributes that mirror the server's rules (the server still decides)."""
    attributes: dict[str, Any] = {}
    if field_type_name in ("short_text", "long_text", "email", "phone"):
        # The default limit too: the browser stops a long answer before the server must.
        attributes["maxlength"] = field_type(field_type_name).max_length(  # type: ignore[attr-defined]
            {"validation": rules})
    if field_type_name in ("number", "date"):
        for key in ("min", "max"):
            if key in rules:
                attributes[key] = rules[key]
    if field_type_name == "number":
        attributes["step"] = "any"
    by_type = {"email": "email", "phone": "tel"}
    if field_type_name in by_type:
        attributes["autocomplete"] = by_type[field_type_name]
    if field_type_name in ("short_text", "email", "phone") and property_name in AUTOCOMPLETE:
        attributes["autocomplete"] = AUTOCOMPLETE[property_name]
    return attributes
