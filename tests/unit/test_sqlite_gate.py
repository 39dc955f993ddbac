"""The SQLite writer gate: one writer at a time across threads and processes, handed on
at once, freed when its holder dies, and never a wait past the busy timeout."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import threading
import time

import pytest

from app.sqlite_gate import WriterGate, gate_for


def _is_locked(path: str) -> bool:
    """Whether some process holds the lock file (tried from a fresh descriptor)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _hold(lock_path: str, ready: multiprocessing.synchronize.Event, seconds: float) -> None:
    gate = WriterGate(lock_path, timeout_seconds=5)
    with gate.held():
        ready.set()
        time.sleep(seconds)


@pytest.fixture
def lock_path(tmp_path) -> str:
    return str(tmp_path / "db-writer.lock")


@pytest.fixture
def start_holder(lock_path):
    """Another process holding the gate for `seconds`, once it holds it; killed if left running."""
    context = multiprocessing.get_context("fork")
    holders: list[multiprocessing.process.BaseProcess] = []

    def start(seconds: float) -> multiprocessing.process.BaseProcess:
        ready = context.Event()
        holder = context.Process(target=_hold, args=(lock_path, ready, seconds))
        holder.start()
        holders.append(holder)
        assert ready.wait(10)
        return holder

    yield start
    for holder in holders:
        if holder.is_alive():
            holder.kill()
        holder.join(10)


def test_threads_take_turns_and_nesting_keeps_the_lock(lock_path):
    gate = WriterGate(lock_path, timeout_seconds=5)
    inside, overlaps = [], []

    def write() -> None:
        for _ in range(50):
            with gate.held():
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(len(inside))
                with gate.held():  # a write session opened inside another one
                    time.sleep(0.0001)
                assert _is_locked(gate.lock_path)  # the inner one did not let go
                inside.pop()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert not _is_locked(gate.lock_path)


def test_another_process_waits_and_gets_the_lock_when_it_is_released(lock_path, start_holder):
    holder = start_holder(0.4)
    began = time.monotonic()
    with WriterGate(lock_path, timeout_seconds=10).held():
        waited = time.monotonic() - began
        assert _is_locked(lock_path)
    holder.join(10)
    assert 0.2 < waited < 5  # it waited for the holder, and not for the whole timeout


def test_a_killed_holder_frees_the_lock(lock_path, start_holder):
    holder = start_holder(60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    began = time.monotonic()
    with WriterGate(lock_path, timeout_seconds=30).held():
        assert time.monotonic() - began < 5


def test_a_stuck_holder_delays_a_writer_no_longer_than_the_timeout(tmp_path):
    lock_path = str(tmp_path / "db-writer.lock")
    stuck = os.open(lock_path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(stuck, fcntl.LOCK_EX)  # another open file: as another process would
    try:
        began = time.monotonic()
        with WriterGate(lock_path, timeout_seconds=0.3).held():
            waited = time.monotonic() - began
        assert 0.3 <= waited < 3
    finally:
        os.close(stuck)


def test_one_gate_per_database_file(tmp_path):
    path = tmp_path / "a.db"
    assert gate_for(str(path), 1) is gate_for(str(tmp_path / "." / "a.db"), 1)
    assert gate_for(str(path), 1) is not gate_for(str(tmp_path / "b.db"), 1)
    assert gate_for(str(path), 1).lock_path == str(path.resolve()) + "-writer.lock"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_databases_without_a_file_have_no_gate(url):
    from sqlalchemy import create_engine

    from app.db import sqlite_writer

    engine = create_engine(url)
    with sqlite_writer(engine):  # a no-op: nothing else can write to it
        pass
    engine.dispose()


def test_write_sessions_on_a_file_database_hold_its_gate(tmp_path):
    from sqlalchemy import text

    from app.db import make_engine, write_session

    engine = make_engine(f"sqlite:///{tmp_path}/app.db")
    lock_path = f"{tmp_path.resolve()}/app.db-writer.lock"
    with write_session(engine) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        assert _is_locked(lock_path)
    assert not _is_locked(lock_path)
    engine.dispose()


def test_each_outermost_hold_reports_its_wait_and_hold(lock_path, start_holder):
    gate = WriterGate(lock_path, timeout_seconds=10)
    reports: list[tuple[float, float]] = []
    gate.observe = lambda wait, hold: reports.append((wait, hold))
    holder = start_holder(0.3)
    with gate.held():
        with gate.held():  # nested: part of the same hold, not a second one
            time.sleep(0.1)
    holder.join(10)
    [(wait, hold)] = reports
    assert 0.15 < wait < 5  # the other process's turn
    assert 0.1 <= hold < 5

    with gate.held():
        pass
    assert len(reports) == 2 and reports[1][0] < 0.1  # nobody else wanted it


def test_the_app_engine_counts_sqlite_write_holds_for_prometheus(tmp_path):
    from sqlalchemy import text

    from app.db import make_engine, write_session
    from app.metrics import SQLITE_WRITE_HOLD, SQLITE_WRITE_WAIT

    def count(histogram) -> float:
        return next(sample.value for metric in histogram.collect() for sample in metric.samples
                    if sample.name.endswith("_count"))

    holds, waits = count(SQLITE_WRITE_HOLD), count(SQLITE_WRITE_WAIT)
    engine = make_engine(f"sqlite:///{tmp_path}/app.db")
    with write_session(engine) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    with write_session(engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
    assert count(SQLITE_WRITE_HOLD) == holds + 2
    assert count(SQLITE_WRITE_WAIT) == waits + 2
    engine.dispose()
