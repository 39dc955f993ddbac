"""The builder blueprint: the marketer's audience (admins and marketers).

One blueprint, several modules, one per editor tab, each adding its routes to
`bp`. URL rules, in one place (all under /app/<workspace>):

    GET       /forms/<form>/                 → the Build tab
    Build     (editor.py)   /forms/<form>/build, .../steps/..., .../fields/..., undo
              (editor_panels.py) .../settings and each element's settings panel
              (preview.py) .../preview
    Logic     (logic.py)    /forms/<form>/logic
    Routing   (routing.py)  /forms/<form>/routing, the test panel
    Design    (design.py)   /forms/<form>/design (theme)
    Share     (share.py)    /forms/<form>/share (link, embed snippets, allowed domains)
    Publish   (publish.py)  /forms/<form>/publish (lint, publish, versions, rollback)
    Experiments (experiments.py) /forms/<form>/experiments (A/B tests: start, stop, results)
    Forms     (forms_list.py) /forms/new, /forms/<form>/duplicate, /forms/<form>/archive
    Export    (exports.py)  /forms/<form>/export, /forms/<form>/responses.csv
    Scoring   (scoring.py)  /scoring/ (the workspace's scoring model)

Every view is guarded with `@editor_view`, works on `g.workspace`, and changes a
draft only through `app.builder.drafts.edit_draft` (refused changes save nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app import db
from app.builder.drafts import form_for_edit, last_change
from app.forms.summaries import form_status
from app.models import Form
from app.web.access import protect_backoffice, workspace_member

bp = Blueprint("builder", __name__, url_prefix="/app/<workspace>")
protect_backoffice(bp)

EDITOR_ROLES = ("admin", "marketer")
View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Tab:
    label: str
    endpoint: str  # a view whose URL arguments are `workspace` and `form`
    inner: tuple[str, ...] = ()  # other views of the tab, shown with it as current


# The editor's tabs, in order. A tab shows once its module has registered the view.
TABS = (
    Tab("Build", "builder.build"),
    Tab("Logic", "builder.logic"),
    Tab("Routing", "builder.routing"),
    Tab("Design", "builder.design"),
    Tab("Share", "builder.share"),
    Tab("Publish", "builder.publish"),
    Tab("Experiments", "builder.experiments", inner=("builder.experiment",)),
)


def editor_view(view: View) -> View:
    """Admins and marketers of the URL's workspace; others get 404 or 403."""
    return workspace_member(*EDITOR_ROLES)(view)


def form_or_404(slug: str, *, for_update: bool = False) -> Form:
    """The current workspace's form; a form of another workspace is a 404 (invariant 8)."""
    session = db.session()
    if for_update:
        form = form_for_edit(session, g.workspace.id, slug)
    else:
        form = session.scalar(select(Form).where(Form.workspace_id == g.workspace.id,
                                                 Form.slug == slug))
    if form is None:
        abort(404)
    return form


def editor_tabs(form: Form) -> list[dict[str, Any]]:
    views = current_app.view_functions
    return [
        {"label": tab.label, "url": url_for(tab.endpoint, workspace=g.workspace.slug,
                                            form=form.slug),
         "current": request.endpoint in (tab.endpoint, *tab.inner)}
        for tab in TABS if tab.endpoint in views
    ]


def render_editor(template: str, form: Form, **context: Any) -> ResponseReturnValue:
    """A page of the editor: the form's header (status, undo, tabs) around `template`."""
    session = db.session()
    return render_template(
        template, form=form, tabs=editor_tabs(form), status=form_status(session, form),
        last_change=last_change(session, form), tab_endpoints=set(current_app.view_functions),
        undo_return=current_address(form),
        **context,
    )


def current_address(form: Form) -> str:
    """Where the browser is: the page's own path, or for a POST the page it came from.

    Undo sends this back so the marketer stays on the tab they were on.
    """
    if request.method == "GET":
        return request.full_path.rstrip("?")
    came_from = request.headers.get("HX-Current-URL") or request.referrer or ""
    path = urlsplit(came_from)
    if path.path:
        return path.path + (f"?{path.query}" if path.query else "")
    return url_for("builder.build", workspace=g.workspace.slug, form=form.slug)


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


@bp.get("/forms/<form>/")
@editor_view
def form_home(workspace: str, form: str) -> ResponseReturnValue:
    from flask import redirect

    form_or_404(form)
    return redirect(url_for("builder.build", workspace=workspace, form=form))


# Each tab's module adds its routes to `bp`; imported last, as they import `bp`.
from app.web.builder import (  # noqa: E402, F401, I001
    design, editor, editor_panels, experiments, exports, forms_list, logic, preview, publish,
    routing, rule_widget, scoring, share,
)
