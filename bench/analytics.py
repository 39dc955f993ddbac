"""Analytics at scale: 1,000,000 responses in PostgreSQL, the funnel and lead queries and the
analytics pages timed against a 500 ms target.

It creates its own PostgreSQL database (dropped at the end, also on errors and Ctrl-C),
migrates it, and bulk-loads one workspace with INSERT … SELECT generate_series (no
Python loop over rows): four forms of different popularity, each with two or three
versions published one after the other over the year; responses spread over 365 days
(busier lately), sources and campaigns with a long tail, a geometric drop-off per step
(about 35% complete), abandoned and in-progress ones; a contact and a lead for each
completion with a score, milestones consistent with it (MQL ≥ 40, SQL ≥ 70, booked,
accepted and won likelier for higher scores) and first touches with a long-tailed
delay; form views per version and day (about 45% of views start). Then the daily
rollups are recounted from those rows (`flask analytics rebuild`) and VACUUM ANALYZE.

Each query runs --runs times (median printed) for the 30-day, 90-day and 365-day
ranges, and each page is fetched through the Flask test client by a signed-in admin.
Output: one line per measurement, "ms" and "OK"/"SLOW" against the target. --explain
prints PostgreSQL's plan of each query once.

Run: .venv/bin/python bench/analytics.py [--responses 1000000] [--runs 5] [--explain]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import machine_note, postgres_database  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

TARGET_MS = 500.0
STEP_IDS = ["you", "company", "needs", "budget", "details"]
# (slug, name, share of responses, steps per version oldest first, chance to go on per step)
FORMS = [
    ("demo-request", "Demo request", 0.50, [4, 5, 5], 0.81),
    ("pricing", "Pricing questions", 0.25, [3, 4], 0.76),
    ("webinar", "Webinar sign-up", 0.15, [2, 3], 0.66),
    ("ebook", "E-book download", 0.10, [2, 2, 3], 0.70),
]
SOURCES = [("google", 0.33), ("direct", 0.20), ("linkedin", 0.14), ("newsletter", 0.09),
           ("facebook", 0.07), ("bing", 0.05), ("g2.com", 0.03), ("capterra.com", 0.02)]
LONG_TAIL_SOURCES = 60  # the rest: blog-1.example … blog-60.example
CAMPAIGNS = ["spring-launch", "q2-webinars", "brand", "retargeting", "partner-week",
             "summer-sale", "q3-abm", "black-friday", "q4-push", "newsletter-weekly",
             "competitor-switch", "field-event"]


def definition(title: str, steps: int) -> dict[str, Any]:
    return {"schema": 1, "title": title, "steps": [
        {"id": step_id, "title": step_id.title(), "fields": []} for step_id in STEP_IDS[:steps]]}


def create_workspace(session: Session) -> tuple[int, list[tuple[int, int, int, int, int]]]:
    """The workspace, its admin, forms and versions; returns the versions' plan rows:
    (form index, form id, version id, steps, version number)."""
    from app.accounts import add_membership, create_user
    from app.forms.versions import ensure_workspace
    from app.models import Form, FormVersion

    workspace = ensure_workspace(session, "bench", "Bench Inc.")
    user = create_user(session, "admin@bench.example", "bench password 123", "Admin")
    add_membership(session, workspace, user, "admin")
    plan = []
    for index, (slug, name, _, versions, _) in enumerate(FORMS):
        form = Form(workspace_id=workspace.id, slug=slug, name=name,
                    draft=definition(name, versions[-1]))
        session.add(form)
        session.flush()
        for number, steps in enumerate(versions, start=1):
            version = FormVersion(workspace_id=workspace.id, form_id=form.id, number=number,
                                  definition=definition(name, steps),
                                  content_hash=f"{slug}-{number}")
            session.add(version)
            session.flush()
            plan.append((index, form.id, version.id, steps, number))
    session.commit()
    return workspace.id, plan


def _cumulative_case(column: str, choices: list[tuple[str, float]], default: str) -> str:
    """A CASE picking a choice by a uniform random column, with the choices' weights."""
    parts, running = [], 0.0
    for value, weight in choices:
        running += weight
        parts.append(f"WHEN {column} < {running:.6f} THEN {value}")
    return f"CASE {' '.join(parts)} ELSE {default} END"


