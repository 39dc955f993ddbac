"""/api/v1/forms: list, read definitions, publish the draft."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from app import db
from app.api import forms as service
from app.api.auth import workspace
from app.api.blueprint import ApiBlueprint
from app.api.errors import api_abort
from app.api.pagination import envelope
from app.api.schemas.forms import (
    DefinitionArgs,
    DefinitionSchema,
    FormListArgs,
    FormPageSchema,
    FormSchema,
    PublishArgs,
    PublishedSchema,
)
from app.forms.versions import (
    SLUG_PATTERN,
    DefinitionRejected,
    NotFound,
    content_hash,
    get_version,
    publish,
    publish_review,
)
from app.models import Form

blp = ApiBlueprint("forms", __name__, description="Forms, their drafts and published versions.")

# URL rules of this blueprint, in one place:
#   GET  /api/v1/forms                       forms with their versions      forms:read
#   GET  /api/v1/forms/<slug>                one form                        forms:read
#   GET  /api/v1/forms/<slug>/definition     the draft's or a version's JSON forms:read
#   POST /api/v1/forms/<slug>/publish        publish the draft (422: errors) forms:write


def _form(slug: str) -> Form:
    form = service.find_form(db.session(), workspace(), slug) if SLUG_PATTERN.match(slug) else None
    if form is None:
        api_abort(404, f"No form {slug[:63]!r} in this workspace.")
    return form


@blp.get("/forms")
@blp.scoped("forms:read")
@blp.query(FormListArgs)
@blp.response(200, FormPageSchema)
def list_forms(args: dict[str, Any]) -> ResponseReturnValue:
    """List forms, newest first, with their published versions."""
    data, page = service.form_page(db.session(), workspace(), args)
    return envelope(data, page)


@blp.get("/forms/<slug>")
@blp.scoped("forms:read")
@blp.response(200, FormSchema)
def get_form(slug: str) -> dict[str, Any]:
    """One form with its status and versions."""
    form = _form(slug)
    versions = service.versions_of(db.session(), [form.id])[form.id]
    return service.describe(workspace(), form, versions)


@blp.get("/forms/<slug>/definition")
@blp.scoped("forms:read")
@blp.query(DefinitionArgs)
@blp.response(200, DefinitionSchema)
def get_definition(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """The definition of the draft, or of a published version with `?version=N`."""
    form = _form(slug)
    number = args.get("version")
    if number is None:
        return {"form": form.slug, "version": None, "content_hash": content_hash(form.draft),
                "definition": form.draft}
    try:
        version = get_version(db.session(), form, number)
    except NotFound:
        api_abort(404, f"Form {form.slug!r} has no version {number}.")
    return {"form": form.slug, "version": version.number,
            "content_hash": version.content_hash, "definition": version.definition}


@blp.post("/forms/<slug>/publish")
@blp.scoped("forms:write")
@blp.body(PublishArgs, required=False)
@blp.response(201, PublishedSchema, description="A new version was published")
@blp.alt_response(200, schema=PublishedSchema,
                  description="The draft equals the live version: nothing new")
def publish_form(args: dict[str, Any], slug: str) -> ResponseReturnValue:
    """Publish the draft as the next version; 422 with the review's errors if it has any."""
    form = _form(slug)
    session = db.session()
    verdict = publish_review(session, form)
    try:
        outcome = publish(session, form, note=str(args.get("note") or ""))
    except DefinitionRejected as rejected:
        session.rollback()
        api_abort(422, "The draft has errors and cannot be published.", code="draft_invalid",
                  details={"errors": rejected.review.errors,
                           "warnings": rejected.review.warnings})
    session.commit()
    body = {"created": outcome.created, "version": service.version_summary(outcome.version),
            "warnings": verdict.warnings}
    return body, 201 if outcome.created else 200
