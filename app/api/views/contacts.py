"""/api/v1/contacts: read by id or email, upsert by email with properties, erase."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from app import db
from app.api import contacts as service
from app.api.auth import workspace
from app.api.blueprint import ID, ApiBlueprint
from app.api.errors import api_abort
from app.api.pagination import envelope
from app.api.schemas.contacts import (
    ContactListArgs,
    ContactPageSchema,
    ContactSchema,
    EraseArgs,
    ErasureSchema,
    UpsertArgs,
    UpsertedSchema,
)
from app.models import utcnow

blp = ApiBlueprint("contacts", __name__,
                   description="Contacts and their properties; erasure (GDPR Art. 17).")

# URL rules of this blueprint, in one place:
#   GET    /api/v1/contacts               list, or find one with ?email=      contacts:read
#   GET    /api/v1/contacts/<id>          one contact with its properties      contacts:read
#   PUT    /api/v1/contacts               upsert by email (201 when created)   contacts:write
#   DELETE /api/v1/contacts/<id>          erase the person                     contacts:write
#   POST   /api/v1/contacts/erase         erase by email, contact or not       contacts:write


def _refused(error: service.ContactInputError, status: int = 422) -> None:
    location = "query" if status == 400 else "json"
    api_abort(status, str(error), details={location: error.errors})


@blp.get("/contacts")
@blp.scoped("contacts:read")
@blp.query(ContactListArgs)
@blp.response(200, ContactPageSchema)
def list_contacts(args: dict[str, Any]) -> ResponseReturnValue:
    """List contacts, newest first; `?email=` finds one by address."""
    try:
        data, page = service.contact_page(db.session(), workspace(), args, utcnow())
    except service.ContactInputError as error:
        _refused(error, 400)
    return envelope(data, page)


@blp.get(f"/contacts/<{ID}:contact_id>")
@blp.scoped("contacts:read")
@blp.response(200, ContactSchema)
def get_contact(contact_id: int) -> dict[str, Any]:
    """One contact with every current property and where it came from."""
    contact = service.find(db.session(), workspace(), contact_id)
    if contact is None:
        api_abort(404, f"No contact {contact_id} in this workspace.")
    return service.describe_many(db.session(), workspace(), [contact], utcnow())[0]


@blp.put("/contacts")
@blp.scoped("contacts:write")
@blp.body(UpsertArgs)
@blp.response(200, UpsertedSchema, description="The contact existed; changed values recorded")
@blp.alt_response(201, schema=UpsertedSchema, description="A new contact")
def upsert_contact(args: dict[str, Any]) -> ResponseReturnValue:
    """Create or update a contact by email. Earlier values stay as history (source `api`);
    a contact with a lead is rescored."""
    session = db.session()
    now = utcnow()
    try:
        contact, created, changed = service.upsert(session, workspace(), args["email"],
                                                   args.get("properties") or {}, now)
    except service.ContactInputError as error:
        session.rollback()
        _refused(error)
    session.commit()
    body = {**service.describe_many(session, workspace(), [contact], now)[0],
            "created": created, "changed": changed}
    return body, 201 if created else 200


@blp.delete(f"/contacts/<{ID}:contact_id>")
@blp.scoped("contacts:write")
@blp.response(200, ErasureSchema)
def erase_contact(contact_id: int) -> dict[str, Any]:
    """Erase the person: the contact, its properties, and the personal data of responses
    and queued alerts. Anonymous counts stay."""
    session = db.session()
    contact = service.find(session, workspace(), contact_id)
    if contact is None:
        api_abort(404, f"No contact {contact_id} in this workspace.")
    report = service.erase(session, workspace(), contact.email)
    session.commit()
    return vars(report)


@blp.post("/contacts/erase")
@blp.scoped("contacts:write")
@blp.body(EraseArgs)
@blp.response(200, ErasureSchema)
def erase_by_email(args: dict[str, Any]) -> dict[str, Any]:
    """Erase everything about an address, including responses that mention it without a
    contact (a half-finished form, say)."""
    session = db.session()
    try:
        report = service.erase(session, workspace(), args["email"])
    except service.ContactInputError as error:
        _refused(error)
    session.commit()
    return vars(report)
