"""Which version a visitor is served while a form runs an A/B test, and what the response
records about it.

The running experiment comes with the form's own lookup (one query, see
`app.responses.published.find_published`), so a start or a stop is seen by every
process at once and nothing needs invalidating; versions are immutable and their
definitions come from the in-memory cache.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, defer

from app.experiments.assignment import (
    MAX_SPLIT,
    MIN_SPLIT,
    VARIANTS,
    RunningExperiment,
    Variant,
    assign_variant,
)
from app.forms.definitions import attach_definition
from app.models import FormVersion

if TYPE_CHECKING:
    from app.responses.published import Published

# Keys of the signed start token (app.responses.tokens) that carry the assignment.
EXPERIMENT_KEY, VARIANT_KEY = "x", "xv"


def variant_for(running: RunningExperiment, visitor_id: str) -> Variant:
    """The visitor's variant; a split stored outside 1–99 (never by the builder) sends all
    visitors to one side instead of failing the public form."""
    if running.split_b < MIN_SPLIT:
        return "a"
    if running.split_b > MAX_SPLIT:
        return "b"
    return assign_variant(running.id, visitor_id, running.split_b)


def serve(session: Session, published: Published, visitor_id: str | None) -> Published:
    """`published` with the version this visitor gets: its variant's while a test runs."""
    running = published.running
    if running is None or not visitor_id:
        return published
    variant = variant_for(running, visitor_id)
    version_id = running.version_for(variant)
    version = published.version
    if version.id != version_id:
        loaded = session.get(FormVersion, version_id, options=[defer(FormVersion.definition)])
        if loaded is None or loaded.form_id != published.form.id:
            return published  # cannot happen with the foreign keys; never break the form
        version = attach_definition(session, loaded)
    return replace(published, version=version, variant=variant)


def start_marker(published: Published) -> dict[str, Any]:
    """What the start token carries so the response records its experiment and variant."""
    if published.running is None or published.variant is None:
        return {}
    return {EXPERIMENT_KEY: published.running.id, VARIANT_KEY: published.variant}


def assignment_of(start: dict[str, Any] | None) -> tuple[int | None, Variant | None]:
    """The (experiment id, variant) a start token carries; (None, None) outside a test."""
    start = start or {}
    experiment_id, variant = start.get(EXPERIMENT_KEY), start.get(VARIANT_KEY)
    if isinstance(experiment_id, int) and not isinstance(experiment_id, bool) \
            and variant in VARIANTS:
        return experiment_id, variant
    return None, None


