"""Members, invitations and new workspaces: the service, the Members page, the link, the CLI.

CSRF protection is on in the test app, so every POST carries the page's token.
"""

from __future__ import annotations

import email
import hashlib
import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import InvalidEmail, create_user
from app.accounts.invitations import (
    AlreadyMember,
    InvitationUnusable,
    UnknownRole,
    WrongAccount,
    accept_as,
    invite,
    revoke,
    usable_invitation,
)
from app.accounts.members import LastAdmin, change_role, remove_member
from app.accounts.workspaces import create_workspace, slug_base
from app.forms.versions import ensure_workspace
from app.models import Invitation, Membership, Team, TeamMember, User, Workspace, utcnow
from tests.web.backoffice import PASSWORD, add_user, csrf_of, log_in, page_token

MEMBERS = "/app/acme/members/"
LINK = re.compile(r"https?://[^\s<\"]+/invite/([A-Za-z0-9_-]+)")


def memberships(db_engine) -> list[tuple[str, str, str]]:
    """(email, workspace slug, role) for every membership."""
    with Session(db_engine) as session:
        rows = session.execute(
            select(User.email, Workspace.slug, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .join(Workspace, Workspace.id == Membership.workspace_id)
        )
        return sorted(tuple(row) for row in rows)


def invitations(db_engine) -> list[Invitation]:
    with Session(db_engine) as session:
        return list(session.scalars(select(Invitation).order_by(Invitation.id)))


def user_id(db_engine, address: str) -> int:
    with Session(db_engine) as session:
        return session.scalars(select(User.id).where(User.email == address)).one()


@pytest.fixture
def ada(app, client):
    """Ada, an admin of acme, signed in."""
    add_user(app, "ada@acme.example", workspace="acme", name="Ada")
    log_in(client, "ada@acme.example")
    return client


def post(client, url: str, page: str = MEMBERS, **data: Any):
    token = csrf_of(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def invite_by_page(client, address: str, role: str = "marketer"):
    return post(client, f"{MEMBERS}invitations", email=address, role=role)


def link_in(page: str) -> str:
    match = LINK.search(page)
    assert match, "the page shows no invitation link"
    return match.group(0)


def path_of(link: str) -> str:
    return "/invite/" + link.rsplit("/invite/", 1)[1]


# --- the service -------------------------------------------------------------------------

@pytest.fixture
def acme(session) -> Workspace:
    workspace = ensure_workspace(session, "acme", "Acme")
    ada = create_user(session, "ada@acme.example", PASSWORD, "Ada")
    session.add(Membership(workspace_id=workspace.id, user_id=ada.id, role="admin"))
    session.flush()
    return workspace


def test_an_invitation_stores_only_a_hash_of_its_token_and_lasts_a_week(session, acme):
    now = utcnow()
    made = invite(session, acme, "  Bob@Acme.Example ", "sales", invited_by=None, now=now)

    invitation = made.invitation
    assert invitation.email == "bob@acme.example" and invitation.role == "sales"
    assert invitation.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert made.token not in {str(value) for value in vars(invitation).values()}
    assert len(made.token) >= 40
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert usable_invitation(session, made.token, now) is invitation


@pytest.mark.parametrize(("address", "role", "error", "message"), [
    ("not-an-email", "sales", InvalidEmail, "@"),
    ("", "sales", InvalidEmail, "Enter an email address."),
    ("bob@acme.example", "owner", UnknownRole, "Unknown role 'owner'"),
    ("ADA@acme.example", "sales", AlreadyMember, "ada@acme.example is already a member of Acme."),
])
def test_invite_refuses_with_a_clear_message(session, acme, address, role, error, message):
    with pytest.raises(error, match=re.escape(message)):
        invite(session, acme, address, role, invited_by=None, now=utcnow())
    assert session.scalars(select(Invitation)).all() == []


def test_inviting_again_replaces_the_earlier_link(session, acme):
    now = utcnow()
    first = invite(session, acme, "bob@acme.example", "sales", invited_by=None, now=now)
    second = invite(session, acme, "bob@acme.example", "marketer", invited_by=None, now=now)

    assert second.replaced == 1
    with pytest.raises(InvitationUnusable, match="withdrawn"):
        usable_invitation(session, first.token, now)
    assert usable_invitation(session, second.token, now).role == "marketer"


def test_unusable_links_say_why(session, acme):
    now = utcnow()
    expired = invite(session, acme, "old@acme.example", "sales", invited_by=None, now=now)
    revoked = invite(session, acme, "gone@acme.example", "sales", invited_by=None, now=now)
    used = invite(session, acme, "ada@other.example", "sales", invited_by=None, now=now)
    revoke(session, acme.id, revoked.invitation.id, now)
    accept_as(session, used.token, create_user(session, "ada@other.example", PASSWORD), now)
    later = now + timedelta(days=7, seconds=1)

    def reason(token: str) -> tuple[str, str]:
        with pytest.raises(InvitationUnusable) as caught:
            usable_invitation(session, token, later)
        return caught.value.reason, str(caught.value)

    assert reason("not-a-token") == ("unknown", (
        "This invitation link is not valid. Check that you copied all of it, or ask the "
        "person who invited you for a new one."))
    assert reason(expired.token)[0] == "expired"
    assert "This invitation expired on" in reason(expired.token)[1]
    assert reason(revoked.token) == ("revoked", (
        "This invitation was withdrawn. Ask an admin of Acme for a new one."))
    assert reason(used.token) == ("used", (
        "This invitation has already been used. Sign in to open Acme."))
    assert reason("")[0] == "unknown"


def test_only_the_invited_email_can_accept(session, acme):
    now = utcnow()
    made = invite(session, acme, "bob@acme.example", "sales", invited_by=None, now=now)
    eve = create_user(session, "eve@evil.example", PASSWORD)

    with pytest.raises(WrongAccount, match="This invitation is for bob@acme.example"):
        accept_as(session, made.token, eve, now)
    assert usable_invitation(session, made.token, now) is made.invitation


def test_the_last_admin_can_be_neither_demoted_nor_removed(session, acme):
    ada_id = session.scalars(select(User.id)).one()

    with pytest.raises(LastAdmin, match="Ada is the only admin of Acme"):
        change_role(session, acme.id, ada_id, "marketer")
    with pytest.raises(LastAdmin):
        remove_member(session, acme.id, ada_id)

    bob = create_user(session, "bob@acme.example", PASSWORD)
    session.add(Membership(workspace_id=acme.id, user_id=bob.id, role="admin"))
    session.flush()
    assert change_role(session, acme.id, ada_id, "marketer")[1] == "admin"
    with pytest.raises(LastAdmin, match="only admin"):
        remove_member(session, acme.id, bob.id)


def test_a_removed_rep_stops_getting_the_workspace_leads(session, acme):
    rep = create_user(session, "rep@acme.example", PASSWORD)
    session.add(Membership(workspace_id=acme.id, user_id=rep.id, role="sales"))
    team = Team(workspace_id=acme.id, slug="sales", name="Sales", territories=[])
    session.add(team)
    session.flush()
    session.add(TeamMember(team_id=team.id, user_id=rep.id))
    session.flush()

    remove_member(session, acme.id, rep.id)
    session.expire_all()

    assert session.scalars(select(TeamMember.active)).one() is False
    assert rep.id not in session.scalars(select(Membership.user_id)).all()
    assert session.get(User, rep.id) is not None  # the account stays


@pytest.mark.parametrize(("name", "slug"), [
    ("Acme Corp", "acme-corp"),
    ("  Ünïcödé  Café & Co. ", "unicode-cafe-co"),
    ("日本", "workspace"),
    ("x" * 120, "x" * 50),
])
def test_slugs_come_from_the_name(name, slug):
    assert slug_base(name) == slug


def test_a_new_workspace_gets_a_free_slug_and_its_maker_as_admin(session, acme):
    ada = session.scalars(select(User)).one()

    first = create_workspace(session, "Acme", ada)
    second = create_workspace(session, "ACME!", ada)

    assert (first.slug, second.slug) == ("acme-2", "acme-3")
    roles = session.scalars(select(Membership.role).where(Membership.user_id == ada.id)).all()
    assert roles == ["admin", "admin", "admin"]


# --- the Members page --------------------------------------------------------------------

def test_only_admins_see_the_members_link(app, ada, client):
    admin_page = ada.get("/app/acme/").get_data(as_text=True)
    ada.post("/logout", data={"csrf_token": page_token(ada, "/app/acme/")})
    add_user(app, "mo@acme.example", workspace="acme", role="marketer")
    log_in(client, "mo@acme.example")

    assert '<a href="/app/acme/members/">Members</a>' in admin_page
    assert "Members</a>" not in client.get("/app/acme/").get_data(as_text=True)
    assert client.get(MEMBERS).status_code == 403


def test_the_members_page_lists_members_and_pending_invitations(app, ada):
    add_user(app, "sam@acme.example", workspace="acme", role="sales", name="Sam Rep")
    invite_by_page(ada, "new@acme.example", "marketer")

    page = ada.get(MEMBERS).get_data(as_text=True)

    assert "Sam Rep" in page and "sam@acme.example" in page
    assert '<option value="sales" selected>Sales</option>' in page
    assert "Ada <span class=\"bo-muted\">(you)</span>" in page
    assert "<th scope=\"row\">new@acme.example</th>" in page and "Revoke" in page
    assert "/invite/" not in page  # the link was shown once, not here


def test_an_admin_invites_and_sees_the_link_once(app, ada, db_engine):
    reply = invite_by_page(ada, "New.Person@Acme.example", "sales")

    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    link = link_in(page)
    assert link.startswith("http://localhost/invite/")
    assert "not shown again" in page and "Send it to new.person@acme.example yourself" in page
    (invitation,) = invitations(db_engine)
    token = link.rsplit("/", 1)[1]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert invitation.email == "new.person@acme.example" and invitation.role == "sales"
    assert invitation.invited_by_id == user_id(db_engine, "ada@acme.example")


def test_the_link_uses_base_url_when_set(app, ada):
    app.config["BASE_URL"] = "https://leads.acme.example/"

    page = invite_by_page(ada, "new@acme.example").get_data(as_text=True)

    assert link_in(page).startswith("https://leads.acme.example/invite/")


@pytest.mark.parametrize(("address", "message"), [
    ("not-an-email", "That email address is not valid"),
    ("ada@acme.example", "ada@acme.example is already a member of Acme."),
])
def test_a_refused_invitation_says_why_inline(ada, db_engine, address, message):
    reply = invite_by_page(ada, address)

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page and "Nobody was invited" in page
    assert invitations(db_engine) == []


def test_an_unknown_role_is_refused(ada, db_engine):
    assert invite_by_page(ada, "new@acme.example", "owner").status_code == 422
    assert invitations(db_engine) == []


def test_a_revoked_invitation_no_longer_works(app, ada, client, db_engine):
    link = link_in(invite_by_page(ada, "new@acme.example").get_data(as_text=True))
    (invitation,) = invitations(db_engine)

    reply = post(ada, f"{MEMBERS}invitations/{invitation.id}/revoke")

    assert reply.status_code == 303
    assert "The invitation to new@acme.example no longer works." in ada.get(
        MEMBERS).get_data(as_text=True)
    opened = app.test_client().get(path_of(link))
    assert opened.status_code == 410
    assert "This invitation was withdrawn. Ask an admin of Acme for a new one." in (
        opened.get_data(as_text=True))


def test_an_admin_changes_a_role(app, ada, db_engine):
    add_user(app, "sam@acme.example", workspace="acme", role="sales", name="Sam")
    sam = user_id(db_engine, "sam@acme.example")

    reply = post(ada, f"{MEMBERS}{sam}/role", role="marketer")

    assert reply.status_code == 303
    assert "Sam is now marketer (was sales)." in ada.get(MEMBERS).get_data(as_text=True)
    assert ("sam@acme.example", "acme", "marketer") in memberships(db_engine)


def test_demoting_the_last_admin_is_refused_inline(ada, db_engine):
    me = user_id(db_engine, "ada@acme.example")

    reply = post(ada, f"{MEMBERS}{me}/role", role="sales")

    assert reply.status_code == 409
    page = reply.get_data(as_text=True)
    assert '<div class="bo-alert" role="alert" id="member-problem">' in page
    assert "Ada is the only admin of Acme, so you cannot make them sales." in page
    assert memberships(db_engine) == [("ada@acme.example", "acme", "admin")]


def test_removing_the_last_admin_is_refused_inline(ada, db_engine):
    me = user_id(db_engine, "ada@acme.example")

    reply = post(ada, f"{MEMBERS}{me}/remove")

    assert reply.status_code == 409
    assert "Make someone else an admin first." in reply.get_data(as_text=True)
    assert memberships(db_engine) == [("ada@acme.example", "acme", "admin")]


def test_an_admin_removes_a_member_who_then_gets_404(app, ada, db_engine):
    add_user(app, "sam@acme.example", workspace="acme", role="sales")
    sam_client = app.test_client()
    log_in(sam_client, "sam@acme.example")
    sam = user_id(db_engine, "sam@acme.example")

    reply = post(ada, f"{MEMBERS}{sam}/remove")

    assert reply.status_code == 303
    assert "sam@acme.example is no longer a member of Acme." in ada.get(
        MEMBERS).get_data(as_text=True)
    assert memberships(db_engine) == [("ada@acme.example", "acme", "admin")]
    assert sam_client.get("/app/acme/").status_code == 404


def test_an_admin_who_demotes_themselves_goes_back_home(app, ada, db_engine):
    add_user(app, "bob@acme.example", workspace="acme", role="admin")
    me = user_id(db_engine, "ada@acme.example")

    reply = post(ada, f"{MEMBERS}{me}/role", role="marketer")

    assert reply.headers["Location"] == "/app/acme/"
    assert ada.get(MEMBERS).status_code == 403


def test_an_admin_may_leave_when_another_admin_stays(app, ada, db_engine):
    add_user(app, "bob@acme.example", workspace="acme", role="admin")
    me = user_id(db_engine, "ada@acme.example")

    reply = post(ada, f"{MEMBERS}{me}/remove")

    assert reply.headers["Location"] == "/app/"
    assert "You left Acme." in ada.get("/app/").get_data(as_text=True)
    assert memberships(db_engine) == [("bob@acme.example", "acme", "admin")]


def test_members_of_another_workspace_cannot_be_touched(app, ada, db_engine):
    add_user(app, "bob@beta.example", workspace="beta", role="admin")
    bob = user_id(db_engine, "bob@beta.example")

    post(ada, f"{MEMBERS}{bob}/remove")
    post(ada, f"{MEMBERS}{bob}/role", role="sales")

    assert memberships(db_engine) == [("ada@acme.example", "acme", "admin"),
                                      ("bob@beta.example", "beta", "admin")]


# --- accepting -----------------------------------------------------------------------------

def accept_new(client, path: str, name: str = "Nia New", password: str = PASSWORD,
               confirm: str | None = None):
    token = csrf_of(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "name": name, "password": password,
                                   "confirm": password if confirm is None else confirm})


def test_a_new_person_sets_name_and_password_and_is_signed_in(app, ada, db_engine):
    path = path_of(link_in(invite_by_page(ada, "nia@acme.example", "sales")
                           .get_data(as_text=True)))
    stranger = app.test_client()

    page = stranger.get(path)
    reply = accept_new(stranger, path)

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Join Acme" in text and "as <strong>sales</strong>" in text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert reply.status_code == 303 and reply.headers["Location"] == "/app/acme/"
    assert "Welcome to Acme!" in stranger.get("/app/acme/").get_data(as_text=True)
    assert ("nia@acme.example", "acme", "sales") in memberships(db_engine)
    with Session(db_engine) as session:
        assert session.scalars(select(User.name).where(User.email == "nia@acme.example")
                               ).one() == "Nia New"
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("short", None, "Use at least 10 characters."),
    ("nia@acme.example", None, "Don&#39;t use your email address"),
    (PASSWORD, "something else entirely", "The two passwords are not the same."),
])
def test_a_weak_password_is_refused_and_the_link_still_works(app, ada, db_engine, password,
                                                             confirm, message):
    path = path_of(link_in(invite_by_page(ada, "nia@acme.example").get_data(as_text=True)))
    stranger = app.test_client()

    reply = accept_new(stranger, path, password=password, confirm=confirm)

    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert stranger.get("/app/acme/").status_code == 302
    assert accept_new(stranger, path).status_code == 303


