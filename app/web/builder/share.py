"""The Share tab: the public link, embed snippets, a QR code, and who may embed the form.

URL rules (under /app/<workspace>):
    GET  /forms/<form>/share          link, snippets, QR code, allowed domains
    GET  /forms/<form>/share/qr.svg   the QR code as a file to download
    POST /forms/<form>/share          allowed domains: action=add (domain) or remove (domain)
"""

from __future__ import annotations

from flask import Response, current_app, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import db
from app.builder.drafts import ChangeRefused, edit_draft
from app.builder.settings import put_setting
from app.builder.sharing import (
    DomainRefused,
    allowed_domains,
    qr_data_uri,
    qr_svg,
    read_domain,
    snippets,
)
from app.models import Form
from app.web.builder import bp, editor_view, form_or_404, render_editor


@bp.get("/forms/<form>/share")
@editor_view
def share(workspace: str, form: str) -> ResponseReturnValue:
    return _page(form_or_404(form))


@bp.get("/forms/<form>/share/qr.svg")
@editor_view
def share_qr(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    response = Response(qr_svg(public_url(target)), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{target.slug}-qr.svg"'
    return response


@bp.post("/forms/<form>/share")
@editor_view
def change_domains(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    domains = allowed_domains(target.draft)
    typed = request.form.get("domain", "")
    if request.form.get("action") == "remove":
        if typed not in domains:
            flash(f"{typed} was not in the list.", "info")
            return _back(target)
        wanted = [domain for domain in domains if domain != typed]
        summary = f"Removed {typed} from the sites that may embed the form"
    else:
        try:
            domain = read_domain(typed, domains)
        except DomainRefused as refused:
            return _page(target, typed=typed, error=str(refused), status=422)
        wanted = [*domains, domain]
        summary = f"Allowed {domain} to embed the form"
    session = db.session()
    try:
        edit_draft(session, target, lambda draft: put_setting(draft, "allowed_domains", wanted),
                   summary=summary, user_id=int(current_user.id))
    except ChangeRefused as refused:
        session.rollback()
        messages = refused.for_path("/settings/allowed_domains")
        return _page(target, typed=typed, error=messages[0] if messages else refused.message,
                     status=422)
    session.commit()
    flash(f"{summary}. It applies to the public form when you publish.", "success")
    return _back(target)


def public_url(form: Form) -> str:
    """The form's absolute public address: BASE_URL when set, else this request's host."""
    return site_url() + url_for("public.show_form", workspace=g.workspace.slug, form=form.slug)


def site_url() -> str:
    base = current_app.config.get("BASE_URL") or request.host_url
    return str(base).rstrip("/")


def _back(form: Form) -> ResponseReturnValue:
    url = url_for("builder.share", workspace=g.workspace.slug, form=form.slug)
    return redirect(url + "#domains", 303)


def _page(form: Form, *, typed: str = "", error: str = "",
          status: int = 200) -> ResponseReturnValue:
    link = public_url(form)
    publish_url = None
    if "builder.publish" in current_app.view_functions:
        publish_url = url_for("builder.publish", workspace=g.workspace.slug, form=form.slug)
    page = render_editor(
        "builder/share.html", form, link=link, qr=qr_data_uri(link),
        snippets=snippets(form_url=link, script_url=site_url() + url_for("public.embed_script"),
                          form_ref=f"{g.workspace.slug}/{form.slug}", name=form.name),
        domains=allowed_domains(form.draft),
        typed=typed, error=error, publish_url=publish_url,
    )
    return page, status
