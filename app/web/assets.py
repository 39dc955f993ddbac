"""Static files with content-hashed URLs, so browsers may cache them for a year."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for
from markupsafe import Markup

ONE_YEAR = 60 * 60 * 24 * 365


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """`/static/<filename>?v=<hash of its content>`; a changed file gets a new URL."""
    path = Path(current_app.static_folder or "static") / filename
    try:
        version = _digest(str(path), path.stat().st_mtime_ns)
    except OSError:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


@lru_cache(maxsize=16)
def _stylesheet(path: str, mtime_ns: int) -> tuple[str, str]:
    css = Path(path).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"'sha256-{digest}'"


def inline_stylesheet(filename: str) -> tuple[Markup, str]:
    """A stylesheet to put in the page itself, and the CSP source that allows it.

    Hosted forms inline their few KB of CSS: one request fewer before the first
    question can be drawn, and still no 'unsafe-inline'.
    """
    path = Path(current_app.static_folder or "static") / filename
    css, source = _stylesheet(str(path), path.stat().st_mtime_ns)
    return Markup(css), source  # noqa: S704 - our own stylesheet, never user input


def script_response(filename: str, max_age: int = 300) -> Response:
    """A small public script (embed.js, t.js) that other sites load by a fixed URL.

    Sent from memory rather than streamed, so it is compressed like a page and no
    file handle outlives the request; any site may load it.
    """
    path = Path(current_app.static_folder or "static") / filename
    response = Response(path.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def configure_assets(app: Flask) -> None:
    app.add_template_global(asset_url)
    app.add_template_global(lambda name: inline_stylesheet(name)[0], "inline_stylesheet")

    @app.after_request
    def _cache_versioned_assets(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response
