"""Helpers for A/B tests: a form with two versions, a running test, visitors of each variant."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.experiments.assignment import assign_variant
from app.responses.tokens import sign_visitor

LABEL_A = "What&#39;s your first name?"  # the demo's first question, as served
LABEL_B = "First name, please?"


@dataclass(frozen=True)
class TwoVersions:
    workspace: str
    form: str
    form_id: int
    version_ids: dict[int, int]  # number -> id

    @property
    def url(self) -> str:
        return f"/f/{self.workspace}/{self.form}"


def variant_b_of(definition: dict[str, Any]) -> dict[str, Any]:
    """The same form with another label on the first question: how a test tells them apart."""
    changed = copy.deepcopy(definition)
    changed["steps"][0]["fields"][0]["label"] = LABEL_B
    return changed


def publish_versions(app: Flask, workspace: str, slug: str,
                     *definitions: dict[str, Any]) -> TwoVersions:
    """Publish each definition in turn as the next version of `workspace/slug`; all of the
    form's versions (those before too) are returned."""
    from app.db import write_session
    from app.forms.versions import ensure_workspace, get_form, publish, save_draft

    with app.app_context(), write_session() as session:
        space = ensure_workspace(session, workspace)
        for definition in definitions:
            form, _ = save_draft(session, space, slug, definition)
            publish(session, form)
        form = get_form(session, space, slug)
        numbers = {version.number: version.id for version in form.versions}
        return TwoVersions(workspace, slug, form.id, numbers)


def start_test(app: Flask, forms: TwoVersions, *, a: int = 1, b: int = 2, split_b: int = 50,
               name: str = "Shorter label") -> int:
    """Start an experiment through the service; returns its id."""
    from app.db import write_session
    from app.experiments.service import start_experiment
    from app.models import Form, utcnow

    with app.app_context(), write_session() as session:
        form = session.get(Form, forms.form_id)
        assert form is not None
        experiment = start_experiment(
            session, form, name=name, version_a_id=forms.version_ids[a],
            version_b_id=forms.version_ids[b], split_b=split_b, user_id=None, now=utcnow())
        session.flush()
        return experiment.id


def visitor_of(experiment_id: int, variant: str, split_b: int = 50, skip: int = 0) -> str:
    """A visitor id that the experiment assigns to `variant` (the `skip`-th such id)."""
    found = (f"visitor-{n}" for n in range(10_000)
             if assign_variant(experiment_id, f"visitor-{n}", split_b) == variant)
    for _ in range(skip):
        next(found)
    return next(found)


def as_visitor(client: FlaskClient, visitor_id: str, secret: str = "test-secret") -> FlaskClient:
    """Make `client` the browser of this visitor (its signed first-party cookie)."""
    client.set_cookie("lf_v", sign_visitor(secret, visitor_id))
    return client
