"""Static files with content-hashed URLs, so browsers may cache them for a year."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

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


def configure_assets(app: Flask) -> None:
    app.add_template_global(asset_url)

    @app.after_request
    def _cache_versioned_assets(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response
