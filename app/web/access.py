"""Back office access: who may see which workspace, and what every back office page sends.

Blueprints of the back office (auth, backoffice, and later builder, sales) call
`protect_backoffice(bp)` once, guard their workspace views with
`@workspace_member(...)`, and may add a link to the shared header with
`add_nav_item(...)`:

    bp = Blueprint("builder", __name__, url_prefix="/app/<workspace>/builder")
    protect_backoffice(bp)
    add_nav_item(bp, "Editor", "builder.index", roles=("admin", "marketer"), order=20)

    @bp.get("/")
    @workspace_member("admin", "marketer")
    def index(workspace: str) -> str:
        ...  # g.workspace, g.membership are set
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, g, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app import db
from app.extensions import login_manager
from app.models import Membership, Workspace
from app.models.workspace import ROLES
from app.web.security import backoffice_headers

View = TypeVar("View", bound=Callable[..., Any])

_BLUEPRINTS = "leadform.backoffice_blueprints"
_NAV = "leadform.backoffice_nav"


def workspace_member(*roles: str) -> Callable[[View], View]:
    """Let in signed-in members of the URL's `<workspace>` with one of `roles` (any if none).

    Not signed in: to the sign-in page. Unknown workspace or not a member: 404,
    so nobody learns which workspaces exist. A member with another role: 403.
    Sets `g.workspace` and `g.membership` for the view and its templates.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; roles are {ROLES}")

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            membership = _membership(str(kwargs.get("workspace", "")), int(current_user.id))
            if membership is None:
                abort(404)
            g.workspace = membership.workspace
            g.membership = membership
            if roles and membership.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorator


def _membership(slug: str, user_id: int) -> Membership | None:
    return db.session().scalar(
        select(Membership).join(Membership.workspace)
        .options(contains_eager(Membership.workspace))
        .where(Workspace.slug == slug, Membership.user_id == user_id)
    )


def protect_backoffice(bp: Blueprint) -> None:
    """Every response of `bp`: strict CSP with form-action 'self', never cached."""
    bp.after_request(backoffice_headers)

    def register(state: Any) -> None:
        state.app.extensions.setdefault(_BLUEPRINTS, set()).add(bp.name)
        state.app.add_template_global(nav_links, "backoffice_nav")
        state.app.add_template_global(several_workspaces, "backoffice_several_workspaces")

    bp.record_once(register)


def backoffice_blueprints(app: Flask) -> frozenset[str]:
    """Names of the blueprints that called `protect_backoffice` (for tests and tools)."""
    return frozenset(app.extensions.get(_BLUEPRINTS, set()))


def is_backoffice_request() -> bool:
    return request.blueprint in current_app.extensions.get(_BLUEPRINTS, set())


def several_workspaces() -> bool:
    """Whether the signed-in user belongs to more than one workspace (the header switcher)."""
    if not current_user.is_authenticated:
        return False
    if "several_workspaces" not in g:
        count = db.session().scalar(select(func.count()).select_from(Membership)
                                    .where(Membership.user_id == int(current_user.id)))
        g.several_workspaces = (count or 0) > 1
    return bool(g.several_workspaces)


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str  # a view whose only URL argument is `workspace`
    roles: tuple[str, ...] = ()  # empty: every member sees it
    order: int = 100


def add_nav_item(bp: Blueprint, label: str, endpoint: str, *, roles: tuple[str, ...] = (),
                 order: int = 100) -> None:
    """Show a link in the back office header of every app that registers `bp`."""
    item = NavItem(label, endpoint, roles, order)

    def register(state: Any) -> None:
        items = state.app.extensions.setdefault(_NAV, [])
        items.append(item)
        items.sort(key=lambda each: (each.order, each.label))

    bp.record_once(register)


def nav_links() -> list[dict[str, Any]]:
    """The header links the current member may follow, in order, the current one marked."""
    membership = g.get("membership")
    if membership is None:
        return []
    return [
        {"label": item.label, "current": request.endpoint == item.endpoint,
         "url": url_for(item.endpoint, workspace=membership.workspace.slug)}
        for item in current_app.extensions.get(_NAV, [])
        if not item.roles or membership.role in item.roles
    ]

