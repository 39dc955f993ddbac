"""Security headers: who may frame which page, and what a page may load."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, request

_HOST = re.compile(r"^(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?$")

BASE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; object-src 'none'"
)

# Back office pages: nothing inline, never framed, forms post only to us.
BACKOFFICE_POLICY = f"{BASE_POLICY}; frame-ancestors 'none'; form-action 'self'"


def frame_ancestors(definition: dict[str, Any]) -> str:
    """The form's allowed embedding hosts; none listed means any site may embed it."""
    allowed = (definition.get("settings") or {}).get("allowed_domains") or []
    hosts = [
        host.lower() for host in allowed if isinstance(host, str) and _HOST.match(host.lower())
    ]
    if not hosts:
        return "frame-ancestors *"
    sources = " ".join(f"https://{host} http://{host}" for host in hosts)
    return f"frame-ancestors 'self' {sources}"


def form_page_headers(response: Response, definition: dict[str, Any]) -> None:
    """Form pages may be framed as the form allows, and carry their CSS inline.

    The theme's own `<style>` is allowed by its hash, and its logo's https
    origin (checked by app.builder.theme) may serve images to this page only.
    """
    from app.web.assets import inline_stylesheet
    from app.web.form_page import page_theme

    _, style_source = inline_stylesheet("public.css")
    theme = page_theme(definition)
    styles = " ".join(source for source in (style_source, theme.style_source) if source)
    policy = BASE_POLICY.replace("style-src 'self'", f"style-src 'self' {styles}")
    if theme.logo_source:
        policy = policy.replace("img-src 'self' data:", f"img-src 'self' data: {theme.logo_source}")
    response.headers["Content-Security-Policy"] = f"{policy}; {frame_ancestors(definition)}"


def preview_headers(response: Response, definition: dict[str, Any]) -> None:
    """The editor's preview: a form page that only the back office itself may frame."""
    form_page_headers(response, definition)
    policy = response.headers["Content-Security-Policy"]
    response.headers["Content-Security-Policy"] = (
        policy[: policy.index("frame-ancestors")] + "frame-ancestors 'self'")


def backoffice_headers(response: Response) -> Response:
    """Signed-in pages: the strict policy, and no copy kept by browsers or proxies.

    A back office view that sets its own policy (the editor's preview) keeps it.
    """
    response.headers.setdefault("Content-Security-Policy", BACKOFFICE_POLICY)
    response.headers["Cache-Control"] = "no-store"
    return response


def configure_security_headers(app: Flask) -> None:
    @app.after_request
    def _defaults(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Also for stylesheets: the requests their url()s make follow it.
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.endpoint == "static" and response.status_code < 400:
            return response  # a script or stylesheet: page policies do not apply to it
        # Pages that set their own policy (hosted forms) keep it; everything else, the
        # back office and error pages (a missing static file's too) included, may not
        # be framed at all.
        response.headers.setdefault(
            "Content-Security-Policy", f"{BASE_POLICY}; frame-ancestors 'none'"
        )
        return response

    @app.after_request
    def _hsts(response: Response) -> Response:
        # Browsers ignore HSTS over http, and sending it there could pin a host that
        # has no TLS yet: only secure requests (direct, or via a trusted proxy) get it.
        header = hsts_header(app.config.get("HSTS_MAX_AGE"),
                             bool(app.config.get("HSTS_INCLUDE_SUBDOMAINS", True)))
        if header and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", header)
        return response


def hsts_header(max_age: object, include_subdomains: bool) -> str | None:
    """The Strict-Transport-Security value, or None when HSTS is off (max-age 0)."""
    seconds = int(max_age or 0)
    if seconds <= 0:
        return None
    return f"max-age={seconds}" + ("; includeSubDomains" if include_subdomains else "")
