"""Published definitions kept in memory: a version never changes, so its JSON is read once.

The cache is keyed by the version's id and content hash; the hash guards against a
database emptied and refilled under a running process, where an id can return
with other content. Nothing that can change is kept: which version is the newest,
the form's status and the workspace are read from the database on every request.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.models import FormVersion


class DefinitionCache:
    """A bounded, thread-safe map of (version id, content hash) to the version's definition.

    Callers must treat the definitions as read-only: they are shared across requests.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.loads = 0  # how often the database was asked (for tests and curiosity)
        self._items: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()
        self._lock = Lock()

    def get(self, session: Session, version_id: int, content_hash: str) -> dict[str, Any]:
        key = (version_id, content_hash)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        definition = session.scalar(select(FormVersion.definition)
                                    .where(FormVersion.id == version_id))
        if definition is None:
            raise LookupError(f"no form version {version_id}")
        with self._lock:
            self.loads += 1
            self._items[key] = definition
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return definition

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


definitions = DefinitionCache()


def attach_definition(session: Session, version: FormVersion) -> FormVersion:
    """Give a version loaded without its definition the cached one, as if it had been loaded."""
    definition = definitions.get(session, version.id, version.content_hash)
    set_committed_value(version, "definition", definition)
    return version
