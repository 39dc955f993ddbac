"""`flask demo load`: the demo workspace and its talk-to-sales form."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.db import write_session
from app.forms.versions import DefinitionRejected, ensure_workspace, publish, save_draft

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "demo"
DEMO_WORKSPACE = "demo"
DEMO_FORMS = {"talk-to-sales": "talk-to-sales.json"}
# Answers that go stale and are asked again after this many days.
DEMO_PROPERTY_TTL_DAYS = {"timeline": 90, "budget": 180, "authority": 180, "company_size": 365}

demo_group = AppGroup("demo", help="The demo workspace.")


@demo_group.command("load")
def load_command() -> None:
    """Create workspace `demo` and publish its forms (safe to run again)."""
    with write_session() as session:
        workspace = ensure_workspace(session, DEMO_WORKSPACE, "Demo Inc.")
        workspace.settings = {**(workspace.settings or {}),
                              "property_ttl_days": DEMO_PROPERTY_TTL_DAYS}
        for slug, file_name in DEMO_FORMS.items():
            definition = json.loads((DEMO_DIR / file_name).read_text(encoding="utf-8"))
            try:
                form, _ = save_draft(session, workspace, slug, definition)
                outcome = publish(session, form, note="demo")
            except DefinitionRejected as rejected:
                raise click.ClickException(f"demo form {slug}: {rejected.review.errors}") from None
            state = "published" if outcome.created else "unchanged"
            click.echo(f"{DEMO_WORKSPACE}/{slug}: version {outcome.version.number} ({state})")