def load(session: Session, workspace_id: int, plan: list[tuple[int, int, int, int, int]],
         responses: int) -> dict[str, float]:
    """Bulk-load everything with set-based SQL; returns seconds per part."""
    timings: dict[str, float] = {}

    def timed(name: str, sql: str, **params: Any) -> None:
        started = time.perf_counter()
        session.execute(text(sql), params)
        session.commit()
        timings[name] = time.perf_counter() - started

    session.execute(text("SELECT setseed(0.42)"))
    session.execute(text(
        "CREATE TEMP TABLE bench_version (form_index int, form_id int, version_id int, "
        "steps int, number int, versions int, go_on float8, "
        "age_from float8, age_to float8, step_ids text[])"))
    for form_index, form_id, version_id, steps, number in plan:
        count = len(FORMS[form_index][3])
        # Version k of n serves the k-th slice of the year, the newest the most recent one.
        age_to = 365.0 * (count - number + 1) / count
        age_from = 365.0 * (count - number) / count
        session.execute(text(
            "INSERT INTO bench_version VALUES (:fi, :f, :v, :s, :n, :c, :p, :a0, :a1, :ids)"),
            {"fi": form_index, "f": form_id, "v": version_id, "s": steps, "n": number,
             "c": count, "p": FORMS[form_index][4], "a0": age_from, "a1": age_to,
             "ids": STEP_IDS[:steps]})
    form_pick = _cumulative_case("u_form", [(str(index), form[2])
                                            for index, form in enumerate(FORMS)], "0")
    source_pick = _cumulative_case(
        "u_source", [(f"'{name}'", share) for name, share in SOURCES],
        f"'blog-' || (1 + floor(u_tail * {LONG_TAIL_SOURCES})::int) || '.example'")
    campaign_pick = ("CASE WHEN u_campaign < 0.45 THEN NULL ELSE (ARRAY["
                     + ", ".join(f"'{name}'" for name in CAMPAIGNS)
                     + "])[1 + floor(power(u_tail, 2) * " + str(len(CAMPAIGNS)) + ")::int] END")
    # Ages in days skewed towards now (the business grows); a geometric number of steps.
    timed("plan", f"""
        CREATE TEMP TABLE bench_plan AS
        SELECT i AS id, {form_pick} AS form_index, 365 * power(u_age, 1.3) AS age,
               {source_pick} AS source, {campaign_pick} AS campaign, u_steps, u_state
        FROM (SELECT i, random() AS u_form, random() AS u_age, random() AS u_source,
                     random() AS u_tail, random() AS u_campaign, random() AS u_steps,
                     random() AS u_state
              FROM generate_series(1, :n) AS i) AS draws""", n=responses)
    timed("responses", """
        INSERT INTO response (id, workspace_id, form_id, version_id, state, current_step,
                              answers, hidden, meta, source, campaign, started_at, updated_at,
                              completed_at)
        SELECT p.id, :ws, v.form_id, v.version_id,
               CASE WHEN k.passed >= v.steps THEN 'completed'
                    WHEN p.age < 1 AND p.u_state < 0.5 THEN 'in_progress'
                    ELSE 'abandoned' END,
               CASE WHEN k.passed >= v.steps THEN NULL ELSE v.step_ids[k.passed + 1] END,
               '{}', '{}', '{}', p.source, p.campaign, s.started,
               s.started + k.passed * interval '45 seconds',
               CASE WHEN k.passed >= v.steps THEN s.started + k.passed * interval '45 seconds'
               END
        FROM bench_plan AS p
        JOIN bench_version AS v ON v.form_index = p.form_index
             AND p.age >= v.age_from AND p.age < v.age_to
        CROSS JOIN LATERAL (SELECT now() - p.age * interval '1 day' AS started) AS s
        CROSS JOIN LATERAL (SELECT least(v.steps, floor(ln(greatest(p.u_steps, 1e-12))
                                                         / ln(v.go_on))::int) AS passed) AS k
        """, ws=workspace_id)
    timed("steps", """
        INSERT INTO response_step (workspace_id, response_id, form_id, version_id, step_id, at)
        SELECT r.workspace_id, r.id, r.form_id, r.version_id, v.step_ids[n],
               r.started_at + n * interval '45 seconds'
        FROM response AS r
        JOIN bench_version AS v ON v.version_id = r.version_id
        CROSS JOIN LATERAL generate_series(1, v.steps) AS n
        WHERE n <= CASE WHEN r.state = 'completed' THEN v.steps
                        ELSE array_position(v.step_ids, r.current_step) - 1 END""")
    timed("views", """
        INSERT INTO form_view (workspace_id, form_id, version_id, day, views)
        SELECT workspace_id, form_id, version_id, (started_at AT TIME ZONE 'UTC')::date,
               ceil(count(*) / 0.45)::int
        FROM response GROUP BY workspace_id, form_id, version_id,
                               (started_at AT TIME ZONE 'UTC')::date""")
    timed("contacts", """
        INSERT INTO contact (id, workspace_id, email, created_at, updated_at)
        SELECT id, workspace_id, 'c' || id || '@bench.example', completed_at, completed_at
        FROM response WHERE state = 'completed'""")
    # A latent quality drives the score and every later milestone, so calibration has a
    # signal to find; touches come after a log-uniform delay of one minute to three days.
    timed("leads", """
        INSERT INTO lead (id, workspace_id, contact_id, stage, fit, intent, total, reasons,
                          destination, assignment_reason, origin_response_id, origin_form_id,
                          origin_version_id, source, campaign, mql_at, sql_at, booked_at,
                          accepted_at, outcome, outcome_at, first_touch_at, sla_stage,
                          sla_started_at, stage_changed_at, scored_at, created_at)
        SELECT id, workspace_id, id,
               CASE WHEN total >= 70 THEN 'sql' WHEN total >= 40 THEN 'mql' ELSE 'lead' END,
               total * 0.6, total * 0.4, total, '[]', '{}', '', id, form_id, version_id,
               source, campaign,
               CASE WHEN total >= 40 THEN created END, CASE WHEN total >= 70 THEN created END,
               CASE WHEN total >= 70 AND u1 < 0.6 THEN created + interval '2 minutes' END,
               CASE WHEN accepted THEN created + interval '1 day' END,
               CASE WHEN accepted AND u2 < 0.25 + total / 250 THEN 'won'
                    WHEN accepted AND u2 > 0.8 THEN 'lost' END,
               CASE WHEN accepted AND (u2 < 0.25 + total / 250 OR u2 > 0.8)
                    THEN created + interval '30 days' END,
               CASE WHEN total >= 40 AND u3 < 0.85
                    THEN created + exp(ln(60) + u4 * ln(4320)) * interval '1 second' END,
               CASE WHEN total >= 70 THEN 'sql' WHEN total >= 40 THEN 'mql' END,
               CASE WHEN total >= 40 THEN created END, created, created, created
        FROM (SELECT r.*, r.completed_at AS created,
                     round((40 * q + 60 * (random() + random()) / 2 - 10)::numeric, 1)::float8
                       AS total,
                     random() < 1 / (1 + exp(-(q - 0.6) * 8)) * 0.7 AS accepted,
                     random() AS u1, random() AS u2, random() AS u3, random() AS u4
              FROM (SELECT response.*, random() AS q FROM response
                    WHERE state = 'completed') AS r) AS scored""")
    for table in ("response", "response_step", "form_view", "contact", "lead"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    session.commit()
    # The bulk load bypassed the app: recount the daily rollups the pages read, as
    # `flask analytics rebuild` does (the migration's backfill found empty tables).
    from app.analytics.rollups import rebuild

    started = time.perf_counter()
    rebuild(session, [workspace_id])
    session.commit()
    timings["rollups"] = time.perf_counter() - started
    started = time.perf_counter()
    # What autovacuum does to tables this old: statistics, and the visibility map that
    # lets PostgreSQL answer from an index alone.
    engine = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
    timings["vacuum analyze"] = time.perf_counter() - started
    return timings


def median_ms(action: Callable[[], Any], runs: int) -> float:
    action()  # warm: caches, plans, definitions
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def report(name: str, ms: float) -> bool:
    verdict = "OK" if ms <= TARGET_MS else "SLOW"
    print(f"  {name:<52} {ms:8.1f} ms  {verdict}")
    return ms <= TARGET_MS


def run(responses: int, runs: int, show_plans: bool) -> int:
    from flask import Flask

    from app import create_app
    from app.analytics import funnel_queries, lead_queries
    from app.analytics.ranges import parse_range
    from app.db import make_engine
    from app.migrate import upgrade
    from app.models import Form, utcnow
    from tests.web.backoffice import log_in

    print(machine_note())
    with postgres_database() as url:
        started = time.perf_counter()
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            workspace_id, plan = create_workspace(session)
            parts = load(session, workspace_id, plan, responses)
            counts = {table: session.scalar(text(f"SELECT count(*) FROM {table}"))
                      for table in ("response", "response_step", "form_view", "lead",
                                    "analytics_response_day", "analytics_step_day",
                                    "analytics_lead_day", "analytics_lead_score_day")}
            completed = session.scalar(text(
                "SELECT avg((state = 'completed')::int) FROM response"))
        engine.dispose()
        print(f"loaded in {time.perf_counter() - started:.0f} s ("
              + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in parts.items()) + ")")
        print("rows: " + ", ".join(f"{table} {count:,}" for table, count in counts.items())
              + f"; {100 * float(completed or 0):.1f}% of responses completed")

        app: Flask = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        all_ok = True
        today = utcnow().date()
        ranges = {"30 days": {"range": "30d"}, "90 days": {"range": "90d"},
                  "365 days": {"range": "custom",
                               "from": today.replace(year=today.year - 1).isoformat(),
                               "to": today.isoformat()}}
        with app.app_context():
            from app import db

            session = db.session()
            demo = session.scalars(select(Form).where(Form.workspace_id == workspace_id,
                                                      Form.slug == "demo-request")).one()
            versions = funnel_queries.form_versions(session, demo)
            print(f"\nqueries (median of {runs}; target {TARGET_MS:.0f} ms each)")
            for label, args in ranges.items():
                period = parse_range(args, today)
                measures: dict[str, Callable[[], Any]] = {
                    "forms table": lambda p=period: funnel_queries.form_totals(
                        session, workspace_id, p),
                    "funnel, demo-request, all versions": lambda p=period: (
                        funnel_queries.form_funnel(session, demo, p, None, versions)),
                    "funnel, demo-request, newest version": lambda p=period: (
                        funnel_queries.form_funnel(session, demo, p, versions[0], versions)),
                    **{f"conversion by {group}": (lambda p=period, g=group: lead_queries
                                                  .conversion(session, workspace_id, p, g))
                       for group in ("source", "campaign", "form", "version")},
                    "speed to lead": lambda p=period: lead_queries.speed(
                        session, workspace_id, p),
                    "score calibration": lambda p=period: lead_queries.score_histogram(
                        session, workspace_id, p),
                }
                print(f" {label}")
                for name, action in measures.items():
                    all_ok &= report(name, median_ms(action, runs))
            if show_plans:
                print_plans(session, demo, workspace_id, parse_range(ranges["365 days"], today))

        client = app.test_client()
        assert log_in(client, "admin@bench.example", "bench password 123").status_code == 303
        print(f"\npages through the Flask test client (median of {runs})")
        for label, args in ranges.items():
            query = "&".join(f"{key}={value}" for key, value in args.items())
            for name, url_path in (
                    ("analytics overview", f"/app/bench/analytics/?{query}"),
                    ("analytics overview, by version, one form",
                     f"/app/bench/analytics/?{query}&group=version&form=demo-request"),
                    ("funnel page, demo-request", f"/app/bench/analytics/forms/demo-request?"
                                                  f"{query}")):
                def fetch(path: str = url_path) -> None:
                    reply = client.get(path)
                    assert reply.status_code == 200, reply.status_code

                all_ok &= report(f"{name} ({label})", median_ms(fetch, runs))
        app.extensions["leadform.engine"].dispose()
    print("\nall within target" if all_ok else "\nsome measurements are over the target")
    return 0 if all_ok else 1


def print_plans(session: Session, form: Any, workspace_id: int, period: Any) -> None:
    """EXPLAIN ANALYZE of the statements behind the heaviest (365-day) measurements."""
    from sqlalchemy import event

    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    from app.analytics import funnel_queries, lead_queries

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        funnel_queries.form_totals(session, workspace_id, period)
        funnel_queries.form_funnel(session, form, period)
        lead_queries.conversion(session, workspace_id, period, "source")
        lead_queries.speed(session, workspace_id, period)
        lead_queries.score_histogram(session, workspace_id, period)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    for statement, parameters in statements:
        print("\n    " + " ".join(statement.split())[:300])
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            for (line,) in cursor.fetchall():
                print(f"      {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    options = parser.parse_args()
    return run(options.responses, options.runs, options.explain)


if __name__ == "__main__":
    sys.exit(main())