def test_an_existing_user_signs_in_then_joins(app, ada, db_engine):
    add_user(app, "bob@beta.example", workspace="beta", role="admin")
    path = path_of(link_in(invite_by_page(ada, "Bob@Beta.example", "marketer")
                           .get_data(as_text=True)))
    bob = app.test_client()

    page = bob.get(path).get_data(as_text=True)
    assert "You already have an account" in page
    assert f'href="/login?next={path}"' in page
    signed_in = log_in(bob, "bob@beta.example", next_url=path)
    assert signed_in.headers["Location"] == path
    join_page = bob.get(path).get_data(as_text=True)
    assert "Join Acme</button>" in join_page
    reply = bob.post(path, data={"csrf_token": csrf_of(join_page)})

    assert reply.status_code == 303 and reply.headers["Location"] == "/app/acme/"
    assert "You joined Acme." in bob.get("/app/acme/").get_data(as_text=True)
    assert ("bob@beta.example", "acme", "marketer") in memberships(db_engine)


def test_an_existing_user_cannot_accept_by_creating_an_account(app, ada, db_engine):
    add_user(app, "bob@beta.example", workspace="beta", role="admin")
    path = path_of(link_in(invite_by_page(ada, "bob@beta.example").get_data(as_text=True)))
    mallory = app.test_client()
    token = csrf_of(mallory.get("/login").get_data(as_text=True))

    reply = mallory.post(path, data={"csrf_token": token, "name": "Bob", "password":
                                     "another password", "confirm": "another password"})

    assert reply.status_code == 422
    assert "There is already an account for bob@beta.example: sign in to accept." in (
        reply.get_data(as_text=True))
    assert ("bob@beta.example", "acme", "marketer") not in memberships(db_engine)
    assert log_in(app.test_client(), "bob@beta.example").status_code == 303  # unchanged


