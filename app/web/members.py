"""Workspace members and invitations: the admins' Members page, and the invitation link.

Views parse with flask-wtf and call `app.accounts.members` / `.invitations`. An
invitation link is shown once, on the page that answers the POST that made it
(never in a flash message, which would put it in the session cookie), and
emailed too when SMTP is configured. Only a hash of its token is stored.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from app import db
from app.accounts import MAX_LENGTH, AccountError, InvalidEmail, WeakPassword, find_user
from app.accounts.invitations import (
    INVITATION_DAYS,
    AlreadyMember,
    InvitationError,
    InvitationUnusable,
    accept_as,
    accept_as_new_user,
    invitation_email,
    invite,
    pending_invitations,
    revoke,
    status,
    usable_invitation,
)
from app.accounts.members import LastAdmin, NotAMember, change_role, list_members, remove_member
from app.alerts.mail import MailError, SmtpSettings, send_email
from app.extensions import limiter
from app.models import Invitation, User, Workspace, utcnow
from app.models.workspace import ROLES
from app.web.access import add_nav_item, protect_backoffice, workspace_member
from app.web.login import sign_in

bp = Blueprint("members", __name__, url_prefix="/app/<workspace>/members")
protect_backoffice(bp)
add_nav_item(bp, "Members", "members.index", roles=("admin",), order=90)

invite_bp = Blueprint("invitations", __name__)
protect_backoffice(invite_bp)

# URL rules, in one place.
# members (admins only):
#   GET  /app/<ws>/members/                           members, pending invitations, invite form
#   POST /app/<ws>/members/invitations                invite (the link is shown once)
#   POST /app/<ws>/members/invitations/<id>/revoke    withdraw a pending invitation
#   POST /app/<ws>/members/<user_id>/role             change a member's role
#   POST /app/<ws>/members/<user_id>/remove           take a member out of the workspace
# invitations (anyone with the link):
#   GET  /invite/<token>     what the link is for, and how to accept
#   POST /invite/<token>     accept: a new person sets name and password; a signed-in
#                            user with the invited email joins

ROLE_LABELS = {"admin": "Admin", "marketer": "Marketer", "sales": "Sales"}
ROLE_HELP = {
    "admin": "Everything, including members and alerts",
    "marketer": "Forms, scoring and routing",
    "sales": "Leads and their calendar",
}
ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter the person's email address."),
                                            Length(max=320)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="marketer")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ActionForm(FlaskForm):
    """Buttons that change something: only the CSRF token."""


class AcceptForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired("Enter your name."),
                                                Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired("Choose a password."),
                                                     Length(max=MAX_LENGTH)])
    confirm = PasswordField("Password again", validators=[
        DataRequired("Enter the password again."),
        EqualTo("password", "The two passwords are not the same."),
    ])


# --- the Members page ---------------------------------------------------------------------

def _index(form: InviteForm, status_code: int = 200, problem: dict[str, Any] | None = None
           ) -> ResponseReturnValue:
    db_session = db.session()
    now = utcnow()
    invitations = [{"invitation": invitation, "status": status(invitation, now)}
                   for invitation in pending_invitations(db_session, g.workspace.id)]
    return render_template(
        "backoffice/members.html", form=form, members=list_members(db_session, g.workspace.id),
        invitations=invitations, action=ActionForm(), roles=ROLES, role_labels=ROLE_LABELS,
        role_help=ROLE_HELP, problem=problem or {}, days=INVITATION_DAYS,
    ), status_code


@bp.get("/")
@workspace_member("admin")
def index(workspace: str) -> ResponseReturnValue:
    return _index(InviteForm(formdata=None))


@bp.post("/invitations")
@workspace_member("admin")
def invite_someone(workspace: str) -> ResponseReturnValue:
    form = InviteForm()
    if not form.validate():
        return _index(form, 422)
    try:
        with db.write_session() as write:
            inviter = write.get(User, int(current_user.id))
            target = write.get(Workspace, g.workspace.id)
            assert target is not None  # workspace_member just found it
            made = invite(write, target, form.email.data or "", form.role.data or "",
                          invited_by=inviter, now=utcnow())
            invitation = made.invitation
            inviter_name = (inviter.name or inviter.email) if inviter else ""
    except AccountError as error:  # InvalidEmail, AlreadyMember, UnknownRole
        form.email.errors = [str(error)] if not isinstance(error, InvalidEmail) else [
            f"That email address is not valid: {error}"]
        return _index(form, 422)
    link = invitation_link(made.token)
    mailed, mail_problem = _email_invitation(invitation.email, invitation.role,
                                             inviter_name, link, invitation.expires_at)
    return render_template("backoffice/member_invited.html", invitation=invitation, link=link,
                           mailed=mailed, mail_problem=mail_problem, replaced=made.replaced,
                           role_label=ROLE_LABELS[invitation.role])


def invitation_link(token: str) -> str:
    """The absolute link: on BASE_URL when set (behind a proxy), else this request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for("invitations.accept", token=token)
    return url_for("invitations.accept", token=token, _external=True)


