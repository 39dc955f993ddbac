"""A workspace's members: who they are, changing a role, removing someone.

A workspace always keeps at least one admin: the last one can be neither demoted
nor removed. Changes lock the workspace row first, so that two admins demoting
each other at the same moment cannot both succeed. Functions flush; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from app.accounts.invitations import check_role
from app.accounts.users import AccountError
from app.audit import record
from app.models import Membership, Team, TeamMember, User, Workspace


class LastAdmin(AccountError):
    pass


class NotAMember(AccountError):
    pass


def list_members(session: Session, workspace_id: int) -> list[Membership]:
    """The workspace's memberships with their users, by name then email."""
    return list(session.scalars(
        select(Membership).join(Membership.user).options(joinedload(Membership.user))
        .where(Membership.workspace_id == workspace_id)
        .order_by(func.lower(User.name), User.email)
    ))


def _locked_membership(session: Session, workspace_id: int, user_id: int) -> Membership:
    # Every membership change of a workspace queues behind this lock (PostgreSQL);
    # SQLite writers are already one at a time (write_session).
    session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())
    membership = session.scalar(
        select(Membership).options(joinedload(Membership.user), joinedload(Membership.workspace))
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotAMember("That person is not a member of this workspace.")
    return membership


def _refuse_last_admin(session: Session, membership: Membership, doing: str) -> None:
    if membership.role != "admin":
        return
    admins = session.scalar(
        select(func.count()).select_from(Membership)
        .where(Membership.workspace_id == membership.workspace_id, Membership.role == "admin")
    )
    if admins <= 1:
        who = membership.user.name or membership.user.email
        raise LastAdmin(f"{who} is the only admin of {membership.workspace.name}, so you "
                        f"cannot {doing}. Make someone else an admin first.")


def change_role(session: Session, workspace_id: int, user_id: int, role: str
                ) -> tuple[Membership, str]:
    """Give a member another role; returns the membership and the role it had."""
    check_role(role)
    membership = _locked_membership(session, workspace_id, user_id)
    before = membership.role
    if role != before:
        if role != "admin":
            _refuse_last_admin(session, membership, f"make them {role}")
        membership.role = role
        session.flush()
        record(session, workspace_id, "member.role_change", target_type="user",
               target_id=user_id, summary=f"Role changed from {before} to {role}",
               details={"from": before, "to": role})
    return membership, before


def remove_member(session: Session, workspace_id: int, user_id: int) -> Membership:
    """Take someone out of the workspace (their account stays, for other workspaces).

    They also stop receiving this workspace's leads: their places in its sales teams
    are set away, keeping the counters that keep round robin fair if they come back.
    """
    membership = _locked_membership(session, workspace_id, user_id)
    _refuse_last_admin(session, membership, "remove them")
    session.execute(
        update(TeamMember)
        .where(TeamMember.user_id == user_id,
               TeamMember.team_id.in_(select(Team.id).where(Team.workspace_id == workspace_id)))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    session.delete(membership)
    session.flush()
    record(session, workspace_id, "member.remove", target_type="user", target_id=user_id,
           summary=f"Removed a member ({membership.role})", details={"role": membership.role})
    return membership