def test_someone_signed_in_as_another_user_is_told_to_sign_out(app, ada, db_engine):
    path = path_of(link_in(invite_by_page(ada, "nia@acme.example").get_data(as_text=True)))

    page = ada.get(path).get_data(as_text=True)
    forced = ada.post(path, data={"csrf_token": csrf_of(page)})

    assert "You are signed in as <strong>ada@acme.example</strong>" in page
    assert forced.status_code == 422
    assert "This invitation is for nia@acme.example" in forced.get_data(as_text=True)
    out = ada.post(f"{path}/sign-out", data={"csrf_token": csrf_of(page)})
    assert out.headers["Location"] == path
    assert "Create account and join" in ada.get(path).get_data(as_text=True)
    assert memberships(db_engine) == [("ada@acme.example", "acme", "admin")]


def test_an_expired_link_says_so(app, ada):
    path = path_of(link_in(invite_by_page(ada, "nia@acme.example").get_data(as_text=True)))

    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        reply = app.test_client().get(path)

    assert reply.status_code == 410
    assert "This invitation expired on" in reply.get_data(as_text=True)


def test_an_unknown_link_is_a_404(client):
    reply = client.get("/invite/made-up-token")

    assert reply.status_code == 404
    assert "This invitation link is not valid." in reply.get_data(as_text=True)