def _email_invitation(to: str, role: str, inviter: str, link: str, expires_at: Any
                      ) -> tuple[bool, str | None]:
    """(sent, why not). Not sent and no reason: email is off."""
    try:
        settings = SmtpSettings.from_config(current_app.config)
    except ValueError as error:
        return False, f"the email settings are wrong ({error})"
    if settings is None:
        return False, None
    message = invitation_email(to=to, workspace_name=g.workspace.name, role=role,
                               inviter=inviter, link=link, expires_at=expires_at,
                               sender=settings.sender)
    try:
        send_email(message, settings)
    except MailError as error:
        current_app.logger.warning("invitation email not sent: %s", error)
        return False, str(error)
    return True, None


@bp.post("/invitations/<int:invitation_id>/revoke")
@workspace_member("admin")
def revoke_invitation(workspace: str, invitation_id: int) -> ResponseReturnValue:
    if ActionForm().validate():
        with db.write_session() as write:
            found = write.get(Invitation, invitation_id)
            if found is None or found.workspace_id != g.workspace.id:
                abort(404)  # unknown, or another workspace's invitation (invariant 8)
            invitation = revoke(write, g.workspace.id, invitation_id, utcnow())
            email = invitation.email if invitation else None
        if email:
            flash(f"The invitation to {email} no longer works.", "success")
        else:
            flash("That invitation was already used or withdrawn.", "info")
    return redirect(url_for(".index", workspace=workspace), 303)


@bp.post("/<int:user_id>/role")
@workspace_member("admin")
def set_role(workspace: str, user_id: int) -> ResponseReturnValue:
    form = RoleForm()
    if not form.validate():
        return _index(InviteForm(formdata=None), 422, {
            "user_id": user_id, "message": "Choose one of the roles."})
    try:
        with db.write_session() as write:
            membership, before = change_role(write, g.workspace.id, user_id, form.role.data)
            who = membership.user.name or membership.user.email
    except NotAMember:
        abort(404)  # not a member here, maybe of another workspace (invariant 8)
    except LastAdmin as error:
        return _index(InviteForm(formdata=None), 409, {"user_id": user_id,
                                                       "message": str(error)})
    if before != form.role.data:
        flash(f"{who} is now {ROLE_LABELS[form.role.data].lower()} (was "
              f"{ROLE_LABELS[before].lower()}).", "success")
    if user_id == int(current_user.id) and form.role.data != "admin":
        return redirect(url_for("backoffice.home", workspace=workspace), 303)
    return redirect(url_for(".index", workspace=workspace), 303)


