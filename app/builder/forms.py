"""Creating, copying and archiving a workspace's forms.

A form's slug is its public address (`/f/<workspace>/<slug>`), so it is unique in
the workspace and checked here with a message a marketer can act on; the
database's unique constraint settles a race between two people.

Services take a session and flush; the caller owns the transaction.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import record
from app.builder.catalog import template_definition
from app.forms.review import review
from app.forms.versions import SLUG_PATTERN
from app.models import Form, utcnow

NAME_MAX = 200
SLUG_MAX = 63


class FormInputError(ValueError):
    """A name or slug that cannot be used; `field` says which input to show it at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NewForm:
    name: str
    slug: str = ""  # empty: derived from the name
    template: str = "blank"


def slugify(text: str) -> str:
    """'Démo request: Q3!' → 'demo-request-q3'; '' when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def slug_owner(session: Session, workspace_id: int, slug: str) -> Form | None:
    return session.scalar(select(Form).where(Form.workspace_id == workspace_id,
                                             Form.slug == slug))


def free_slug(session: Session, workspace_id: int, base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever no form of the workspace uses yet."""
    base = base or "form"
    taken = set(session.scalars(select(Form.slug).where(
        Form.workspace_id == workspace_id, Form.slug.startswith(base[:SLUG_MAX - 4]))))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[:SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return candidate


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise FormInputError("name", "Give the form a name.")
    if len(name) > NAME_MAX:
        raise FormInputError("name", f"Keep the name under {NAME_MAX + 1} characters.")
    return name


def choose_slug(session: Session, workspace_id: int, name: str, wanted: str) -> str:
    """The slug someone typed, checked; or one made from the name when they left it empty."""
    wanted = wanted.strip()
    if not wanted:
        return free_slug(session, workspace_id, slugify(name))
    if not SLUG_PATTERN.match(wanted):
        raise FormInputError(
            "slug", "Use lowercase letters, digits and dashes (at most 63), starting with a "
                    f"letter or digit; for example '{slugify(wanted) or 'demo-request'}'.")
    owner = slug_owner(session, workspace_id, wanted)
    if owner is not None:
        raise FormInputError(
            "slug", f"The form ‘{owner.name}’ already uses the address '{wanted}'. "
                    f"Choose another, such as '{free_slug(session, workspace_id, wanted)}'.")
    return wanted


def create_form(session: Session, workspace_id: int, new: NewForm) -> Form:
    """A new form whose draft is the chosen template (never published yet)."""
    name = check_name(new.name)
    try:
        definition = template_definition(new.template, name)
    except KeyError:
        raise FormInputError("template", "Choose one of the templates.") from None
    slug = choose_slug(session, workspace_id, name, new.slug)
    return _add(session, workspace_id, slug, name, definition)


def duplicate_form(session: Session, original: Form) -> Form:
    """A copy of the draft named "Copy of …", with its own slug and no versions."""
    name = f"Copy of {original.name}"[:NAME_MAX]
    definition = copy.deepcopy(original.draft)
    definition["title"] = name
    slug = free_slug(session, original.workspace_id,
                     original.slug[:SLUG_MAX - 5].rstrip("-") + "-copy")
    return _add(session, original.workspace_id, slug, name, definition)


def set_archived(session: Session, form: Form, archived: bool) -> None:
    """Archived forms leave the list and stop answering publicly; restoring brings both back."""
    form.status = "archived" if archived else "active"
    session.flush()
    record(session, form.workspace_id, "form.archive" if archived else "form.restore",
           target_type="form", target_id=form.id,
           summary=f"{'Archived' if archived else 'Restored'} {form.slug}")


def _add(session: Session, workspace_id: int, slug: str, name: str,
         definition: dict[str, Any]) -> Form:
    if not review(definition).schema_valid:  # templates are tested; a copy was saved valid
        raise FormInputError("template", "This form could not be created from that definition.")
    now = utcnow()
    form = Form(workspace_id=workspace_id, slug=slug, name=name, draft=definition,
                status="active", draft_updated_at=now, created_at=now)
    session.add(form)
    session.flush()
    return form