# --- email -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(app) -> Iterator[Inbox]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none",
                      SMTP_FROM="Leadform <team@acme.example>")
    yield inbox
    controller.stop()


def test_the_link_is_emailed_when_smtp_is_configured(ada, smtp):
    page = invite_by_page(ada, "nia@acme.example", "sales").get_data(as_text=True)

    assert "We emailed the link to nia@acme.example." in page
    (message,) = smtp.messages
    assert message["To"] == "nia@acme.example"
    assert message["Subject"] == "Join Acme on Leadform"
    body = message.get_content()
    assert link_in(page) in body and "Ada invited you to Acme" in body
    assert "a sales rep (leads and calendar)" in body


def test_a_failed_email_is_reported_and_the_invitation_kept(app, ada, db_engine):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none")

    reply = invite_by_page(ada, "nia@acme.example")

    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "The email could not be sent" in page and "The invitation is kept" in page
    path = path_of(link_in(page))
    assert len(invitations(db_engine)) == 1
    assert app.test_client().get(path).status_code == 200


# --- workspaces ----------------------------------------------------------------------------

def create_by_page(client, name: str):
    token = csrf_of(client.get("/workspaces/new").get_data(as_text=True))
    return client.post("/workspaces/new", data={"csrf_token": token, "name": name})


