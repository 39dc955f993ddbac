"""One verdict on a definition: schema and semantic errors first, then lint.

Lint assumes a structurally valid document, so it only runs once `validate`
finds nothing. Publishing needs zero errors; warnings are shown, not blocking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.forms.types import Issue
from app.forms.validation import validate
from app.logic.lint import lint
from app.qualify.routing import lint_route


@dataclass(frozen=True)
class Review:
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    schema_valid: bool = True  # False: the errors are structural and lint did not run

    @property
    def ok(self) -> bool:
        return not self.errors


def review(definition: Any) -> Review:
    schema_issues = validate(definition)
    if schema_issues:
        return Review(errors=[issue.as_dict() for issue in schema_issues], schema_valid=False)
    errors: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []
    for issue in lint(definition):
        (errors if issue.severity == "error" else warnings).append(
            {"path": issue.path, "message": issue.message}
        )
    errors += [issue.as_dict() for issue in route_issues(definition)]
    return Review(errors=errors, warnings=warnings)


def route_issues(definition: Any, known_teams: set[str] | None = None,
                 known_tracks: set[str] | None = None) -> list[Issue]:
    """Routing rules are checked when a form has them or an ending relies on them."""
    endings = definition.get("endings")
    relies = isinstance(endings, list) and any(
        isinstance(e, dict) and e.get("type") == "route" for e in endings)
    if "route" not in definition and not relies:
        return []
    return lint_route(definition.get("route"), known_teams, known_tracks)


def format_issues(issues: list[dict[str, str]]) -> str:
    """Readable lines for a terminal: `/steps/0/fields/1/type: Unknown field type ...`."""
    return "\n".join(f"  {issue['path'] or '(document)'}: {issue['message']}" for issue in issues)
