"""The Routing tab: ordered rules, a catch-all that stays last, destinations the workspace has."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import DraftRevision
from tests.builder.editor_pages import (
    ROUTING,
    draft_of,
    post_page,
    route_of,
    sign_in_as,
)

RULES = ROUTING + "/rules"
BIG = {">=": [{"var": "lead.total"}, 90]}


@pytest.fixture
def marketer(demo, client):
    return sign_in_as(demo, client, "marketer")


def add_rule(client, *, htmx=False, **fields):
    data = {"condition": json.dumps(BIG), "kind": "book", "book": "ae-team/intro-30", **fields}
    return post_page(client, ROUTING, RULES, htmx=htmx, **data)


def test_the_tab_lists_the_rules_in_order_with_the_catch_all_last(marketer):
    page = marketer.get(ROUTING).get_data(as_text=True)

    assert page.index("Book: Intro call with Account executives") < page.index(
        "Disqualify:") < page.index("Nurture: Thanks, we&#39;re on it") < page.index(
        "Everyone else")
    assert 'aria-current="page">Routing' in page
    assert "Change destination" in page


def test_a_new_rule_goes_just_before_the_catch_all(marketer, db_engine):
    before = route_of(db_engine)
    reply = add_rule(marketer, confirm="yes")

    assert reply.status_code == 303
    route = route_of(db_engine)
    assert route[:3] == before[:3] and route[4] == before[3]
    assert route[3] == {"if": BIG, "to": {"book": "ae-team/intro-30"}, "confirm": True}
    with Session(db_engine) as session:
        summaries = list(session.scalars(select(DraftRevision.summary)))
    assert summaries == ["Added a route to Book: Intro call with Account executives"]


def test_editing_a_rule_writes_its_condition_and_destination(marketer, db_engine):
    reply = post_page(marketer, ROUTING + "?edit=1", RULES + "/1",
                      condition='{"==": [{"var": "contact.job_level"}, "student"]}',
                      kind="redirect", redirect="https://example.com/students",
                      book="ae-team/intro-30")

    assert reply.status_code == 303
    assert route_of(db_engine)[1] == {"if": {"==": [{"var": "contact.job_level"}, "student"]},
                                      "to": {"redirect": "https://example.com/students"}}


def test_the_edit_form_shows_the_rule(marketer):
    page = marketer.get(ROUTING + "?edit=2").get_data(as_text=True)

    assert "Edit rule 3" in page
    assert 'value="nurture" checked' in page
    assert '<option value="fast-track" selected>' in page


def test_the_catch_all_only_changes_destination(marketer, db_engine):
    reply = post_page(marketer, ROUTING + "?edit=3", RULES + "/3", condition="false",
                      kind="nurture", nurture="fast-track", confirm="yes")

    assert reply.status_code == 303
    assert route_of(db_engine)[3] == {"if": True, "to": {"nurture": "fast-track"},
                                      "confirm": True}
    page = marketer.get(ROUTING + "?edit=3").get_data(as_text=True)
    assert 'id="rb-route-new"' in page and 'id="rb-route-3"' not in page


def test_the_catch_all_cannot_be_deleted(marketer, db_engine):
    before = route_of(db_engine)
    reply = post_page(marketer, ROUTING, RULES + "/3/delete")

    assert reply.status_code == 422
    assert "cannot be removed" in reply.get_data(as_text=True)
    assert route_of(db_engine) == before


def test_the_catch_all_cannot_move_and_nothing_moves_below_it(marketer, db_engine):
    before = route_of(db_engine)

    assert post_page(marketer, ROUTING, RULES + "/3/move", direction="up").status_code == 422
    assert post_page(marketer, ROUTING, RULES + "/2/move", direction="down").status_code == 422
    assert route_of(db_engine) == before


def test_rules_move_up_and_down(marketer, db_engine):
    before = route_of(db_engine)
    reply = post_page(marketer, ROUTING, RULES + "/0/move", direction="down")

    assert reply.status_code == 303
    assert route_of(db_engine) == [before[1], before[0], before[2], before[3]]


def test_deleting_a_rule(marketer, db_engine):
    before = route_of(db_engine)
    post_page(marketer, ROUTING, RULES + "/1/delete")

    assert route_of(db_engine) == [before[0], before[2], before[3]]


@pytest.mark.parametrize(("book", "message"), [
    ("ghost-team/intro-30", "Unknown team &#39;ghost-team&#39;."),
    ("ae-team/lunch-60", "Team &#39;ae-team&#39; has no meeting type &#39;lunch-60&#39;."),
])
def test_an_unknown_team_or_meeting_type_is_refused_inline(marketer, db_engine, book, message):
    before = route_of(db_engine)
    reply = add_rule(marketer, book=book)

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page
    assert 'id="new-route-destination-error"' in page
    assert route_of(db_engine) == before


def test_an_unknown_track_is_refused(marketer, db_engine):
    reply = add_rule(marketer, kind="nurture", nurture="weekly-digest")

    assert reply.status_code == 422
    assert "Unknown nurture track &#39;weekly-digest&#39;" in reply.get_data(as_text=True)


@pytest.mark.parametrize(("fields", "message"), [
    ({"condition": "{oops"}, "The condition is not valid JSON"),
    ({"condition": ""}, "Enter a condition"),
    ({"kind": ""}, "Choose where these respondents go."),
    ({"kind": "redirect", "redirect": "http://example.com/"}, "Enter an https:// address"),
    ({"kind": "disqualify", "disqualify": " "}, "Write the message these respondents"),
    ({"condition": '{"==": [{"var": "answers.nope"}, 1]}', "kind": "nurture",
      "nurture": "general"}, "nope"),
])
def test_bad_rules_are_refused_inline_and_what_was_typed_is_kept(marketer, db_engine, fields,
                                                                 message):
    before = route_of(db_engine)
    reply = add_rule(marketer, **fields)

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page and "Error: Routing" in page
    assert route_of(db_engine) == before


def test_a_rule_that_catches_everyone_early_is_refused(marketer, db_engine):
    before = route_of(db_engine)
    reply = add_rule(marketer, condition="true")

    assert reply.status_code == 422
    assert "can never be taken" in reply.get_data(as_text=True)
    assert route_of(db_engine) == before


def test_an_edit_against_a_route_that_changed_is_refused(marketer, db_engine):
    page = marketer.get(ROUTING).get_data(as_text=True)
    add_rule(marketer)
    from tests.web.backoffice import csrf_of

    reply = marketer.post(RULES + "/0/delete", data={"csrf_token": csrf_of(page),
                                                      "base": "stale"})

    assert reply.status_code == 409
    assert len(route_of(db_engine)) == 5


def test_the_route_can_be_edited_as_json(marketer, db_engine):
    route = copy.deepcopy(route_of(db_engine))
    route[0]["confirm"] = True
    reply = post_page(marketer, ROUTING, ROUTING + "/json", route=json.dumps(route))

    assert reply.status_code == 303
    assert route_of(db_engine) == route


@pytest.mark.parametrize(("route", "message"), [
    ('[{"if": {"==": [1, 1]}, "to": {"nurture": "general"}}]', "must be a catch-all"),
    ('[{"if": true, "to": {"book": "ghost/intro-30"}}]', "Unknown team"),
    ('{"if": true}', "must be a JSON list"),
    ("[", "This is not valid JSON"),
])
def test_a_broken_json_route_is_refused(marketer, db_engine, route, message):
    before = route_of(db_engine)
    reply = post_page(marketer, ROUTING, ROUTING + "/json", route=route)

    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert route_of(db_engine) == before


def test_htmx_saves_and_refusals_answer_200_with_the_page(marketer, db_engine):
    saved = add_rule(marketer, htmx=True)
    refused = add_rule(marketer, htmx=True, book="ghost-team/intro-30")

    assert saved.status_code == 200 and "Saved: Added a route" in saved.get_data(as_text=True)
    assert refused.status_code == 200 and "Unknown team" in refused.get_data(as_text=True)
    assert len(route_of(db_engine)) == 5


def test_an_existing_problem_does_not_block_other_edits(marketer, db_engine, demo):
    """A team deleted after the rule was written: shown on its rule, other edits still save."""
    from app.db import write_session
    from app.models import Form

    with demo.app_context(), write_session() as session:
        form = session.scalars(select(Form).where(Form.slug == "talk-to-sales")).one()
        draft = copy.deepcopy(form.draft)
        draft["route"][0]["to"] = {"book": "gone-team/intro-30"}
        form.draft = draft
    page = marketer.get(ROUTING).get_data(as_text=True)
    assert "Unknown team &#39;gone-team&#39;." in page

    reply = post_page(marketer, ROUTING, RULES + "/2/move", direction="up")
    assert reply.status_code == 303


# --- a form without routing ------------------------------------------------------------------

@pytest.fixture
def plain_form(app, client, portable_definition):
    from app.db import write_session
    from app.forms.versions import ensure_workspace, save_draft

    with app.app_context(), write_session() as session:
        save_draft(session, ensure_workspace(session, "acme"), "plain", portable_definition)
    sign_in_as(app, client, "marketer", workspace="acme")
    return "/app/acme/forms/plain/routing"


def test_add_routing_creates_a_catch_all_and_a_routed_ending(client, db_engine, plain_form):
    page = client.get(plain_form).get_data(as_text=True)
    assert "Add routing" in page

    reply = post_page(client, plain_form, plain_form + "/start", kind="redirect",
                      redirect="https://example.com/thanks", ending="sales")

    assert reply.status_code == 303
    draft = draft_of(db_engine, "plain")
    assert draft["route"] == [{"if": True, "to": {"redirect": "https://example.com/thanks"}}]
    assert draft["endings"][0] == {"id": "sales", "type": "route",
                                   "title": "Thanks, {{answers.first_name}}!"}
    page = client.get(plain_form).get_data(as_text=True)
    assert "Everyone else" in page and "Add a rule" in page


def test_add_routing_can_leave_the_endings_alone(client, db_engine, plain_form):
    post_page(client, plain_form, plain_form + "/start", kind="disqualify",
              disqualify="Not for now, thanks!", ending="")

    draft = draft_of(db_engine, "plain")
    assert draft["route"] == [{"if": True, "to": {"disqualify": "Not for now, thanks!"}}]
    assert all(ending["type"] != "route" for ending in draft["endings"])
    page = client.get(plain_form).get_data(as_text=True)
    assert "No ending uses these rules yet" in page

    post_page(client, plain_form, plain_form + "/ending", ending="sales")
    assert draft_of(db_engine, "plain")["endings"][0]["type"] == "route"


def test_add_routing_needs_a_destination_the_workspace_has(client, db_engine, plain_form):
    reply = post_page(client, plain_form, plain_form + "/start", kind="book",
                      book="ae-team/intro-30", ending="sales")

    assert reply.status_code == 422
    assert "Unknown team &#39;ae-team&#39;" in reply.get_data(as_text=True)
    assert "route" not in draft_of(db_engine, "plain")


def test_undo_puts_the_route_back(marketer, db_engine):
    before = route_of(db_engine)
    add_rule(marketer)
    post_page(marketer, ROUTING, "/app/demo/forms/talk-to-sales/undo", next=ROUTING)

    assert route_of(db_engine) == before


def test_a_rule_is_added_from_builder_rows(marketer, db_engine):
    fields = {"route-new.editor": "rows", "route-new.mode": "all", "route-new.json": "",
              "route-new.json_before": "", "route-new.0.var": "lead.stage",
              "route-new.0.op": "eq", "route-new.0.value": "mql",
              "route-new.1.var": "answers.company_size", "route-new.1.op": "in",
              "route-new.1.value": ["201-1000", "1000+"]}
    reply = post_page(marketer, ROUTING, RULES, kind="nurture", nurture="fast-track", **fields)

    assert reply.status_code == 303
    assert route_of(db_engine)[3]["if"] == {"and": [
        {"==": [{"var": "lead.stage"}, "mql"]},
        {"in": [{"var": "answers.company_size"}, ["201-1000", "1000+"]]}]}


def test_an_empty_builder_is_not_a_condition(marketer, db_engine):
    before = route_of(db_engine)
    reply = post_page(marketer, ROUTING, RULES, kind="nurture", nurture="general",
                      **{"route-new.editor": "rows", "route-new.mode": "all",
                         "route-new.json": "", "route-new.json_before": ""})

    assert reply.status_code == 422
    assert "Add at least one condition." in reply.get_data(as_text=True)
    assert route_of(db_engine) == before


def test_the_edit_form_embeds_the_rule_builder_with_lead_facts(marketer):
    page = marketer.get(ROUTING + "?edit=0").get_data(as_text=True)

    assert 'id="rb-route-0"' in page and 'value="lead.stage" selected' in page
    assert "/app/demo/forms/talk-to-sales/rule-builder" in page
