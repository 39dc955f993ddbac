"""The sales inbox's queries: leads filtered, sorted and paged, and the same rows for export.

One filtered SELECT serves the page, its total and the CSV, so "export what I see"
holds by construction. Every query is scoped to the workspace (invariant 8); ids in
the filters that are not the workspace's are refused like any other bad filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Contact, ContactProperty, Form, Lead, Membership, User
from app.sales.countdown import SlaTimer, sla_timer
from app.sales.inbox_filters import PAGE_SIZE, InboxQuery, InboxQueryError, created_bounds

NAME_PROPERTIES = ("full_name", "name", "first_name", "last_name")
SHOWN_PROPERTIES = (*NAME_PROPERTIES, "company")
EXPORT_BATCH = 500


@dataclass(frozen=True)
class InboxRow:
    id: int
    email: str
    name: str
    company: str
    stage: str
    fit: float
    intent: float
    total: float
    owner: str | None
    form: str | None
    source: str | None
    campaign: str | None
    created_at: datetime
    archived: bool
    disposition: str | None
    sla: SlaTimer | None


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.rows)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class InboxChoices:
    """What the filter selects offer: the workspace's members, forms and lead sources."""

    members: list[Choice]
    forms: list[Choice]
    sources: list[str]


def check_references(session: Session, workspace_id: int, query: InboxQuery) -> None:
    """Refuse a form or owner id that is not this workspace's (a 400, as bad filters are)."""
    problems = []
    if query.form_id is not None and session.scalar(
            select(Form.id).where(Form.id == query.form_id,
                                  Form.workspace_id == workspace_id)) is None:
        problems.append(f"Unknown form {query.form_id}: choose one of the workspace's forms.")
    if query.owner_id is not None and session.scalar(
            select(Membership.id).where(Membership.user_id == query.owner_id,
                                        Membership.workspace_id == workspace_id)) is None:
        problems.append(f"Unknown owner {query.owner_id}: choose a member of this workspace, "
                        "'me' or 'unassigned'.")
    if problems:
        raise InboxQueryError(problems)


