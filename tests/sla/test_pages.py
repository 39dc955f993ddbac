"""The SLA pages: settings (admins, CSRF, inline errors, team leads) and the report (400s)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.booking.calendars import set_hours
from app.models import Team, Workspace, utcnow
from tests.web.backoffice import add_user, csrf_of, log_in

SETTINGS = "/app/demo/sla/settings"
REPORT = "/app/demo/sla/"


@pytest.fixture
def admin(demo):
    client = demo.test_client()
    assert log_in(client, "admin@demo.example", "leadform-demo").status_code == 303
    return client


@pytest.fixture
def member_as(demo):
    def sign_in(role):
        email = f"{role}@demo-{role}.example"
        add_user(demo, email, workspace="demo", role=role, name=f"A {role}")
        client = demo.test_client()
        assert log_in(client, email).status_code == 303
        return client

    return sign_in


def stored_sla(world):
    world.refresh()
    workspace = world.session.get(Workspace, world.workspace.id)
    return workspace.settings["sla"]


def post_targets(client, **values):
    token = csrf_of(client.get(SETTINGS).get_data(as_text=True))
    return client.post(SETTINGS, data={"csrf_token": token, **values})


def test_the_settings_show_the_demos_targets(admin):
    reply = admin.get(SETTINGS)
    page = reply.get_data(as_text=True)

    assert reply.status_code == 200
    assert re.search(r'name="sql"[^>]*value="15"', page)
    assert re.search(r'name="mql"[^>]*value="240"', page)
    assert re.search(r'name="lead"[^>]*value=""', page)
    assert "Account executives" in page
    assert re.search(r'<option selected value="\d+">Priya Shah \(sales\)</option>', page)
    assert 'style="' not in page and "<script>" not in page  # the CSP allows neither
    assert "script-src" in reply.headers["Content-Security-Policy"]


def test_saving_targets_stores_whole_minutes_and_blank_as_none(admin, world):
    reply = post_targets(admin, lead="", mql="", sql="30", reassign_overdue="y")

    assert reply.status_code == 303
    assert stored_sla(world) == {"targets": {"sql": 30}, "reassign_overdue": True}
    assert "The SLA targets are saved." in admin.get(SETTINGS).get_data(as_text=True)


def test_bad_targets_are_refused_inline_and_nothing_is_saved(admin, world):
    before = stored_sla(world)
    reply = post_targets(admin, lead="0", mql="4h", sql="50000")
    page = reply.get_data(as_text=True)

    assert reply.status_code == 422
    assert "at least 1 minute" in page and "Enter whole minutes" in page
    assert "at most 30 days" in page
    assert page.count('aria-invalid="true"') == 3
    assert 'value="4h"' in page  # what was typed stays
    assert stored_sla(world) == before


def test_saving_needs_the_csrf_token(admin, world):
    before = stored_sla(world)
    assert admin.post(SETTINGS, data={"sql": "1"}).status_code == 400
    assert stored_sla(world) == before


@pytest.mark.parametrize("role", ["sales", "marketer"])
def test_only_admins_change_settings(member_as, role, world):
    client = member_as(role)
    assert client.get(SETTINGS).status_code == 403
    token = csrf_of(client.get("/app/demo/").get_data(as_text=True))
    assert client.post(SETTINGS, data={"csrf_token": token, "sql": "1"}).status_code == 403
    assert stored_sla(world)["targets"]["sql"] == 15


def test_a_team_gets_its_lead_and_fallback_rep(admin, world):
    jordan = world.people["jordan"]
    url = f"/app/demo/sla/teams/{world.team.id}"
    prefix = f"team-{world.team.id}"
    token = csrf_of(admin.get(SETTINGS).get_data(as_text=True))
    reply = admin.post(url, data={f"{prefix}-csrf_token": token,
                                  f"{prefix}-lead_user": str(jordan.id),
                                  f"{prefix}-fallback_user": ""})

    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(f"#team-{world.team.id}")
    world.refresh()
    team = world.session.get(Team, world.team.id)
    assert (team.lead_user_id, team.fallback_user_id) == (jordan.id, None)


def test_a_team_lead_must_be_a_member(admin, world, demo):
    stranger = add_user(demo, "stranger@else.example", workspace="elsewhere")
    prefix = f"team-{world.team.id}"
    token = csrf_of(admin.get(SETTINGS).get_data(as_text=True))
    reply = admin.post(f"/app/demo/sla/teams/{world.team.id}",
                       data={f"{prefix}-csrf_token": token, f"{prefix}-lead_user": str(stranger),
                             f"{prefix}-fallback_user": ""})

    assert reply.status_code == 422
    assert "Not a valid choice" in reply.get_data(as_text=True)
    world.refresh()
    assert world.session.get(Team, world.team.id).lead_user_id == world.people["priya"].id


def test_another_workspaces_team_is_not_found(admin, world, demo):
    other = Workspace(slug="other", name="Other", settings={})
    world.session.add(other)
    world.session.flush()
    theirs = Team(workspace_id=other.id, slug="t", name="Theirs", territories=[])
    world.session.add(theirs)
    world.session.commit()
    token = csrf_of(admin.get(SETTINGS).get_data(as_text=True))

    reply = admin.post(f"/app/demo/sla/teams/{theirs.id}", data={
        f"team-{theirs.id}-csrf_token": token, f"team-{theirs.id}-lead_user": ""})
    assert reply.status_code == 404
    assert admin.post("/app/demo/sla/teams/999999", data={"csrf_token": token}).status_code == 404


def test_the_report_shows_each_reps_numbers(admin, world, make_lead):
    now = utcnow()
    make_lead(owner="jordan", started=now - timedelta(hours=1),
              touched=now - timedelta(minutes=50))  # 10 minutes: met
    make_lead(owner="jordan", started=now - timedelta(hours=1))  # missed
    reply = admin.get(REPORT)
    page = reply.get_data(as_text=True)

    assert reply.status_code == 200
    row = re.search(r"<th scope=\"row\">Jordan Lee</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells[:4]] == ["2", "1", "1", "0"]
    assert "50%" in row and "10 min" in row
    assert "SQL 15 min" in page and "MQL 4 h" in page
    assert 'style="' not in page


def test_a_sales_rep_reads_the_report_but_not_the_settings_link(member_as):
    client = member_as("sales")
    page = client.get(REPORT).get_data(as_text=True)
    assert "SLA compliance" in page and "/sla/settings" not in page
    assert member_as("marketer").get(REPORT).status_code == 403


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-02-30", "The from date must look like 2026-12-31."),
    ("from=2026-12-05&to=2026-12-01", "The start date is after the end date."),
    ("stage=won", "Choose a stage from the list"),
    ("team=nobody", "There is no such team in this workspace."),
    ("from=2019-01-01&to=2026-01-01", "Choose at most two years."),
])
def test_bad_filters_answer_400_with_the_reason(admin, query, message):
    reply = admin.get(f"{REPORT}?{query}")
    assert reply.status_code == 400
    assert message in reply.get_data(as_text=True)


def test_the_period_is_read_in_the_viewers_timezone(admin, demo, world, make_lead):
    admin_user = world.people["admin"]
    set_hours(world.session, world.workspace.id, admin_user, timezone="Asia/Tokyo",
              weekly={"mon": [["09:00", "17:00"]]})
    world.session.commit()
    # 2026-12-01 20:00 UTC is already 2 December in Tokyo
    make_lead(owner="jordan", started=datetime(2026, 12, 1, 20, 0, tzinfo=UTC))
    page = admin.get(f"{REPORT}?from=2026-12-02&to=2026-12-02").get_data(as_text=True)
    assert "Jordan Lee" in page and "Asia/Tokyo" in page
    page = admin.get(f"{REPORT}?from=2026-12-01&to=2026-12-01").get_data(as_text=True)
    assert "Jordan Lee" not in page and "No lead started a first-touch clock" in page
