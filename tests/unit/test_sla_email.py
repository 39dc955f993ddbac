"""The escalation email as the team lead reads it: the clock's facts, escaped, never failing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.alerts.sla_email import sla_escalation_email, sla_facts

SENDER = "Leadform <alerts@demo.example>"


def overdue(**sla: Any) -> dict[str, Any]:
    return copy.deepcopy({
        "id": "evt_sla1", "type": "lead.sla_overdue", "created_at": "2026-12-02T09:22:00+00:00",
        "data": {
            "workspace": {"slug": "demo", "name": "Demo Inc"},
            "lead": {"id": 7, "stage": "sql", "total": 65, "fit": 40, "intent": 25,
                     "owner": {"name": "Sam Rivera", "email": "sam@demo.example"},
                     "url": "https://leads.example/app/demo/leads/7",
                     "top_reasons": [{"reason": "VP or above", "points": 20,
                                      "dimension": "fit"}]},
            "contact": {"name": "Ada <b>Lovelace</b>", "email": "ada@acme.example",
                        "company": "Acme"},
            "sla": {"stage": "sql", "due_at": "2026-12-02T09:15:00+00:00",
                    "target_minutes": 15, "late_seconds": 420, "reassigned": True,
                    "previous_owner": {"name": "Jordan Lee"}, **sla},
        },
    })


def test_the_facts_say_stage_target_due_lateness_and_owners():
    assert sla_facts(overdue()) == [
        ("Stage", "SQL"), ("Target", "first touch within 15 min"),
        ("Due", "Wed 2 Dec, 09:15 UTC"), ("Late by", "7 min"), ("Owner", "Jordan Lee"),
        ("Now with", "Sam Rivera (fallback rep)"),
    ]


def test_without_a_reassignment_the_owner_is_the_only_owner():
    facts = dict(sla_facts(overdue(reassigned=False, previous_owner=None)))
    assert facts["Owner"] == "Unassigned" and "Now with" not in facts


def test_the_email_is_text_and_html_with_the_subject_that_says_it_all():
    message = sla_escalation_email(overdue(), sender=SENDER, to="priya@demo.example")

    assert message["Subject"] == ("First touch overdue: Ada <b>Lovelace</b>, Acme "
                                  "(SQL lead, 7 min past due)")
    assert message["To"] == "priya@demo.example"
    assert message["Message-ID"] == "<evt_sla1-sla@leadform>"
    html = message.get_body(("html",)).get_content()
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html and "<b>Lovelace" not in html
    assert 'href="https://leads.example/app/demo/leads/7"' in html
    text = message.get_body(("plain",)).get_content()
    assert "Late by:  7 min" in text and "+20   VP or above (fit)" in text


@pytest.mark.parametrize("sla", [None, "late", {}, {"stage": 5, "due_at": "soon",
                                                    "late_seconds": "x", "target_minutes": -1}])
def test_odd_values_leave_their_lines_out(sla):
    event = overdue()
    event["data"]["sla"] = sla
    message = sla_escalation_email(event, sender=SENDER, to="priya@demo.example")
    text = message.get_body(("plain",)).get_content()
    assert "Late by" not in text and "Due" not in text and "Target" not in text
    assert "Owner:    Unassigned" in text


def test_a_name_cannot_inject_a_header():
    event = overdue()
    event["data"]["contact"]["name"] = "Ada\r\nBcc: all@example.com"
    message = sla_escalation_email(event, sender=SENDER, to="priya@demo.example")
    assert "\n" not in message["Subject"] and message["Bcc"] is None
