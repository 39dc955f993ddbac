"""API tokens: made, listed, revoked and recognised, never stored in the clear.

A token is `lf_` plus 43 random URL-safe characters. Only its sha256 is kept, so
recognising one is a lookup of its hash (the comparison happens inside the unique
index, on a value an attacker cannot steer byte by byte); `prefix` (the first 11
characters) lets people tell their tokens apart in lists. Services flush; the caller
owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import record
from app.models import ApiToken, User, Workspace

TOKEN_PREFIX = "lf_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 11  # "lf_" and 8 characters of the secret
NAME_MAX = 100
MAX_TOKENS = 50
MAX_EXPIRY_DAYS = 3650
# A token's last use is written at most this often (not one write per request).
LAST_USED_PRECISION = timedelta(minutes=1)

SCOPES = {
    "forms:read": "List forms, read drafts and published definitions",
    "forms:write": "Publish a form's draft",
    "responses:read": "Read responses with their answers",
    "contacts:read": "Read contacts and their properties",
    "contacts:write": "Create and update contacts; erase a person",
    "leads:read": "Read leads: score, reasons, stage, owner, milestones",
    "leads:write": "Change a lead's stage, disposition and outcome",
    "webhooks:read": "List webhook endpoints and deliveries",
    "webhooks:write": "Add and remove endpoints; replay dead deliveries",
}


class TokenError(ValueError):
    """A token that cannot be made as asked; the message is for people."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes in a stable order, or TokenError naming the unknown one."""
    chosen = list(dict.fromkeys(scopes))
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown:
        raise TokenError(f"Unknown scope {unknown[0][:40]!r}: use {', '.join(SCOPES)}.")
    if not chosen:
        raise TokenError("Choose at least one scope.")
    return [scope for scope in SCOPES if scope in chosen]


def create_token(session: Session, workspace: Workspace, *, name: str, scopes: Iterable[str],
                 now: datetime, expires_at: datetime | None = None,
                 created_by: User | None = None) -> IssuedToken:
    """A new token for `workspace`; its secret is in the result and nowhere else."""
    name = (name or "").strip()
    if not name:
        raise TokenError('Give the token a name, such as "CRM sync".')
    if len(name) > NAME_MAX:
        raise TokenError(f"Keep the name under {NAME_MAX} characters.")
    chosen = check_scopes(scopes)
    if expires_at is not None:
        if expires_at <= now:
            raise TokenError("The expiry date must be in the future.")
        if expires_at > now + timedelta(days=MAX_EXPIRY_DAYS):
            raise TokenError(f"A token can last at most {MAX_EXPIRY_DAYS} days.")
    active = [token for token in list_tokens(session, workspace.id)
              if status(token, now) == "active"]
    if len(active) >= MAX_TOKENS:
        raise TokenError(f"A workspace can have at most {MAX_TOKENS} active tokens; "
                         "revoke one you no longer use.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(workspace_id=workspace.id, name=name, prefix=secret[:PREFIX_LENGTH],
                     token_hash=hash_secret(secret), scopes=chosen, created_at=now,
                     expires_at=expires_at, created_by_id=created_by.id if created_by else None)
    session.add(token)
    session.flush()
    record(session, workspace.id, "api_token.create", target_type="api_token",
           target_id=token.id, summary=f"Created API token {name!r} ({token.prefix}…)",
           details={"scopes": chosen},
           actor_id=created_by.id if created_by is not None else None)
    return IssuedToken(token, secret)


def list_tokens(session: Session, workspace_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.workspace_id == workspace_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def find_token(session: Session, workspace_id: int, token_id: int) -> ApiToken | None:
    """Scoped to the workspace: another workspace's id is simply not found (invariant 8)."""
    token = session.get(ApiToken, token_id)
    return token if token is not None and token.workspace_id == workspace_id else None


def revoke_token(session: Session, token: ApiToken, now: datetime) -> bool:
    """Stop a token working at once; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    session.flush()
    record(session, token.workspace_id, "api_token.revoke", target_type="api_token",
           target_id=token.id, summary=f"Revoked API token {token.name!r} ({token.prefix}…)")
    return True


def status(token: ApiToken, now: datetime) -> str:
    """`active`, `expired` or `revoked`."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def recognise(session: Session, secret: str, now: datetime) -> ApiToken | None:
    """The active token with this secret, or None (unknown, revoked or expired alike)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token if status(token, now) == "active" else None


def note_use(session: Session, token: ApiToken, now: datetime) -> bool:
    """Record that the token was used, at most once a minute; True when it wrote."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return False
    token.last_used_at = now
    session.flush()
    return True
