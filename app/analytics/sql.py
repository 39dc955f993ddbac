"""SQL expressions that PostgreSQL and SQLite spell differently, compiled per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class whole_floor(FunctionElement[int]):  # noqa: N801 - reads like the SQL function it is
    """The largest whole number not above the argument (negative scores too)."""

    type = Integer()
    inherit_cache = True


@compiles(whole_floor)
def _floor_default(element: whole_floor, compiler: Any, **kw: Any) -> str:
    (value,) = element.clauses
    return f"CAST(floor({compiler.process(value, **kw)}) AS INTEGER)"


@compiles(whole_floor, "sqlite")
def _floor_sqlite(element: whole_floor, compiler: Any, **kw: Any) -> str:
    # SQLite's CAST truncates towards zero; step down once for negative fractions.
    (value,) = element.clauses
    text = compiler.process(value, **kw)
    return f"(CAST({text} AS INTEGER) - ({text} < CAST({text} AS INTEGER)))"


class seconds_between(FunctionElement[float]):  # noqa: N801
    """seconds_between(later, earlier): the time between two timestamps, in seconds."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = element.clauses
    return (f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
            f"{compiler.process(earlier, **kw)}))")


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    # julianday has ~50 µs of resolution at today's dates: round to whole milliseconds.
    later, earlier = element.clauses
    return (f"round((julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)})) * 86400.0, 3)")


class utc_day(FunctionElement[Any]):  # noqa: N801
    """utc_day(moment): the UTC calendar day of a stored timestamp."""

    type = Date()
    inherit_cache = True


@compiles(utc_day)
def _day_default(element: utc_day, compiler: Any, **kw: Any) -> str:
    (moment,) = element.clauses
    return f"CAST(timezone('UTC', {compiler.process(moment, **kw)}) AS DATE)"


@compiles(utc_day, "sqlite")
def _day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    # SQLite stores naive UTC text ('2026-03-01 12:00:00.000000'): its date part.
    (moment,) = element.clauses
    return f"date({compiler.process(moment, **kw)})"