def test_a_user_creates_a_workspace_and_becomes_its_admin(app, ada, db_engine):
    reply = create_by_page(ada, "Acme")

    assert reply.status_code == 303 and reply.headers["Location"] == "/app/acme-2/"
    assert memberships(db_engine) == [("ada@acme.example", "acme", "admin"),
                                      ("ada@acme.example", "acme-2", "admin")]
    page = ada.get("/app/acme-2/").get_data(as_text=True)
    assert "Acme is ready, and you are its admin." in page
    assert '<a href="/app/acme-2/members/">Members</a>' in page


def test_the_switcher_shows_only_with_several_workspaces(app, ada):
    assert 'class="bo-switch"' not in ada.get("/app/acme/").get_data(as_text=True)

    create_by_page(ada, "Beta Corp")

    page = ada.get("/app/acme/").get_data(as_text=True)
    assert '<a class="bo-switch" href="/app/">Switch<span class="bo-sr"> workspace</span></a>' in (
        page)
    chooser = ada.get("/app/").get_data(as_text=True)
    assert 'href="/app/beta-corp/"' in chooser and 'href="/workspaces/new"' in chooser


def test_someone_without_a_workspace_can_start_one(app, client):
    add_user(app, "solo@example.org", workspace=None)
    log_in(client, "solo@example.org")

    chooser = client.get("/app/").get_data(as_text=True)
    reply = create_by_page(client, "Solo Studio")

    assert "create a new workspace" in chooser
    assert reply.headers["Location"] == "/app/solo-studio/"


