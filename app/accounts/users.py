"""Users, sign-in and memberships. Functions flush; the caller commits."""

from __future__ import annotations

import hashlib
import hmac

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.passwords import WeakPassword, check_password, hash_password
from app.models import Membership, User, Workspace
from app.models.workspace import ROLES


class AccountError(ValueError):
    """A request about an account that cannot be met; the message is for people."""


class InvalidEmail(AccountError):
    pass


class UserExists(AccountError):
    pass


class WrongPassword(AccountError):
    pass


def normalise_login_email(raw: str) -> str:
    """One spelling per login: syntax checked, whole address lower-cased.

    Unlike contact keys, logins ignore case in the local part too: nobody
    expects `Ada@x.com` and `ada@x.com` to be two accounts.
    """
    if not raw or not raw.strip():
        raise InvalidEmail("Enter an email address.")
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    return result.normalized.lower()


def find_user(session: Session, email: str) -> User | None:
    """The user with this login email (any case), or None."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    return session.scalar(select(User).where(func.lower(User.email) == wanted))


def create_user(session: Session, email: str, password: str, name: str = "") -> User:
    """A new user with a password that meets the policy (WeakPassword otherwise)."""
    address = normalise_login_email(email)
    if find_user(session, address) is not None:
        raise UserExists(f"A user with the email {address} already exists.")
    user = User(email=address, name=name.strip(), password_hash=hash_password(password, address))
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Replace the password (policy enforced). Signs the user out everywhere else."""
    user.password_hash = hash_password(password, user.email)


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password, proving the current one first."""
    if not check_password(user.password_hash, current):
        raise WrongPassword("Your current password is not right.")
    if new == current:
        raise WeakPassword("Choose a password that differs from the current one.")
    set_password(user, new)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user these credentials prove, or None; one hash check whatever happens."""
    user = find_user(session, email)
    if user is None:
        check_password(None, password)
        return None
    return user if check_password(user.password_hash, password) else None


def add_membership(session: Session, workspace: Workspace, user: User, role: str
                   ) -> tuple[Membership, str | None]:
    """Give `user` `role` in `workspace`; returns the membership and the role it had before."""
    if role not in ROLES:
        raise AccountError(f"Unknown role '{role}': use one of {', '.join(ROLES)}.")
    membership = session.scalar(
        select(Membership).where(Membership.workspace_id == workspace.id,
                                 Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role)
        session.add(membership)
        session.flush()
        return membership, None
    before = membership.role
    membership.role = role
    session.flush()
    return membership, before


def memberships_of(session: Session, user_id: int) -> list[Membership]:
    """The user's memberships with their workspaces, by workspace name."""
    return list(session.scalars(
        select(Membership).join(Membership.workspace)
        .options(joinedload(Membership.workspace))
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name, Workspace.slug)
    ))


def _fingerprint(secret: str, user: User) -> str:
    message = f"{user.id}:{user.password_hash}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def sign_in_token(secret: str, user: User) -> str:
    """What a session or remember cookie stores: the user id bound to the password.

    A new password gives a new token, so every other signed-in browser is signed out.
    """
    return f"{user.id}.{_fingerprint(secret, user)}"


def user_for_token(session: Session, secret: str, token: str) -> User | None:
    """The user a sign-in token still proves, or None."""
    user_id, _, fingerprint = token.partition(".")
    if not user_id.isdigit() or not fingerprint:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.password_hash:
        return None
    return user if hmac.compare_digest(_fingerprint(secret, user), fingerprint) else None