@bp.post("/<int:user_id>/remove")
@workspace_member("admin")
def remove(workspace: str, user_id: int) -> ResponseReturnValue:
    if not ActionForm().validate():
        return redirect(url_for(".index", workspace=workspace), 303)
    try:
        with db.write_session() as write:
            membership = remove_member(write, g.workspace.id, user_id)
            who = membership.user.name or membership.user.email
    except NotAMember:
        abort(404)  # not a member here, maybe of another workspace (invariant 8)
    except LastAdmin as error:
        return _index(InviteForm(formdata=None), 409, {"user_id": user_id,
                                                       "message": str(error)})
    if user_id == int(current_user.id):
        flash(f"You left {g.workspace.name}.", "success")
        return redirect(url_for("backoffice.workspaces"), 303)
    flash(f"{who} is no longer a member of {g.workspace.name}.", "success")
    return redirect(url_for(".index", workspace=workspace), 303)


# --- the invitation link ------------------------------------------------------------------

def _no_referrer(response: Any) -> Any:
    """The token is in the address: never hand it to another site."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


invite_bp.after_request(_no_referrer)


def _invitation_page(token: str, form: AcceptForm | None = None, status_code: int = 200,
                     problem: str | None = None) -> ResponseReturnValue:
    db_session = db.session()
    try:
        invitation = usable_invitation(db_session, token, utcnow())
    except InvitationUnusable as error:
        code = 404 if error.reason == "unknown" else 410
        return render_template("backoffice/invitation.html", problem=str(error),
                               invitation=None), code
    has_account = find_user(db_session, invitation.email) is not None
    signed_in_as = current_user.email if current_user.is_authenticated else None
    return render_template(
        "backoffice/invitation.html", invitation=invitation, token=token,
        workspace_name=invitation.workspace.name, role_label=ROLE_LABELS[invitation.role],
        role_help=ROLE_HELP[invitation.role], has_account=has_account,
        signed_in_as=signed_in_as,
        right_account=bool(signed_in_as) and signed_in_as.lower() == invitation.email,
        form=form or AcceptForm(formdata=None), action=ActionForm(), problem=problem,
    ), status_code


@invite_bp.get("/invite/<token>")
def accept_page(token: str) -> ResponseReturnValue:
    return _invitation_page(token)


@invite_bp.post("/invite/<token>")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def accept(token: str) -> ResponseReturnValue:
    if current_user.is_authenticated:
        return _join_signed_in(token)
    form = AcceptForm()
    if not form.validate():
        return _invitation_page(token, form, 422)
    try:
        with db.write_session() as write:
            user, membership = accept_as_new_user(
                write, token, name=form.name.data or "", password=form.password.data or "",
                now=utcnow())
            slug, name = membership.workspace.slug, membership.workspace.name
    except WeakPassword as error:
        form.password.errors = [str(error)]
        return _invitation_page(token, form, 422)
    except InvitationUnusable:
        return _invitation_page(token, form, 422)
    except InvitationError as error:
        return _invitation_page(token, form, 422, str(error))
    # A fresh session: nothing from before signing in carries over.
    session.clear()
    sign_in(user)
    flash(f"Welcome to {name}!", "success")
    return redirect(url_for("backoffice.home", workspace=slug), 303)


def _join_signed_in(token: str) -> ResponseReturnValue:
    if not ActionForm().validate():
        return _invitation_page(token, status_code=422)
    try:
        with db.write_session() as write:
            user = write.get(User, int(current_user.id))
            assert user is not None  # the user loader just found it
            membership = accept_as(write, token, user, utcnow())
            slug, name = membership.workspace.slug, membership.workspace.name
    except InvitationUnusable:
        return _invitation_page(token, status_code=422)
    except AlreadyMember as error:
        return _invitation_page(token, status_code=409, problem=str(error))
    except InvitationError as error:
        return _invitation_page(token, status_code=422, problem=str(error))
    flash(f"You joined {name}.", "success")
    return redirect(url_for("backoffice.home", workspace=slug), 303)


@invite_bp.post("/invite/<token>/sign-out")
def sign_out_to_accept(token: str) -> ResponseReturnValue:
    """Signed in as someone else: sign out and come back to the invitation."""
    if ActionForm().validate():
        logout_user()
        session.clear()
    return redirect(url_for(".accept_page", token=token), 303)
