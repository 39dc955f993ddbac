"""Behavioural signals: the tracking script, the beacon, aggregates and re-engagement."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.leads.signals import signal_facts
from app.models import Contact, Lead, OutboxEvent, Signal, Workspace, utcnow
from tests.web.hosted import fill_demo

SALES_PATH = ("you", "company", "needs", "details")
MQL_CHANGES = {"needs": {"budget": "unknown", "timeline": "quarter"}}


def beacon(client, path: str, title: str = "Page"):
    return client.post("/t/demo", data=json.dumps({"p": path, "t": title}),
                       content_type="text/plain")


def test_the_tracking_script_is_small_and_embeddable(demo, client):
    script = client.get("/t.js")

    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert len(script.get_data()) < 2048
    assert script.headers["Access-Control-Allow-Origin"] == "*"


def test_a_beacon_records_a_page_view_for_the_signed_visitor(demo, client, db_engine):
    reply = beacon(client, "/pricing", "Pricing")

    assert reply.status_code == 204
    assert "lf_v=" in reply.headers.get("Set-Cookie", "")
    with Session(db_engine) as session:
        signal = session.scalars(select(Signal)).one()
    assert (signal.path, signal.title, signal.contact_id) == ("/pricing", "Pricing", None)


def test_malformed_beacons_are_refused_with_a_message(demo, client):
    assert client.post("/t/demo", data="{oops", content_type="text/plain").status_code == 400
    assert client.post("/t/demo", data="[1]", content_type="text/plain").status_code == 400
    assert client.post("/t/ghost", data="{}", content_type="text/plain").status_code == 404
    assert client.post("/t/demo", data="x" * 5000, content_type="text/plain").status_code == 413


def test_page_views_before_the_form_join_the_contact_once_known(demo, client, db_engine):
    beacon(client, "/pricing")
    fill_demo(client, *SALES_PATH)

    with Session(db_engine) as session:
        signal = session.scalars(select(Signal)).one()
        contact = session.scalars(select(Contact)).one()
    assert signal.contact_id == contact.id


def test_signals_aggregate_over_their_windows(demo, app, client, db_engine):
    for path in ("/pricing", "/pricing/enterprise", "/blog/post"):
        beacon(client, path)
    with Session(db_engine) as session:
        old = session.scalars(select(Signal).where(Signal.path == "/blog/post")).one()
        old.occurred_at = utcnow() - timedelta(days=10)
        session.commit()
        token = old.visitor_token
        workspace = session.scalars(select(Workspace)).one()
        facts = signal_facts(session, workspace.id, utcnow(), visitor_token=token)

    assert facts["pricing_views_7d"] == 2
    assert facts["page_views_30d"] == 3
    assert facts["visit_days_30d"] == 2
    assert facts["last_at"]["pricing_views_7d"].endswith("+00:00")


def test_a_known_visitors_signals_lift_an_mql_to_sql_and_take_the_sql_path(demo, client,
                                                                           db_engine):
    fill_demo(client, *SALES_PATH, changes=MQL_CHANGES)
    with Session(db_engine) as session:
        lead = session.scalars(select(Lead)).one()
        assert (lead.stage, lead.owner_id) == ("mql", None)

    for _ in range(3):
        beacon(client, "/pricing")
    for days_ago in (1, 2):
        with Session(db_engine) as session:  # visits on several days this month
            signal = session.scalars(select(Signal).order_by(Signal.id.desc())).first()
            signal.occurred_at = utcnow() - timedelta(days=days_ago)
            session.commit()
        beacon(client, "/pricing")

    with Session(db_engine) as session:
        lead = session.scalars(select(Lead)).one()
        contact = session.get(Contact, lead.contact_id)
        kinds = list(session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.id)))
        signals = session.scalars(select(Signal).where(Signal.contact_id == contact.id)).all()
    assert len(signals) == 5
    assert lead.stage == "sql"
    assert lead.owner_id is not None
    assert lead.destination["kind"] == "book"
    assert kinds.count("lead.qualified") == 1


def test_rescore_applies_a_new_model_to_every_lead(demo, client, cli, db_engine, tmp_path):
    fill_demo(client, *SALES_PATH)
    stricter = tmp_path / "model.json"
    stricter.write_text(json.dumps({
        "schema": 1, "thresholds": {"mql": 10, "sql": 500},
        "rules": [{"id": "any", "if": True, "points": 20, "dimension": "fit",
                   "reason": "Everyone"}],
    }), encoding="utf-8")
    assert cli.invoke(args=["scoring", "import", str(stricter), "--workspace", "demo"]
                      ).exit_code == 0

    result = cli.invoke(args=["leads", "rescore", "--workspace", "demo"])

    assert "Rescored 1 lead(s): 1 stage change(s)" in result.output
    with Session(db_engine) as session:
        lead = session.scalars(select(Lead)).one()
    assert (lead.stage, lead.total) == ("mql", 20)
