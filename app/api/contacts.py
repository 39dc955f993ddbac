"""Contacts through the API: read, upsert by email with properties, erase.

Writes go through `app.profiling` (history kept, source `api`) and erasure through
`app.profiling.erasure`; a contact that has a lead is rescored when its properties
change, as a form answer would. Services flush; the view commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.pagination import Page, fetch_page
from app.leads.rescoring import rescore_lead
from app.models import Contact, ContactProperty, Lead, Workspace
from app.profiling.contacts import (
    Provenance,
    find_contact,
    find_or_create_contact,
    property_ttls,
    record_properties,
)
from app.profiling.csv_io import MAX_CELL, PROPERTY_NAME
from app.profiling.emails import InvalidEmail, normalise_email
from app.profiling.enrichment import enrich

MAX_PROPERTIES = 100
MAX_LIST_ITEMS = 100


class ContactInputError(ValueError):
    """Refused input; `errors` are by field, for the API's details."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def contact_page(session: Session, workspace: Workspace, args: dict[str, Any], now: datetime
                 ) -> tuple[list[dict[str, Any]], Page]:
    query = select(Contact).where(Contact.workspace_id == workspace.id)
    if args.get("email"):
        try:
            query = query.where(Contact.email == normalise_email(args["email"]))
        except InvalidEmail as error:
            raise ContactInputError({"email": str(error)}) from None
    page = fetch_page(session, query, Contact.id, args, lambda row: row[0].id)
    contacts = [row[0] for row in page.rows]
    return describe_many(session, workspace, contacts, now), page


def find(session: Session, workspace: Workspace, contact_id: int) -> Contact | None:
    contact = session.get(Contact, contact_id)
    return contact if contact is not None and contact.workspace_id == workspace.id else None


def describe_many(session: Session, workspace: Workspace, contacts: list[Contact],
                  now: datetime) -> list[dict[str, Any]]:
    """The contacts with their current properties and leads, in two queries."""
    ids = [contact.id for contact in contacts]
    props: dict[int, list[ContactProperty]] = {contact_id: [] for contact_id in ids}
    leads: dict[int, Lead] = {}
    if ids:
        for prop in session.scalars(select(ContactProperty)
                                    .where(ContactProperty.contact_id.in_(ids),
                                           ContactProperty.is_current)
                                    .order_by(ContactProperty.name)):
            props[prop.contact_id].append(prop)
        leads = {lead.contact_id: lead
                 for lead in session.scalars(select(Lead).where(Lead.contact_id.in_(ids)))}
    ttls = property_ttls(workspace)
    return [_describe(contact, props[contact.id], leads.get(contact.id), ttls, now)
            for contact in contacts]


def _describe(contact: Contact, props: list[ContactProperty], lead: Lead | None,
              ttls: Mapping[str, int], now: datetime) -> dict[str, Any]:
    def stale(prop: ContactProperty) -> bool:
        ttl = ttls.get(prop.name)
        return ttl is not None and prop.recorded_at < now - timedelta(days=ttl)

    return {
        "id": contact.id, "email": contact.email,
        "properties": {prop.name: prop.value for prop in props},
        "property_details": [{"name": prop.name, "value": prop.value, "source": prop.source,
                              "recorded_at": prop.recorded_at, "stale": stale(prop)}
                             for prop in props],
        "lead": {"id": lead.id, "stage": lead.stage, "total": lead.total} if lead else None,
        "created_at": contact.created_at, "updated_at": contact.updated_at,
    }


def check_properties(values: Mapping[str, Any]) -> dict[str, Any]:
    """Property values as stored: names checked, texts trimmed; ContactInputError if not."""
    errors: dict[str, str] = {}
    if len(values) > MAX_PROPERTIES:
        raise ContactInputError({"properties": f"At most {MAX_PROPERTIES} per request."})
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if not PROPERTY_NAME.match(name):
            errors[name[:63]] = "Use lowercase letters, digits and _ (starting with a letter)."
        elif name == "email":
            errors[name] = "The address is the contact's key: send it as `email`, not here."
        elif (problem := _value_problem(value)) is not None:
            errors[name] = problem
        else:
            clean[name] = value.strip() if isinstance(value, str) else value
    if errors:
        raise ContactInputError({"properties": errors})
    return clean


def _value_problem(value: Any) -> str | None:
    if isinstance(value, bool) or isinstance(value, int | float):
        if isinstance(value, float) and value != value:  # NaN
            return "Not a number."
        return None
    if isinstance(value, str):
        return f"At most {MAX_CELL} characters." if len(value) > MAX_CELL else None
    if isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS or not all(isinstance(item, str) and
                                                   len(item) <= MAX_CELL for item in value):
            return f"A list holds at most {MAX_LIST_ITEMS} texts."
        return None
    return "Use text, a number, true/false or a list of texts."


def upsert(session: Session, workspace: Workspace, email: str, values: Mapping[str, Any],
           now: datetime) -> tuple[Contact, bool, list[str]]:
    """Find or create the contact and record the values that differ from the current ones."""
    try:
        key = normalise_email(email)
    except InvalidEmail as error:
        raise ContactInputError({"email": str(error)}) from None
    clean = check_properties(values)
    contact, created = find_or_create_contact(session, workspace.id, key, now)
    current = {} if created else {
        prop.name: prop.value for prop in session.scalars(
            select(ContactProperty).where(ContactProperty.contact_id == contact.id,
                                          ContactProperty.is_current))}
    changed = {name: value for name, value in clean.items()
               if name not in current or _json(current[name]) != _json(value)}
    if created:  # derived facts first, so that what the caller sent wins over them
        record_properties(session, contact, enrich(contact.email), Provenance("enrichment"),
                          now, new_contact=True)
        record_properties(session, contact, {"email": key, **changed}, Provenance("api"), now)
    elif changed:
        record_properties(session, contact, changed, Provenance("api"), now)
    lead = session.scalar(select(Lead).where(Lead.contact_id == contact.id))
    if lead is not None and changed:
        session.flush()
        rescore_lead(session, workspace, lead, now, cause="api")
    session.flush()
    return contact, created, sorted(changed)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def erase(session: Session, workspace: Workspace, email: str) -> Any:
    from app.profiling.erasure import erase_person

    try:
        normalise_email(email)
    except InvalidEmail as error:
        raise ContactInputError({"email": str(error)}) from None
    return erase_person(session, workspace.id, email)


__all__ = ["ContactInputError", "check_properties", "contact_page", "describe_many", "erase",
           "find", "find_contact", "upsert"]
