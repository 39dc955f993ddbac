"""Database models, one module per aggregate; import them all from here."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models.api_token import ApiToken
from app.models.audit import AuditEntry
from app.models.base import Base, utcnow
from app.models.booking import Booking, BookingClaim, BusyTime, MeetingType, RepCalendar
from app.models.contact import Contact, ContactProperty
from app.models.experiment import Experiment
from app.models.form import DraftRevision, Form, FormVersion
from app.models.lead import Lead, LeadEvent, ScoringModel
from app.models.outbox import AlertEndpoint, Delivery, OutboxEvent
from app.models.response import FormView, Response, ResponseStep
from app.models.rollup import LeadDay, LeadScoreDay, ResponseDay, StepDay
from app.models.signal import Signal
from app.models.team import AccountOwner, Team, TeamMember
from app.models.visitor import Visitor
from app.models.workspace import Invitation, Membership, User, Workspace

__all__ = [
    "AccountOwner",
    "AlertEndpoint",
    "ApiToken",
    "AuditEntry",
    "Booking",
    "BookingClaim",
    "BusyTime",
    "MeetingType",
    "RepCalendar",
    "Delivery",
    "DraftRevision",
    "Experiment",
    "Base",
    "Lead",
    "LeadDay",
    "LeadScoreDay",
    "LeadEvent",
    "OutboxEvent",
    "ScoringModel",
    "Signal",
    "Team",
    "TeamMember",
    "Contact",
    "ContactProperty",
    "Form",
    "FormVersion",
    "FormView",
    "ImmutableVersionError",
    "Invitation",
    "Membership",
    "Response",
    "ResponseStep",
    "ResponseDay",
    "StepDay",
    "User",
    "Visitor",
    "Workspace",
    "utcnow",
]


class ImmutableVersionError(RuntimeError):
    """Raised when code tries to change a published version (invariant 1)."""


@event.listens_for(Session, "before_flush")
def _refuse_version_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in session.dirty:
        if isinstance(obj, FormVersion) and session.is_modified(obj, include_collections=False):
            raise ImmutableVersionError(
                f"form version {obj.number} of form {obj.form_id} is published and immutable"
            )


# The analytics rollups follow every flush of a response or a lead (an after_flush hook).
import app.analytics.rollups  # noqa: E402, F401
