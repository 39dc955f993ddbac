"""The checker is proven too: fabricated runs where one guarantee breaks must be caught.

And the database snapshot reads a real submission as whole (both databases), so a
chaos run's "every guarantee held" means the rows were really looked at.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.reliability.checker import (
    Arrival,
    Observation,
    OutboxRow,
    StoredSubmission,
    Verdict,
    check,
)
from tests.reliability.snapshot import outbox_rows, pending_deliveries, stored_submissions
from tests.web.hosted import fill_demo

pytestmark = pytest.mark.reliability

ADA, BOB = "ada@example.com", "bob@example.com"
WHOLE = StoredSubmission(completed_responses=1, contacts=1, leads=1, reasons=(20.0, 15.5),
                         total=35.5, event_kinds=("lead.stage_changed", "response.completed"))


def body(event_id: str, extra: str = "") -> bytes:
    return f'{{"id":"{event_id}","type":"response.completed"{extra}}}'.encode()


def healthy() -> Observation:
    """Two acknowledged submissions, their events delivered, one raw duplicate."""
    return Observation(
        attempted=[ADA, BOB], acknowledged={ADA, BOB},
        stored={ADA: WHOLE, BOB: WHOLE},
        outbox=[OutboxRow("evt_1", "response.completed", ("delivered",)),
                OutboxRow("evt_2", "response.completed", ("delivered",))],
        arrivals=[Arrival("evt_1", body("evt_1")), Arrival("evt_2", body("evt_2")),
                  Arrival("evt_2", body("evt_2"))],
        web_kills=1, worker_kills=1)


def verdict_with(**changes) -> Verdict:
    return check(dataclasses.replace(healthy(), **changes))


def test_a_healthy_run_passes_and_counts_raw_duplicates():
    verdict = check(healthy())
    assert verdict.problems == []
    assert verdict.counts["distinct event ids at the receiver"] == 2
    assert verdict.counts["raw duplicate deliveries"] == 1
    assert "every guarantee held" in verdict.report()


def test_an_acknowledged_submission_missing_from_the_database_is_caught():
    lost = StoredSubmission(completed_responses=0, contacts=0, leads=0)
    verdict = verdict_with(stored={ADA: WHOLE, BOB: lost})
    assert any("acknowledged but no completed response" in p and BOB in p
               for p in verdict.problems)
    assert any("acknowledged but no lead" in p for p in verdict.problems)
    assert "BROKEN" in verdict.report()


def test_an_unacknowledged_submission_may_be_missing():
    lost = StoredSubmission(completed_responses=0, contacts=0, leads=0)
    verdict = verdict_with(acknowledged={ADA}, stored={ADA: WHOLE, BOB: lost})
    assert verdict.problems == []


@pytest.mark.parametrize("broken, expected", [
    ({"event_kinds": ("lead.stage_changed",)}, "no response.completed event"),
    ({"reasons": ()}, "a lead without score reasons"),
    ({"total": 99.0}, "not the sum of its reasons"),
])
def test_an_acknowledged_submission_stored_in_part_is_caught(broken, expected):
    verdict = verdict_with(stored={ADA: WHOLE, BOB: dataclasses.replace(WHOLE, **broken)})
    assert any(expected in problem and BOB in problem for problem in verdict.problems)


@pytest.mark.parametrize("broken, expected", [
    ({"completed_responses": 2}, "duplicate completed responses"),
    ({"contacts": 2}, "duplicate contacts"),
    ({"leads": 2}, "duplicate leads"),
    ({"event_kinds": ("response.completed", "response.completed")},
     "duplicate response.completed events"),
])
def test_a_retried_submit_applied_twice_is_caught(broken, expected):
    verdict = verdict_with(stored={ADA: WHOLE, BOB: dataclasses.replace(WHOLE, **broken)})
    assert any(expected in problem and BOB in problem for problem in verdict.problems)


def test_an_undelivered_outbox_row_is_caught():
    outbox = [OutboxRow("evt_1", "response.completed", ("delivered",)),
              OutboxRow("evt_2", "response.completed", ("pending",))]
    verdict = verdict_with(outbox=outbox)
    assert any("not delivered" in p and "evt_2" in p for p in verdict.problems)


def test_an_outbox_event_without_any_delivery_is_caught():
    outbox = [OutboxRow("evt_1", "response.completed", ("delivered",)),
              OutboxRow("evt_2", "response.completed", ())]
    verdict = verdict_with(outbox=outbox)
    assert any("not delivered" in p and "evt_2" in p for p in verdict.problems)


def test_an_event_the_receiver_never_got_is_caught():
    verdict = verdict_with(arrivals=[Arrival("evt_1", body("evt_1"))])
    assert any("never received: evt_2" in problem for problem in verdict.problems)


def test_a_received_event_that_is_not_in_the_outbox_is_caught():
    arrivals = [*healthy().arrivals, Arrival("evt_9", body("evt_9"))]
    verdict = verdict_with(arrivals=arrivals)
    assert any("not in the outbox: evt_9" in problem for problem in verdict.problems)


def test_a_duplicate_delivery_with_a_different_body_is_caught():
    arrivals = [Arrival("evt_1", body("evt_1")), Arrival("evt_2", body("evt_2")),
                Arrival("evt_2", body("evt_2", ',"changed":true'))]
    verdict = verdict_with(arrivals=arrivals)
    assert any("different bodies: evt_2" in problem for problem in verdict.problems)


def test_a_header_id_that_differs_from_the_payload_id_is_caught():
    arrivals = [Arrival("evt_1", body("evt_1")), Arrival("evt_2", body("evt_other"))]
    verdict = verdict_with(arrivals=arrivals)
    assert any("differs from the payload's id: evt_2" in p for p in verdict.problems)


def test_an_unexpected_answer_to_a_client_is_caught():
    verdict = verdict_with(anomalies=["bob@example.com: POST of step 4 answered 500 ''"])
    assert any("unexpected answer" in problem for problem in verdict.problems)


def test_the_snapshot_reads_a_real_submission_as_whole(demo, client, db_engine):
    fill_demo(client, "you", "company", "needs", "details")

    stored = stored_submissions(db_engine, [ADA, BOB])

    assert stored[BOB] == StoredSubmission(completed_responses=0, contacts=0, leads=0)
    ada = stored[ADA]
    assert (ada.completed_responses, ada.contacts, ada.leads) == (1, 1, 1)
    assert ada.reasons and abs(sum(ada.reasons) - ada.total) < 0.01
    assert "response.completed" in ada.event_kinds
    outbox = outbox_rows(db_engine)
    assert {row.kind for row in outbox} >= {"response.completed", "lead.stage_changed"}
    # No endpoint and no SMTP in this app: events are kept, with nowhere to go.
    assert all(row.statuses == () for row in outbox)
    assert pending_deliveries(db_engine) == 0
