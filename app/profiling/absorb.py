"""A completed response's answers become its contact's properties."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models import Contact, Response
from app.profiling.contacts import Provenance, find_or_create_contact, record_property_sets
from app.profiling.emails import InvalidEmail
from app.profiling.enrichment import enrich
from app.profiling.identity import Identity, link_visitor
from app.profiling.mapping import mapped_answers


def absorb_response(session: Session, response: Response, definition: dict[str, Any],
                    identity: Identity, from_profile: set[str], now: datetime) -> Contact | None:
    """Merge the answers into the contact they belong to; link the browser when safe.

    The caller records the contact on the response (`response.contact_id`), with
    whatever else the submit changes, in one write.

    The contact is the typed email's; without one, the proven identity's. The
    browser becomes that contact (proof `self`) only if it created the contact
    now or was already proven to be it: typing someone's email never grants a
    look at their data (invariant 5).
    """
    if response.meta.get("bot"):
        return None
    values = mapped_answers(definition, response.answers, from_profile)
    contact, created = None, False
    typed = values.get("email")
    if isinstance(typed, str):
        try:
            contact, created = find_or_create_contact(session, response.workspace_id, typed, now)
        except InvalidEmail:
            contact = None
    if contact is None and identity.proven and identity.contact_id is not None:
        contact = session.get(Contact, identity.contact_id)
    if contact is None:
        return None
    if isinstance(typed, str):
        values["email"] = contact.email
    sets = [(values, Provenance("form", response.form_id, response.version_id, response.id))]
    if isinstance(typed, str):
        sets.append((enrich(contact.email), Provenance("enrichment", response_id=response.id)))
    record_property_sets(session, contact, sets, now, new_contact=created)
    if response.visitor_id and (created or identity.contact_id == contact.id):
        proof = identity.proof if identity.contact_id == contact.id and identity.proof else "self"
        link_visitor(session, response.workspace_id, response.visitor_id, contact.id, proof, now)
    return contact
