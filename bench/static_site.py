"""The SurveyJS side of bench/page_weight.py: a folder served the way the app serves itself.

Flask with Flask-Compress under the app's own COMPRESS_* settings (app/config.py), so
the page is compressed like the app's pages (brotli, else gzip), and the package files
like the app's static files: by the app's own `compress_static_file` (brotli, else
gzip, compressed once and kept in memory). Run by the benchmark under the same
gunicorn settings as the app.

Served by: BENCH_SITE=<folder> gunicorn 'bench.static_site:make_app()'
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request
from flask_compress import Compress

from app.config import DEFAULTS
from app.web.assets import compress_static_file


def make_app() -> Flask:
    folder = Path(os.environ["BENCH_SITE"])
    site = Flask(__name__, static_folder=str(folder), static_url_path="/static")
    site.config.update({key: value for key, value in DEFAULTS.items()
                        if key.startswith("COMPRESS_")})
    site.config.setdefault("COMPRESS_MIN_SIZE", 500)
    Compress(site)

    @site.after_request
    def _static_files(response: Response) -> Response:
        if request.endpoint != "static":
            return response
        return compress_static_file(response)

    @site.get("/")
    def index() -> Response:
        # Rendered in memory like the app's form page, not streamed like a file.
        return Response((folder / "index.html").read_bytes(), mimetype="text/html")

    return site