def search_leads(session: Session, workspace_id: int, query: InboxQuery, *, viewer_id: int,
                 zone: ZoneInfo, now: datetime) -> InboxPage:
    """One page of the leads the query asks for, with the total for "1–50 of 312"."""
    check_references(session, workspace_id, query)
    filtered = _filtered(workspace_id, query, viewer_id, zone)
    total = session.scalar(select(func.count()).select_from(filtered.subquery())) or 0
    ordered = _ordered(filtered, query.sort, now).limit(PAGE_SIZE).offset(
        (query.page - 1) * PAGE_SIZE)
    rows = session.execute(ordered).all()
    shown = _shown_properties(session, workspace_id, [row.contact_id for row in rows])
    return InboxPage([_row(row, shown.get(row.contact_id, {}), now) for row in rows],
                     total, query.page, max(1, -(-total // PAGE_SIZE)))


EXPORT_COLUMNS = ("id", "email", "name", "company", "stage", "fit", "intent", "total",
                  "owner", "form", "source", "campaign", "created", "mql_at", "sql_at",
                  "booked_at", "accepted_at", "outcome", "disposition", "nurture_track")


def export_records(session: Session, workspace_id: int, query: InboxQuery, *, viewer_id: int,
                   zone: ZoneInfo, now: datetime) -> Iterator[dict[str, Any]]:
    """Every lead the query matches (all pages, its order) as EXPORT_COLUMNS, read in
    batches and never all at once. Times are ISO 8601 in UTC."""
    check_references(session, workspace_id, query)
    ordered = _ordered(_filtered(workspace_id, query, viewer_id, zone), query.sort, now)
    result = session.execute(ordered.execution_options(yield_per=EXPORT_BATCH))
    for batch in result.partitions():
        shown = _shown_properties(session, workspace_id, [row.contact_id for row in batch])
        for row in batch:
            properties = shown.get(row.contact_id, {})
            company = properties.get("company")
            yield {
                "id": row.id, "email": row.email, "name": display_name(properties),
                "company": company if isinstance(company, str) else "", "stage": row.stage,
                "fit": row.fit, "intent": row.intent, "total": row.total,
                "owner": row.owner_name or row.owner_email or "", "form": row.form_name or "",
                "source": row.source or "", "campaign": row.campaign or "",
                "created": _iso(row.created_at), "mql_at": _iso(row.mql_at),
                "sql_at": _iso(row.sql_at), "booked_at": _iso(row.booked_at),
                "accepted_at": _iso(row.accepted_at), "outcome": row.outcome or "",
                "disposition": row.disposition or "", "nurture_track": row.nurture_track or "",
            }


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def inbox_choices(session: Session, workspace_id: int) -> InboxChoices:
    members = session.execute(
        select(User.id, User.name, User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id).order_by(User.name, User.email))
    forms = session.execute(select(Form.id, Form.name).where(Form.workspace_id == workspace_id)
                            .order_by(Form.name, Form.id))
    sources = session.scalars(
        select(Lead.source).where(Lead.workspace_id == workspace_id, Lead.source.is_not(None))
        .group_by(Lead.source).order_by(Lead.source).limit(200))
    return InboxChoices([Choice(str(uid), name or email) for uid, name, email in members],
                        [Choice(str(fid), name) for fid, name in forms],
                        [source for source in sources if source])


def _filtered(workspace_id: int, query: InboxQuery, viewer_id: int, zone: ZoneInfo
              ) -> Select[Any]:
    owner = aliased(User)
    statement = (
        select(Lead.id, Lead.contact_id, Contact.email, Lead.stage, Lead.fit, Lead.intent,
               Lead.total, owner.name.label("owner_name"), owner.email.label("owner_email"),
               Form.name.label("form_name"), Lead.source, Lead.campaign, Lead.created_at,
               Lead.archived_at, Lead.disposition, Lead.nurture_track, Lead.outcome,
               Lead.mql_at, Lead.sql_at, Lead.booked_at, Lead.accepted_at, Lead.sla_due_at,
               Lead.first_touch_at)
        .join(Contact, Contact.id == Lead.contact_id)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .outerjoin(Form, Form.id == Lead.origin_form_id)
        .where(Lead.workspace_id == workspace_id)
    )
    if query.stages:
        statement = statement.where(Lead.stage.in_(query.stages))
    if query.owner == "me":
        statement = statement.where(Lead.owner_id == viewer_id)
    elif query.owner == "unassigned":
        statement = statement.where(Lead.owner_id.is_(None))
    elif query.owner_id is not None:
        statement = statement.where(Lead.owner_id == query.owner_id)
    if query.form_id is not None:
        statement = statement.where(Lead.origin_form_id == query.form_id)
    if query.source:
        statement = statement.where(Lead.source == query.source)
    start, end = created_bounds(query, zone)
    if start is not None:
        statement = statement.where(Lead.created_at >= start)
    if end is not None:
        statement = statement.where(Lead.created_at < end)
    if query.archived == "no":
        statement = statement.where(Lead.archived_at.is_(None))
    elif query.archived == "yes":
        statement = statement.where(Lead.archived_at.is_not(None))
    if query.text:
        statement = statement.where(_text_matches(workspace_id, query.text))
    return statement


def _text_matches(workspace_id: int, text: str) -> Any:
    """The email, or a name property, contains the text (any case, wildcards taken literally)."""
    needle = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    named = exists().where(
        ContactProperty.workspace_id == workspace_id,
        ContactProperty.contact_id == Lead.contact_id, ContactProperty.is_current,
        ContactProperty.name.in_(NAME_PROPERTIES),
        func.lower(cast(ContactProperty.value, String)).like(needle, escape="\\"))
    return or_(Contact.email.like(needle, escape="\\"), named)


def _ordered(statement: Select[Any], sort: str, now: datetime) -> Select[Any]:
    if sort == "oldest":
        return statement.order_by(Lead.created_at.asc(), Lead.id.asc())
    if sort == "score_desc":
        return statement.order_by(Lead.total.desc(), Lead.id.desc())
    if sort == "score_asc":
        return statement.order_by(Lead.total.asc(), Lead.id.asc())
    if sort == "sla_due":
        running = and_(Lead.sla_due_at.is_not(None), Lead.first_touch_at.is_(None))
        return statement.order_by(case((running, 0), else_=1), Lead.sla_due_at.asc(),
                                  Lead.created_at.desc(), Lead.id.desc())
    return statement.order_by(Lead.created_at.desc(), Lead.id.desc())


def _shown_properties(session: Session, workspace_id: int, contact_ids: list[int]
                      ) -> dict[int, dict[str, Any]]:
    """Name and company of the listed contacts, in one query."""
    if not contact_ids:
        return {}
    rows = session.execute(
        select(ContactProperty.contact_id, ContactProperty.name, ContactProperty.value)
        .where(ContactProperty.workspace_id == workspace_id,
               ContactProperty.contact_id.in_(contact_ids), ContactProperty.is_current,
               ContactProperty.name.in_(SHOWN_PROPERTIES)))
    shown: dict[int, dict[str, Any]] = {}
    for contact_id, name, value in rows:
        shown.setdefault(contact_id, {})[name] = value
    return shown


def display_name(properties: dict[str, Any]) -> str:
    for name in ("full_name", "name"):
        if isinstance(properties.get(name), str) and properties[name].strip():
            return str(properties[name]).strip()
    parts = [properties.get(name) for name in ("first_name", "last_name")]
    return " ".join(str(part).strip() for part in parts if isinstance(part, str) and part.strip())


def _row(row: Any, properties: dict[str, Any], now: datetime) -> InboxRow:
    company = properties.get("company")
    return InboxRow(
        id=row.id, email=row.email, name=display_name(properties),
        company=company if isinstance(company, str) else "", stage=row.stage, fit=row.fit,
        intent=row.intent, total=row.total, owner=row.owner_name or row.owner_email,
        form=row.form_name, source=row.source, campaign=row.campaign,
        created_at=row.created_at, archived=row.archived_at is not None,
        disposition=row.disposition, sla=sla_timer(row.sla_due_at, row.first_touch_at, now),
    )
