"""Behavioural signals: record page views, and aggregate them as facts for scoring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from app.models import Signal, Visitor

MAX_PATH = 500
MAX_TITLE = 300


def record_page_view(session: Session, workspace_id: int, visitor_token: str, path: str,
                     title: str, now: datetime) -> Signal:
    """One page view for a browser, attributed to its contact when the browser is proven."""
    visitor = session.scalar(select(Visitor).where(Visitor.workspace_id == workspace_id,
                                                   Visitor.token == visitor_token))
    contact_id = visitor.contact_id if visitor is not None and visitor.proof else None
    signal = Signal(workspace_id=workspace_id, visitor_token=visitor_token,
                    contact_id=contact_id, kind="page_view", path=path[:MAX_PATH] or "/",
                    title=title[:MAX_TITLE], occurred_at=now)
    session.add(signal)
    session.flush()
    return signal


def signal_facts(session: Session, workspace_id: int, now: datetime, *,
                 contact_id: int | None = None, visitor_token: str | None = None
                 ) -> dict[str, Any]:
    """`signals.*` for scoring: counts over windows, and when each last happened.

    One aggregate query, whatever the number of page views.
    """
    owners = []
    if contact_id is not None:
        owners.append(Signal.contact_id == contact_id)
    if visitor_token:
        owners.append(Signal.visitor_token == visitor_token)
    if not owners:
        return {"page_views_30d": 0, "pricing_views_7d": 0, "visit_days_30d": 0, "last_at": {}}
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    pricing = and_(Signal.path.like("%pricing%"), Signal.occurred_at >= week)
    recent = Signal.occurred_at >= month
    row = session.execute(
        select(
            func.count().filter(recent),
            func.count().filter(pricing),
            func.count(distinct(func.date(Signal.occurred_at))).filter(recent),
            func.max(Signal.occurred_at).filter(recent),
            func.max(Signal.occurred_at).filter(pricing),
        ).where(Signal.workspace_id == workspace_id, or_(*owners))
    ).one()
    last_at = {}
    if row[3] is not None:
        last_at["page_views_30d"] = last_at["visit_days_30d"] = _iso(row[3])
    if row[4] is not None:
        last_at["pricing_views_7d"] = _iso(row[4])
    return {"page_views_30d": row[0], "pricing_views_7d": row[1], "visit_days_30d": row[2],
            "last_at": last_at}


def _iso(value: Any) -> str:
    """ISO-8601 UTC; SQLite hands back aggregates of datetimes as naive UTC text."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return str(moment.astimezone(UTC).isoformat())
