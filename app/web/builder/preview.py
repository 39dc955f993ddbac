"""The live preview: the draft through the real public templates, walkable without saving.

Each screen is a GET form back to this view carrying the answers so far, so the
marketer can click through branches exactly as a prospect would; answers are
checked by the same field types, and nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

from flask import g, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.forms.fields import field_type
from app.forms.review import review
from app.logic import facts
from app.models import FormVersion
from app.responses.screens import Screen, enter_step, screen_after, screen_fields, screens_ahead
from app.responses.service import Outcome
from app.web.builder import bp, editor_view, form_or_404
from app.web.form_page import ending_view, page_theme, screen_view
from app.web.security import preview_headers

MAX_CARRIED = 20_000  # characters of carried answers; a preview walk never needs more


@bp.get("/forms/<form>/preview")
@editor_view
def preview(workspace: str, form: str) -> ResponseReturnValue:
    draft = form_or_404(form).draft
    if not review(draft).schema_valid:
        return _respond(render_template("public/error.html", title="Nothing to preview yet",
                                        message="Fix the errors in the editor first."), draft)
    answers = _carried(request.args.get("answers", ""))
    version = FormVersion(id=0, number=0, definition=draft)
    origin = _screen(draft, request.args.get("from", ""))
    if origin is not None:
        errors, typed = _take_answers(draft, origin, answers)
        if errors:
            return _render_screen(form, version, origin, answers, errors=errors, typed=typed)
        place = screen_after(draft, origin, facts(answers=answers))
        if isinstance(place, Screen):
            return _render_screen(form, version, place, answers)
        return _render_ending(form, draft, place.id, answers)
    wanted = request.args.get("screen", "")
    if any(ending.get("id") == wanted for ending in draft["endings"]):
        return _render_ending(form, draft, wanted, answers)
    screen = _screen(draft, wanted) or _screen(draft, draft["steps"][0]["id"])
    assert screen is not None
    return _render_screen(form, version, screen, answers)


def _screen(draft: dict[str, Any], key: str) -> Screen | None:
    step_id = key.partition("/")[0]
    if not any(step.get("id") == step_id for step in draft["steps"]):
        return None
    if "/" in key:
        return Screen.from_key(key)
    return enter_step(draft, step_id, facts())


def _take_answers(draft: dict[str, Any], screen: Screen, answers: dict[str, Any]
                  ) -> tuple[dict[str, str], dict[str, Any]]:
    """Check this screen's answers like the hosted form does; keep the good ones."""
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {}
    for spec in screen_fields(draft, screen, facts(answers=answers)):
        kind = field_type(spec["type"])
        if not kind.has_input or spec["type"] == "hidden":
            continue
        raw: Any = (request.args.getlist(spec["id"]) if kind.answer_kind == "list"
                    else request.args.get(spec["id"]))
        typed[spec["id"]] = raw
        parsed = kind.parse(spec, raw)
        if parsed.error:
            errors[spec["id"]] = parsed.error
        elif parsed.value is None:
            answers.pop(spec["id"], None)
        else:
            answers[spec["id"]] = parsed.value
    return errors, typed


def _render_screen(slug: str, version: FormVersion, screen: Screen, answers: dict[str, Any], *,
                   errors: dict[str, str] | None = None,
                   typed: dict[str, Any] | None = None) -> ResponseReturnValue:
    draft = version.definition
    data = facts(answers=answers)
    outcome = Outcome(response=None, version=version, screen=screen, errors=errors or {},
                      typed=typed or {}, progress=_progress(draft, screen, data))
    view = screen_view(outcome, is_last=screens_ahead(draft, screen, data) == 0)
    html = render_template(
        "public/form.html", workspace=g.workspace.slug, form_slug=slug,
        form_title=draft.get("title", ""), embedded=False, resumed=False, token="",
        screen=view, step_key=screen.key, theme=page_theme(draft),
        preview={"url": url_for("builder.preview", workspace=g.workspace.slug, form=slug),
                 "answers": json.dumps(answers, ensure_ascii=False)},
    )
    return _respond(html, draft)


def _render_ending(slug: str, draft: dict[str, Any], ending_id: str,
                   answers: dict[str, Any]) -> ResponseReturnValue:
    ending = next(e for e in draft["endings"] if e.get("id") == ending_id)
    tracks = (g.workspace.settings or {}).get("nurture_tracks", {})
    html = render_template("public/ending.html", ending=ending_view(ending, answers, {}, tracks),
                           form_title=draft.get("title", ""), embedded=False,
                           workspace=g.workspace.slug, form_slug=slug, theme=page_theme(draft),
                           preview={"url": "", "answers": ""})
    return _respond(html, draft)


def _progress(draft: dict[str, Any], screen: Screen, data: dict[str, Any]) -> int:
    ahead = screens_ahead(draft, screen, data)
    done = sum(1 for step in draft["steps"] for _ in step["fields"])
    return max(0, min(100, int(100 * (done - ahead) / max(done, 1)))) if ahead else 90


def _carried(text: str) -> dict[str, Any]:
    if not text or len(text) > MAX_CARRIED:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _respond(html: str, draft: dict[str, Any]) -> ResponseReturnValue:
    response = make_response(html)
    preview_headers(response, draft)
    return response
