"""Sign-ins, sign-outs and failed sign-ins: one entry in each workspace of the person.

A person belongs to several workspaces; each workspace's admins see their own
members' sign-ins and nobody else's. A failed attempt for an email that has no
account goes to no workspace and keeps no email (it might be anyone's).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.users import find_user
from app.audit.log import record
from app.models import Membership

SUMMARIES = {"auth.sign_in": "Signed in", "auth.sign_out": "Signed out",
             "auth.sign_in_failed": "A sign-in failed (wrong password)"}


def record_account_event(session: Session, user_id: int | None, action: str) -> int:
    """Record `action` for `user_id` in each of their workspaces; returns how many entries."""
    workspace_ids = list(session.scalars(
        select(Membership.workspace_id).where(Membership.user_id == user_id)
        .order_by(Membership.workspace_id))) if user_id is not None else []
    actor = None if action == "auth.sign_in_failed" else user_id
    for workspace_id in workspace_ids or [None]:
        record(session, workspace_id, action, target_type="user" if user_id else None,
               target_id=user_id, summary=SUMMARIES[action] if user_id else
               "A sign-in failed (no account has that email)", actor_id=actor)
    return len(workspace_ids) or 1


def record_failed_sign_in(session: Session, email: str) -> None:
    """A wrong password for an account is its members' business; an unknown email is not."""
    user = find_user(session, email)
    record_account_event(session, user.id if user is not None else None, "auth.sign_in_failed")
