"""Finding what a visitor is served: the form's published version, their unfinished response.

Reads only, on every hosted-form request; the statements are built once, because
building one (and its cache key) costs more CPU than running it on a warm connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, literal_column, select
from sqlalchemy.orm import Session, aliased, defer

from app.experiments.assignment import RunningExperiment, Variant
from app.forms.definitions import attach_definition
from app.forms.versions import FormClosed, NotFound
from app.models import Experiment, Form, FormVersion, Response, Workspace


@dataclass(frozen=True)
class Published:
    workspace: Workspace
    form: Form
    version: FormVersion  # the newest, or the visitor's variant (app.experiments.serving)
    running: RunningExperiment | None = None  # the form's A/B test, if one runs
    variant: Variant | None = None  # set once a visitor has been assigned


_NEWER = aliased(FormVersion)
_PUBLISHED = (
    select(Workspace, Form, FormVersion, Experiment.id, Experiment.version_a_id,
           Experiment.version_b_id, Experiment.split_b)
    .join(Form, Form.workspace_id == Workspace.id)
    .join(FormVersion, FormVersion.form_id == Form.id)
    # At most one running test per form (a partial unique index, which the literal can use).
    .outerjoin(Experiment, and_(Experiment.form_id == Form.id,
                                Experiment.status == literal_column("'running'")))
    .where(Workspace.slug == bindparam("workspace_slug"), Form.slug == bindparam("form_slug"),
           Form.status == "active",
           ~exists().where(_NEWER.form_id == Form.id, _NEWER.number > FormVersion.number))
    .options(defer(Form.draft), defer(FormVersion.definition))
)
_RESUMABLE = (
    select(Response)
    .where(Response.form_id == bindparam("form_id"),
           Response.visitor_id == bindparam("visitor_id"),
           Response.state.in_(("in_progress", "abandoned")))
    .order_by(Response.started_at.desc(), Response.id.desc())
    .limit(1)
)

def find_published(session: Session, workspace_slug: str, form_slug: str) -> Published:
    """The form's newest published version; unpublished forms are not found, archived ones closed.

    One query for the workspace, the form (without its draft), the newest version
    (without its definition, which comes from the in-memory cache of immutable ones)
    and the A/B test the form runs, if any.
    """
    row = session.execute(_PUBLISHED, {"workspace_slug": workspace_slug,
                                       "form_slug": form_slug}).first()
    if row is None:
        status = session.scalar(
            select(Form.status).join(Workspace, Form.workspace_id == Workspace.id)
            .where(Workspace.slug == workspace_slug, Form.slug == form_slug))
        if status == "archived":
            raise FormClosed("This form is closed.")
        raise NotFound("No such form." if status is None else "This form is not published.")
    workspace, form, version, experiment_id, version_a_id, version_b_id, split_b = row
    running = (RunningExperiment(experiment_id, version_a_id, version_b_id, split_b)
               if experiment_id is not None else None)
    return Published(workspace, form, attach_definition(session, version), running)


def resumable_response(session: Session, form: Form, visitor_id: str | None) -> Response | None:
    """The visitor's unfinished response to this form, if any: reloading resumes it."""
    if not visitor_id:
        return None
    return session.scalar(_RESUMABLE, {"form_id": form.id, "visitor_id": visitor_id})