@pytest.mark.parametrize(("name", "message"), [
    ("", "Give the workspace a name."),
    ("   ", "Give the workspace a name."),
    ("x" * 201, "Use at most 200 characters."),
])
def test_a_bad_workspace_name_is_refused(ada, db_engine, name, message):
    reply = create_by_page(ada, name)

    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert len(memberships(db_engine)) == 1


def test_creating_a_workspace_needs_to_be_signed_in(client):
    assert client.get("/workspaces/new").headers["Location"] == "/login?next=/workspaces/new"


# --- the command line ------------------------------------------------------------------------

def test_cli_invite_prints_a_link_that_works(app, cli, db_engine):
    add_user(app, "ada@acme.example", workspace="acme")

    result = cli.invoke(args=["users", "invite", "Nia@Acme.example", "--workspace", "acme",
                              "--role", "sales"])

    assert result.exit_code == 0, result.output
    assert "Invited nia@acme.example to 'acme' as sales" in result.output
    link = link_in(result.output)
    assert link.startswith("http://127.0.0.1:5000/invite/")
    assert accept_new(app.test_client(), path_of(link)).status_code == 303
    assert ("nia@acme.example", "acme", "sales") in memberships(db_engine)


def test_cli_invite_uses_base_url(app, cli):
    ensure_workspace_cli(app)
    app.config["BASE_URL"] = "https://leads.acme.example"

    result = cli.invoke(args=["users", "invite", "nia@acme.example", "--workspace", "acme",
                              "--role", "admin"])

    assert link_in(result.output).startswith("https://leads.acme.example/invite/")


def ensure_workspace_cli(app) -> None:
    from app.db import write_session

    with app.app_context(), write_session() as session:
        ensure_workspace(session, "acme", "Acme")


@pytest.mark.parametrize(("args", "message"), [
    (["nia@acme.example", "--workspace", "nowhere", "--role", "sales"],
     "Unknown workspace 'nowhere'."),
    (["nia@acme.example", "--workspace", "acme", "--role", "owner"], "'owner' is not one of"),
    (["not-an-email", "--workspace", "acme", "--role", "sales"], "@"),
    (["ada@acme.example", "--workspace", "acme", "--role", "sales"],
     "ada@acme.example is already a member of Acme."),
])
def test_cli_invite_refuses_with_a_reason(app, cli, db_engine, args, message):
    add_user(app, "ada@acme.example", workspace="acme")
    with app.app_context():
        from app.db import write_session
        with write_session() as session:
            session.scalars(select(Workspace).where(Workspace.slug == "acme")).one().name = "Acme"

    result = cli.invoke(args=["users", "invite", *args])

    assert result.exit_code != 0
    assert message in result.output
    assert invitations(db_engine) == []

