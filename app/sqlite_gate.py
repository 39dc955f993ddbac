"""One SQLite writer at a time, queued so that the next one starts the moment the last ends.

SQLite lets one transaction write at a time. Writers that find the lock taken wait in
SQLite's busy handler, which sleeps 1, 2, 5 ... up to 100 ms between tries: under load
the database then sits idle while every writer sleeps, throughput falls and the slowest
requests wait seconds. The gate queues writers before they begin: threads of a process
on a lock, processes (gunicorn workers, the alert worker) on an exclusive `flock` of a
file beside the database, which the kernel hands to the next process at once and frees
by itself when its holder dies (even by SIGKILL). Waiting is bounded by the busy timeout;
past it the writer goes on to `BEGIN IMMEDIATE` and SQLite's own timeout decides.

Each outermost hold reports how long its writer waited and then held the gate
(`WriterGate.observe`, the Prometheus histograms of app.metrics): the held seconds per
second are the share of time the database is writing, the ceiling of a SQLite install.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# How often a process waiting for another's lock looks again: at most 1 ms of idle
# database per hand-over, for a system call every millisecond while waiting.
_POLL_SECONDS = (0.0002, 0.0005, 0.001)


class WriterGate:
    """The queue for one SQLite database file, shared by the threads of this process."""

    def __init__(self, lock_path: str, timeout_seconds: float) -> None:
        self.lock_path = lock_path
        self.timeout_seconds = timeout_seconds
        self._threads = threading.RLock()
        self._depth = 0  # nested write sessions of the thread holding the lock
        self._fd: int | None = None
        self._pid = 0
        # Told (seconds waited, seconds held) after each outermost hold, outside the gate.
        self.observe: Callable[[float, float], None] | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        asked = time.perf_counter()
        with self._threads:
            self._depth += 1
            outermost = self._depth == 1
            locked = not outermost or self._lock_file()
            taken = time.perf_counter()
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and locked:
                    fcntl.flock(self._fd_here(), fcntl.LOCK_UN)
                released = time.perf_counter()
        if outermost and self.observe is not None:
            self.observe(taken - asked, released - taken)

    def _lock_file(self) -> bool:
        """Take the file lock; False (go on without it) after the timeout or on no file."""
        try:
            fd = self._fd_here()
        except OSError:
            return False  # e.g. a read-only folder: SQLite's busy timeout still applies
        deadline = time.monotonic() + self.timeout_seconds
        tries = 0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(_POLL_SECONDS[min(tries, len(_POLL_SECONDS) - 1)])
                tries += 1

    def _fd_here(self) -> int:
        """This process's descriptor: a forked child must not share its parent's lock."""
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd


_GATES: dict[str, WriterGate] = {}
_GATES_GUARD = threading.Lock()


def gate_for(database_path: str, timeout_seconds: float) -> WriterGate:
    """The process's gate for a database file (one per file, whatever the engine)."""
    key = os.path.realpath(database_path)
    gate = _GATES.get(key)
    if gate is None:
        with _GATES_GUARD:
            gate = _GATES.setdefault(key, WriterGate(key + "-writer.lock", timeout_seconds))
    return gate
