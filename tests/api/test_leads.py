"""/api/v1/leads: reading leads and the CRM's closed loop (stage, disposition, outcome)."""

from __future__ import annotations

from sqlalchemy import select

from app.db import write_session
from app.models import LeadEvent, OutboxEvent
from tests.api.conftest import error_of
from tests.web.hosted import fill_demo
from tests.web.test_qualification import SALES_PATH


def test_a_lead_has_its_score_reasons_owner_milestones_and_origin(api, api_app):
    fill_demo(api_app.test_client(), *SALES_PATH)

    (listed,) = api.get("/api/v1/leads").get_json()["data"]
    lead = api.get(f"/api/v1/leads/{listed['id']}").get_json()

    assert lead == listed
    assert lead["stage"] == "sql" and lead["contact"]["email"] == "ada@example.com"
    assert lead["score"]["total"] == lead["score"]["fit"] + lead["score"]["intent"]
    assert sum(reason["points"] for reason in lead["reasons"]) == lead["score"]["total"]
    assert lead["owner"]["email"] and lead["team"] == "ae-team"
    assert lead["milestones"]["sql_at"] and lead["milestones"]["accepted_at"] is None
    assert lead["origin"]["form"] == "talk-to-sales" and lead["origin"]["version"] == 1


def test_leads_filter_by_stage_owner_form_and_source(api, world):
    lead = api.get(f"/api/v1/leads/{world['lead_id']}").get_json()

    def ids(query):
        reply = api.get(f"/api/v1/leads?{query}")
        assert reply.status_code == 200, reply.get_json()
        return [item["id"] for item in reply.get_json()["data"]]

    assert ids("stage=sql") == [lead["id"]] and ids("stage=mql") == []
    assert ids(f"owner_id={lead['owner']['id']}") == [lead["id"]]
    assert ids("form=talk-to-sales") == [lead["id"]]
    assert ids(f"source={lead['origin']['source']}") == [lead["id"]]
    assert ids("source=elsewhere") == [] and ids("outcome=won") == []
    assert api.get("/api/v1/leads?form=ghost").status_code == 400


def test_the_crm_moves_the_stage_with_a_reason_in_history(api, world, api_app):
    reply = api.post(f"/api/v1/leads/{world['lead_id']}/stage",
                     json={"stage": "mql", "reason": "Opportunity closed in Salesforce"})

    assert reply.status_code == 200
    assert reply.get_json()["stage"] == "mql"
    with api_app.app_context(), write_session() as session:
        event = session.scalars(select(LeadEvent).where(LeadEvent.kind == "stage")
                                .order_by(LeadEvent.id.desc())).first()
        assert (event.from_stage, event.to_stage) == ("sql", "mql")
        assert event.details["reason"] == "Opportunity closed in Salesforce"
        assert "lead.stage_changed" in session.scalars(select(OutboxEvent.kind)).all()


def test_a_disposition_recycles_the_lead_into_its_nurture_track(api, world):
    reply = api.post(f"/api/v1/leads/{world['lead_id']}/disposition",
                     json={"code": "no_budget", "note": "Budget in Q3"})

    lead = reply.get_json()
    assert reply.status_code == 200
    assert lead["disposition"] == "no_budget" and lead["disposition_note"] == "Budget in Q3"
    assert lead["stage"] == "recycled" and lead["nurture_track"] == "recycle-no-budget"
    assert lead["nurture_until"] is not None and lead["archived_at"] is None


def test_spam_closes_the_lead(api, world):
    lead = api.post(f"/api/v1/leads/{world['lead_id']}/disposition",
                    json={"code": "spam"}).get_json()

    assert lead["stage"] == "disqualified" and lead["archived_at"] is not None


def test_accepting_and_winning_close_the_loop(api, world):
    accepted = api.post(f"/api/v1/leads/{world['lead_id']}/disposition",
                        json={"code": "accepted"}).get_json()
    won = api.post(f"/api/v1/leads/{world['lead_id']}/outcome",
                   json={"outcome": "won", "note": "Closed 40 seats"}).get_json()

    assert accepted["milestones"]["accepted_at"] is not None
    assert won["outcome"] == "won" and won["milestones"]["outcome_at"] is not None


def test_bad_codes_stages_and_outcomes_are_a_422(api, world):
    base = f"/api/v1/leads/{world['lead_id']}"

    for path, body in (("/stage", {"stage": "hot"}), ("/disposition", {"code": "meh"}),
                       ("/outcome", {"outcome": "maybe"}), ("/outcome", {}),
                       ("/disposition", {"code": "not_now", "note": "x" * 2001})):
        reply = api.post(base + path, json=body)
        assert reply.status_code == 422, (path, body)
        assert error_of(reply)["code"] == "validation_failed"


def test_an_unknown_lead_is_a_404(api):
    assert api.get("/api/v1/leads/31337").status_code == 404
    assert api.post("/api/v1/leads/31337/outcome", json={"outcome": "won"}).status_code == 404


def test_the_crm_gives_the_lead_to_another_member(api, world):
    reply = api.post(f"/api/v1/leads/{world['lead_id']}/owner",
                     json={"owner_id": world["member_id"], "reason": "Owner in HubSpot"})

    assert reply.status_code == 200
    lead = reply.get_json()
    assert lead["owner"]["id"] == world["member_id"]
    assert lead["assignment_reason"] == "Owner in HubSpot"


def test_only_members_can_own_a_lead(api, world, api_app):
    from tests.web.backoffice import add_user

    outsider = add_user(api_app, "out@side.example", workspace="beta")

    reply = api.post(f"/api/v1/leads/{world['lead_id']}/owner", json={"owner_id": outsider})

    assert reply.status_code == 422
    assert "member" in error_of(reply)["message"]


def test_a_leads_history_lists_scores_stages_and_actions(api, world):
    api.post(f"/api/v1/leads/{world['lead_id']}/stage", json={"stage": "mql"})

    events = api.get(f"/api/v1/leads/{world['lead_id']}/events").get_json()["data"]

    assert events[0]["kind"] == "stage" and events[0]["to_stage"] == "mql"
    assert events[0]["user_id"] is None
    kinds = {event["kind"] for event in events}
    assert {"stage", "accepted"} <= kinds
    assert [event["id"] for event in events] == sorted((e["id"] for e in events), reverse=True)
