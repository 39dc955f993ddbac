"""The compliance report's numbers, checked against a hand-made set of leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import Workspace
from app.qualify.sla import percentile
from app.sales.actions import mark_contacted
from app.sales.escalation import run_sla_check
from app.sales.sla_report import ComplianceReport, ReportFilter, compliance_report
from tests.sla.conftest import T0

NOW = T0 + timedelta(days=2)
DECEMBER = ReportFilter(datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def minutes(*values):
    return [value / 60 for value in values]


@pytest.fixture
def report_world(demo, db_engine, world, make_lead):
    """Nine leads with a clock in December, and a few that must not count."""
    world.workspace.settings = {**world.workspace.settings, "sla": {
        "targets": {"sql": 15, "mql": 240}, "reassign_overdue": True}}
    world.session.commit()
    at = lambda **delta: T0 + timedelta(**delta)  # noqa: E731 - reads best inline
    # Jordan: met, met on the dot, touched late, never touched
    make_lead(owner="jordan", touched=at(minutes=5))
    make_lead(owner="jordan", touched=at(minutes=15))
    make_lead(owner="jordan", touched=at(minutes=40))
    make_lead(owner="jordan")  # escalated below, and given to Sam: still Jordan's miss
    # Sam: met, still running, an MQL met within its 4 hours
    make_lead(owner="sam", touched=at(minutes=10))
    make_lead(owner="sam", started=NOW - timedelta(minutes=5))
    make_lead(owner="sam", stage="mql", minutes=240, touched=at(hours=2))
    # Priya's lead runs out, goes to Sam, who touches it after an hour
    late = make_lead(owner="priya")
    # nobody's: escalated and given to Sam, still counted as unassigned
    make_lead(owner=None)
    # not counted: a clock of November, a lead without a clock, another workspace's lead
    make_lead(owner="jordan", started=T0 - timedelta(days=2), touched=T0)
    make_lead(owner="jordan", minutes=None)
    other = Workspace(slug="other", name="Other", settings={})
    world.session.add(other)
    world.session.commit()
    make_lead(owner=None, workspace=other)

    with demo.app_context():
        assert run_sla_check(db_engine, at(minutes=20)).reassigned == 3
    world.refresh()
    mark_contacted(world.session, world.workspace, late, world.people["sam"], at(hours=1))
    world.session.commit()
    return world


def report(world, window=DECEMBER) -> ComplianceReport:
    return compliance_report(world.session, world.workspace.id, window, NOW)


def by_label(rows):
    return {row.label: row for row in rows}


def test_each_rep_answers_for_their_own_clocks(report_world):
    reps = by_label(report(report_world).reps)

    assert list(reps) == ["Jordan Lee", "Priya Shah", "Sam Rivera", "Unassigned"]
    jordan, sam, priya, nobody = (reps[name] for name in (
        "Jordan Lee", "Sam Rivera", "Priya Shah", "Unassigned"))
    assert (jordan.total, jordan.met, jordan.missed, jordan.pending) == (4, 2, 2, 0)
    assert jordan.compliance == 50.0
    assert jordan.median_minutes == pytest.approx(15)
    assert jordan.p90_minutes == pytest.approx(35)  # 15 + (40 - 15) × 0.8
    assert (sam.total, sam.met, sam.missed, sam.pending) == (3, 2, 0, 1)
    assert sam.compliance == 100.0
    assert sam.median_minutes == pytest.approx(65)  # between 10 and 120
    assert sam.p90_minutes == pytest.approx(percentile(minutes(600, 7200), 0.9))
    assert (priya.total, priya.met, priya.missed, priya.compliance) == (1, 0, 1, 0.0)
    assert priya.median_minutes == pytest.approx(60) == priya.p90_minutes
    assert (nobody.total, nobody.missed, nobody.median_minutes) == (1, 1, None)


def test_stage_totals_and_the_whole(report_world):
    result = report(report_world)
    stages = by_label(result.stages)

    assert list(stages) == ["MQL", "SQL"]
    sql = stages["SQL"]
    assert (sql.total, sql.met, sql.missed, sql.pending) == (8, 3, 4, 1)
    touched_sql = minutes(300, 900, 2400, 600, 3600)
    assert sql.median_minutes == pytest.approx(15)
    assert sql.p90_minutes == pytest.approx(percentile(touched_sql, 0.9)) == pytest.approx(52)
    assert (stages["MQL"].total, stages["MQL"].met) == (1, 1)
    assert stages["MQL"].median_minutes == pytest.approx(120)
    total = result.total
    assert (total.total, total.met, total.missed, total.pending) == (9, 4, 4, 1)
    assert total.compliance == 50.0
    assert total.median_minutes == pytest.approx(27.5)
    assert total.p90_minutes == pytest.approx(90)


def test_filters_narrow_the_report(report_world):
    mql = report(report_world, ReportFilter(DECEMBER.start, DECEMBER.end, stage="mql"))
    assert [(row.label, row.total) for row in mql.reps] == [("Sam Rivera", 1)]
    november = report(report_world, ReportFilter(datetime(2026, 11, 1, tzinfo=UTC),
                                                 DECEMBER.start))
    assert [(row.label, row.total, row.missed) for row in november.reps] == [
        ("Jordan Lee", 1, 1)]
    elsewhere = report(report_world, ReportFilter(DECEMBER.start, DECEMBER.end,
                                                  team_id=report_world.team.id + 1000))
    assert elsewhere.reps == [] and elsewhere.total.total == 0
    assert elsewhere.total.compliance is None
