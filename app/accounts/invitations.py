"""Invitations to a workspace: invite, revoke, accept. Functions flush; the caller commits.

An invitation is a random token in a link. Only its SHA-256 is stored, so the link
is shown (or emailed) once, when it is made. A link works once, for a week, for the
person whose email it names; inviting the same email again replaces the old link.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.users import (
    AccountError,
    add_membership,
    create_user,
    find_user,
    normalise_login_email,
)
from app.audit import record
from app.models import Invitation, Membership, User, Workspace
from app.models.workspace import ROLES

INVITATION_DAYS = 7
TOKEN_BYTES = 32
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class InvitationError(AccountError):
    """An invitation that cannot be made or used; the message says why, for people."""


class UnknownRole(InvitationError):
    pass


class AlreadyMember(InvitationError):
    pass


class InvitationUnusable(InvitationError):
    """The link does not (or no longer) let anyone in. `reason`: unknown, expired,
    revoked or used."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class WrongAccount(InvitationError):
    """Signed in as someone else than the person invited."""


class SignInToAccept(InvitationError):
    """The invited email already has an account: its owner signs in to accept."""


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    token: str  # the only copy: put it in the link now, it cannot be read back later
    replaced: int  # earlier pending invitations for the same email, now revoked


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def status(invitation: Invitation, now: datetime) -> str:
    """pending, expired, accepted or revoked."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UnknownRole(f"Unknown role '{role}': use one of {', '.join(ROLES)}.")
    return role


def is_member(session: Session, workspace_id: int, email: str) -> bool:
    return session.scalar(
        select(Membership.id).join(Membership.user)
        .where(Membership.workspace_id == workspace_id, func.lower(User.email) == email.lower())
    ) is not None


def invite(session: Session, workspace: Workspace, email: str, role: str, *,
           invited_by: User | None, now: datetime) -> Invited:
    """A new invitation for `email` to join `workspace` as `role`.

    Refuses a malformed email (InvalidEmail), an unknown role and someone who is
    already a member. Earlier pending invitations for the same email stop working.
    """
    address = normalise_login_email(email)
    check_role(role)
    if is_member(session, workspace.id, address):
        raise AlreadyMember(f"{address} is already a member of {workspace.name}.")
    earlier = list(session.scalars(
        select(Invitation).where(Invitation.workspace_id == workspace.id,
                                 Invitation.email == address,
                                 Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None))
    ))
    for old in earlier:
        old.revoked_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        workspace_id=workspace.id, email=address, role=role, token_hash=token_hash(token),
        invited_by_id=invited_by.id if invited_by is not None else None, created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    record(session, workspace.id, "member.invite", target_type="invitation",
           target_id=invitation.id, summary=f"Invited someone as {role}",
           details={"role": role, "replaced": len(earlier)},
           actor_id=invited_by.id if invited_by is not None else None)
    return Invited(invitation, token, replaced=len(earlier))


def pending_invitations(session: Session, workspace_id: int) -> list[Invitation]:
    """Invitations not accepted nor revoked (expired ones too), newest first."""
    return list(session.scalars(
        select(Invitation).options(joinedload(Invitation.invited_by))
        .where(Invitation.workspace_id == workspace_id, Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ))


def revoke(session: Session, workspace_id: int, invitation_id: int, now: datetime
           ) -> Invitation | None:
    """Stop a pending invitation of this workspace; None when there is none to stop."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.id == invitation_id,
                                 Invitation.workspace_id == workspace_id).with_for_update()
    )
    if invitation is None or invitation.accepted_at is not None or (
            invitation.revoked_at is not None):
        return None
    invitation.revoked_at = now
    session.flush()
    return invitation


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def usable_invitation(session: Session, token: str, now: datetime, *,
                      for_update: bool = False) -> Invitation:
    """The pending invitation this token opens; InvitationUnusable says why not."""
    query = (select(Invitation).options(joinedload(Invitation.workspace))
             .where(Invitation.token_hash == token_hash(token)))
    if for_update:
        query = query.with_for_update(of=Invitation)
    invitation = session.scalar(query) if token else None
    if invitation is None:
        raise InvitationUnusable(
            "This invitation link is not valid. Check that you copied all of it, or ask "
            "the person who invited you for a new one.", "unknown")
    name = invitation.workspace.name
    state = status(invitation, now)
    if state == "accepted":
        raise InvitationUnusable(
            f"This invitation has already been used. Sign in to open {name}.", "used")
    if state == "revoked":
        raise InvitationUnusable(
            f"This invitation was withdrawn. Ask an admin of {name} for a new one.", "revoked")
    if state == "expired":
        raise InvitationUnusable(
            f"This invitation expired on {_day(invitation.expires_at)}. Ask an admin of "
            f"{name} for a new one.", "expired")
    return invitation


def accept_as(session: Session, token: str, user: User, now: datetime) -> Membership:
    """`user` (signed in, with the invited email) joins the workspace with the invited role."""
    invitation = usable_invitation(session, token, now, for_update=True)
    if user.email.lower() != invitation.email:
        raise WrongAccount(
            f"This invitation is for {invitation.email}, but you are signed in as "
            f"{user.email}. Sign out, then open the link again.")
    return _join(session, invitation, user, now)


def accept_as_new_user(session: Session, token: str, *, name: str, password: str,
                       now: datetime) -> tuple[User, Membership]:
    """Create the invited person's account (policy-checked password) and join.

    WeakPassword when the password breaks the policy; SignInToAccept when the
    email already has an account.
    """
    invitation = usable_invitation(session, token, now, for_update=True)
    if find_user(session, invitation.email) is not None:
        raise SignInToAccept(
            f"There is already an account for {invitation.email}: sign in to accept.")
    user = create_user(session, invitation.email, password, name)
    return user, _join(session, invitation, user, now)


def _join(session: Session, invitation: Invitation, user: User, now: datetime) -> Membership:
    if is_member(session, invitation.workspace_id, user.email):
        raise AlreadyMember(f"You are already a member of {invitation.workspace.name}.")
    membership, _ = add_membership(session, invitation.workspace, user, invitation.role)
    invitation.accepted_at = now
    session.flush()
    return membership


def _line(text: str, limit: int = 200) -> str:
    return _CONTROL.sub(" ", text).strip()[:limit]


ROLE_WORDS = {
    "admin": "an admin (everything, including members and alerts)",
    "marketer": "a marketer (forms, scoring and routing)",
    "sales": "a sales rep (leads and calendar)",
}


def invitation_email(*, to: str, workspace_name: str, role: str, inviter: str, link: str,
                     expires_at: datetime, sender: str) -> EmailMessage:
    """The plain-text email that carries an invitation link."""
    workspace_name = _line(workspace_name)
    who = _line(inviter) or "An admin"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"Join {workspace_name} on Leadform"
    message.set_content(
        f"{who} invited you to {workspace_name} on Leadform, as "
        f"{ROLE_WORDS.get(role, role)}.\n\n"
        f"Open this link to join:\n{link}\n\n"
        f"It works once, until {_day(expires_at)}. If you did not expect it, ignore this "
        "email: nothing happens unless you open the link.\n"
    )
    return message
