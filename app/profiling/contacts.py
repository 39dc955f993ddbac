"""Contacts and their properties: find or create by email, record with history, read fresh.

Services take a session and flush; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.models import Contact, ContactProperty, Response, Workspace
from app.profiling.emails import normalise_email
from app.profiling.identity import Identity

SOURCES = ("form", "import", "api", "enrichment")


@dataclass(frozen=True)
class Provenance:
    """Where recorded values came from."""

    source: str
    form_id: int | None = None
    version_id: int | None = None
    response_id: int | None = None


def find_contact(session: Session, workspace_id: int, email: str) -> Contact | None:
    return session.scalar(
        select(Contact).where(Contact.workspace_id == workspace_id,
                              Contact.email == normalise_email(email))
    )


def find_or_create_contact(session: Session, workspace_id: int, email: str, now: datetime
                           ) -> tuple[Contact, bool]:
    """The contact for this address, and whether it was created now."""
    key = normalise_email(email)
    contact = session.scalar(
        select(Contact).where(Contact.workspace_id == workspace_id, Contact.email == key)
    )
    if contact is not None:
        return contact, False
    contact = Contact(workspace_id=workspace_id, email=key, created_at=now, updated_at=now)
    session.add(contact)
    session.flush()
    return contact, True


def record_properties(session: Session, contact: Contact, values: Mapping[str, Any],
                      provenance: Provenance, now: datetime, *, new_contact: bool = False
                      ) -> None:
    """Record new values: each becomes current, the previous one stays as history."""
    record_property_sets(session, contact, [(values, provenance)], now, new_contact=new_contact)


def record_property_sets(session: Session, contact: Contact,
                         sets: Sequence[tuple[Mapping[str, Any], Provenance]], now: datetime,
                         *, new_contact: bool = False) -> None:
    """Record several sets of values at once, as if recorded one set after the other.

    One UPDATE retires the current values (none for a contact created in this
    transaction: `new_contact`) and one INSERT writes every row; a name given by a
    later set is current, the earlier set's value for it is history.
    """
    names = {name for values, _ in sets for name in values}
    if not names:
        return
    if not new_contact:
        session.execute(
            update(ContactProperty)
            .where(ContactProperty.contact_id == contact.id, ContactProperty.is_current,
                   ContactProperty.name.in_(sorted(names)))
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
    last = {name: index for index, (values, _) in enumerate(sets) for name in values}
    rows = [
        {"workspace_id": contact.workspace_id, "contact_id": contact.id, "name": name,
         "value": value, "source": provenance.source, "form_id": provenance.form_id,
         "version_id": provenance.version_id, "response_id": provenance.response_id,
         "is_current": last[name] == index, "recorded_at": now}
        for index, (values, provenance) in enumerate(sets)
        for name, value in values.items()
    ]
    # The table's insert (not the ORM's bulk insert, which splits rows by their None keys).
    session.execute(insert(ContactProperty.__table__), rows)
    contact.updated_at = now


def property_ttls(workspace: Workspace) -> dict[str, int]:
    """Days after which each property goes stale (workspace setting `property_ttl_days`)."""
    raw = (workspace.settings or {}).get("property_ttl_days") or {}
    return {str(name): int(days) for name, days in raw.items()
            if isinstance(days, int) and not isinstance(days, bool) and days > 0}


def fresh_properties(session: Session, workspace: Workspace, contact_id: int, now: datetime,
                     only_from_visitor: str | None = None) -> dict[str, Any]:
    """Current, not-stale properties; optionally only those a given browser supplied."""
    query = select(ContactProperty).where(
        ContactProperty.contact_id == contact_id, ContactProperty.is_current
    )
    if only_from_visitor is not None:
        query = query.join(Response, Response.id == ContactProperty.response_id).where(
            Response.visitor_id == only_from_visitor
        )
    ttls = property_ttls(workspace)
    known: dict[str, Any] = {}
    for prop in session.scalars(query):
        ttl = ttls.get(prop.name)
        if ttl is not None and prop.recorded_at < now - timedelta(days=ttl):
            continue  # stale counts as unknown
        known[prop.name] = prop.value
    return known


def revealable_properties(session: Session, workspace: Workspace, identity: Identity,
                          now: datetime) -> dict[str, Any]:
    """What may be used to hide or prefill fields for this visitor (invariant 5)."""
    if not identity.proven or identity.contact_id is None:
        return {}
    if identity.proof == "link":
        return fresh_properties(session, workspace, identity.contact_id, now)
    return fresh_properties(session, workspace, identity.contact_id, now,
                            only_from_visitor=identity.visitor_token)
