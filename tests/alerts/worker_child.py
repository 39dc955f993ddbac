"""The worker as `flask --app wsgi worker` runs it, started in a forked child process.

Imported once by the fork server, so each child starts in milliseconds and a
test can start (and kill -9) a hundred real worker processes.
"""

from __future__ import annotations

from typing import Any

from app import create_app
from app.cli.alerts import serve

# Import every module of the app once, in the fork server, before any child forks
# (the engine is lazy: this never connects).
create_app({"DATABASE_URL": "sqlite:////nonexistent/warm-up.db", "SECRET_KEY": "warm-up",
            "TESTING": True})


def main(config: dict[str, Any]) -> None:
    app = create_app(config)
    with app.app_context():
        serve(say=lambda _message: None)
