"""Teams and reps in the database, and assignments applied with fair, durable counters.

The choice itself is pure (`app.qualify.assign`); this module loads the team's
state under a lock, applies the choice and bumps the counters in the same
transaction, so concurrent submits never exceed a rep's capacity.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AccountOwner, Team, TeamMember, User
from app.qualify import Assignment, RepState, TeamState, Territory, assign, starting_calibration


def find_team(session: Session, workspace_id: int, slug: str) -> Team | None:
    return session.scalar(select(Team).where(Team.workspace_id == workspace_id,
                                             Team.slug == slug))


def team_slugs(session: Session, workspace_id: int) -> set[str]:
    return set(session.scalars(select(Team.slug).where(Team.workspace_id == workspace_id)))


def _members(session: Session, team: Team, *, lock: bool) -> list[tuple[TeamMember, User]]:
    """The team's reps with their users, in one query (locking only the reps' rows)."""
    query = (select(TeamMember, User).join(User, User.id == TeamMember.user_id)
             .where(TeamMember.team_id == team.id).order_by(TeamMember.id))
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=TeamMember)
    return [(member, user) for member, user in session.execute(query)]


def team_state(session: Session, team: Team, today: date, *, lock: bool = False) -> TeamState:
    return _team_state(session, team, _members(session, team, lock=lock), today)


def _team_state(session: Session, team: Team, rows: list[tuple[TeamMember, User]], today: date
                ) -> TeamState:
    members = [member for member, _ in rows]
    names = {member.user_id: user.name for member, user in rows}
    owners = dict(session.execute(
        select(AccountOwner.company_domain, AccountOwner.user_id)
        .where(AccountOwner.workspace_id == team.workspace_id)).all())
    reps = tuple(
        RepState(
            rep_id=member.user_id, name=names.get(member.user_id, ""), weight=member.weight,
            priority=member.priority, active=member.active, calibration=member.calibration,
            meetings_assigned=member.meetings_assigned, no_shows=member.no_shows,
            cancellations=member.cancellations,
            assigned_today=member.assigned_on_load_day if member.load_day == today else 0,
            max_per_day=member.max_per_day,
        )
        for member in members
    )
    territories = tuple(
        Territory(if_=rule.get("if"), rep_ids=tuple(rule.get("reps", [])),
                  name=str(rule.get("name", f"territory {index + 1}")))
        for index, rule in enumerate(team.territories or [])
    )
    return TeamState(slug=team.slug, reps=reps, account_owners=owners,
                     territories=territories, fallback_rep=team.fallback_user_id)


def assign_lead(session: Session, team: Team, facts: dict[str, Any], today: date, *,
                only: Collection[int] | None = None) -> tuple[Assignment, User | None]:
    """Choose a rep and count the assignment, under a lock on the team's reps.

    `only` narrows the choice to some reps (those free for a booked slot).
    Returns the choice and, when the rep is a member, their user (already loaded).
    """
    rows = _members(session, team, lock=True)
    state = _team_state(session, team, rows, today)
    if only is not None:
        allowed = set(only)
        state = replace(state, reps=tuple(rep for rep in state.reps if rep.rep_id in allowed),
                        fallback_rep=state.fallback_rep if state.fallback_rep in allowed
                        else None)
    choice = assign(state, facts)
    for member, user in rows:
        if member.user_id == choice.rep_id:
            if member.load_day != today:
                member.load_day, member.assigned_on_load_day = today, 0
            member.meetings_assigned += 1
            member.assigned_on_load_day += 1
            return choice, user
    return choice, None


def add_member(session: Session, team: Team, user: User, *, weight: float = 1.0,
               priority: int = 0, max_per_day: int | None = None, today: date) -> TeamMember:
    """Add a rep at the team's current level, so joining does not bring a burst of leads."""
    calibration = starting_calibration(team_state(session, team, today), weight)
    member = TeamMember(team_id=team.id, user_id=user.id, weight=weight, priority=priority,
                        max_per_day=max_per_day, calibration=calibration, active=True)
    session.add(member)
    session.flush()
    return member


def set_active(session: Session, team: Team, user_id: int, active: bool, today: date) -> None:
    """Pause or return a rep; a returning rep starts at the team's current level."""
    member = session.scalar(select(TeamMember).where(TeamMember.team_id == team.id,
                                                     TeamMember.user_id == user_id))
    if member is None:
        raise LookupError(f"user {user_id} is not in team {team.slug}")
    if active and not member.active:
        level = starting_calibration(team_state(session, team, today), member.weight)
        member.calibration = level - (member.meetings_assigned - member.no_shows
                                      - member.cancellations)
    member.active = active
    session.flush()
