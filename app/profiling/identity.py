"""Who a visitor is, and how we know: the privacy model behind progressive profiling.

Stored contact data may hide or prefill fields only for a *proven* identity
(invariant 5):
- `link`: the visitor opened a signed, expiring personal link (`?lf=<token>`),
  e.g. from a nurture email. The whole fresh profile may be used.
- `self`: this browser completed a form and thereby created the contact. Only
  the properties this browser supplied itself may be used.
A typed email alone proves nothing: answers still merge into that contact, but
the visitor learns nothing stored about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.models import Signal, Visitor

LINK_SALT = "leadform.personal-link"
DEFAULT_LINK_DAYS = 30


class LinkRefused(ValueError):
    """A personal link that is tampered with, malformed or expired."""


@dataclass(frozen=True)
class Identity:
    contact_id: int | None = None
    proof: str | None = None  # "self" | "link"
    visitor_token: str | None = None

    @property
    def proven(self) -> bool:
        return self.contact_id is not None and self.proof in ("self", "link")


def make_link_token(secret: str, workspace_id: int, contact_id: int) -> str:
    return URLSafeTimedSerializer(secret, salt=LINK_SALT).dumps([workspace_id, contact_id])


def read_link_token(secret: str, token: str, max_age_days: float = DEFAULT_LINK_DAYS
                    ) -> tuple[int, int]:
    """(workspace id, contact id) from a personal link; signatures compare in constant time."""
    serializer = URLSafeTimedSerializer(secret, salt=LINK_SALT)
    try:
        payload = serializer.loads(token, max_age=max_age_days * 86400)
    except SignatureExpired:
        raise LinkRefused("This personal link has expired.") from None
    except BadSignature:
        raise LinkRefused("This personal link is not valid.") from None
    if (not isinstance(payload, list) or len(payload) != 2
            or not all(isinstance(part, int) for part in payload)):
        raise LinkRefused("This personal link is not valid.")
    return payload[0], payload[1]


def identify(session: Session, workspace_id: int, visitor_token: str | None) -> Identity:
    if not visitor_token:
        return Identity()
    visitor = _visitor(session, workspace_id, visitor_token)
    if visitor is None:
        return Identity(visitor_token=visitor_token)
    return Identity(contact_id=visitor.contact_id, proof=visitor.proof,
                    visitor_token=visitor_token)


def link_visitor(session: Session, workspace_id: int, visitor_token: str, contact_id: int,
                 proof: str, now: datetime) -> None:
    """Record that this browser is this contact; a `link` proof is never downgraded."""
    visitor = _visitor(session, workspace_id, visitor_token)
    if visitor is None:
        visitor = Visitor(workspace_id=workspace_id, token=visitor_token, first_seen_at=now)
        session.add(visitor)
    if visitor.contact_id == contact_id and visitor.proof == "link" and proof == "self":
        proof = "link"
    visitor.contact_id, visitor.proof, visitor.last_seen_at = contact_id, proof, now
    # The browser's earlier page views now belong to the contact too.
    session.execute(update(Signal).where(Signal.workspace_id == workspace_id,
                                         Signal.visitor_token == visitor_token,
                                         Signal.contact_id.is_(None))
                    .values(contact_id=contact_id).execution_options(synchronize_session=False))
    session.flush()


def forget_visitor(session: Session, workspace_id: int, visitor_token: str) -> None:
    """'Not you?': this browser is nobody in particular any more."""
    visitor = _visitor(session, workspace_id, visitor_token)
    if visitor is not None:
        visitor.contact_id, visitor.proof = None, None
        session.flush()


_VISITOR = select(Visitor).where(Visitor.workspace_id == bindparam("workspace_id"),
                                 Visitor.token == bindparam("token"))  # built once


def _visitor(session: Session, workspace_id: int, token: str) -> Visitor | None:
    return session.scalar(_VISITOR, {"workspace_id": workspace_id, "token": token})
