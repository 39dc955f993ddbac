"""New workspaces made by signed-in people: a name in, a unique slug out, its maker its admin."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.users import AccountError, add_membership
from app.models import User, Workspace

NAME_MAX = 200
SLUG_BASE_MAX = 50  # room for "-<n>" within the 63 characters a slug may have
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class InvalidWorkspaceName(AccountError):
    pass


def clean_name(raw: str) -> str:
    """The name as shown: one line, spaces collapsed; InvalidWorkspaceName if unusable."""
    name = " ".join(_CONTROL.sub(" ", raw or "").split())
    if not name:
        raise InvalidWorkspaceName("Give the workspace a name.")
    if len(name) > NAME_MAX:
        raise InvalidWorkspaceName(f"Use at most {NAME_MAX} characters.")
    return name


def slug_base(name: str) -> str:
    """Lowercase ASCII letters, digits and dashes from the name ("workspace" if none)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = slug[:SLUG_BASE_MAX].rstrip("-")
    return slug or "workspace"


def _free_slug(session: Session, base: str) -> str:
    taken = set(session.scalars(
        select(Workspace.slug).where(Workspace.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def create_workspace(session: Session, name: str, owner: User) -> Workspace:
    """A workspace named `name` with a slug derived from it, `owner` its admin."""
    name = clean_name(name)
    base = slug_base(name)
    for _attempt in range(5):
        slug = _free_slug(session, base)
        try:
            with session.begin_nested():
                workspace = Workspace(slug=slug, name=name, settings={})
                session.add(workspace)
        except IntegrityError:
            continue  # someone took the slug between the look and the insert
        add_membership(session, workspace, owner, "admin")
        return workspace
    raise AccountError("Could not find a free address for the workspace; try again.")
