"""Static files with content-hashed URLs, so browsers may cache them for a year."""

from __future__ import annotations

import base64
import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import Flask, Response, current_app, request, url_for
from markupsafe import Markup
from werkzeug.security import safe_join

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


def minified(path: str, data: bytes) -> bytes:
    """Our own scripts and stylesheets without comments and spaces (vendored .min files
    are left as they are)."""
    if ".min." in Path(path).name:
        return data
    if path.endswith(".js"):
        return rjsmin.jsmin(data.decode("utf-8")).encode("utf-8")
    if path.endswith(".css"):
        return rcssmin.cssmin(data.decode("utf-8")).encode("utf-8")
    return data


@lru_cache(maxsize=16)
def _stylesheet(path: str, mtime_ns: int) -> tuple[str, str]:
    css = minified(path, Path(path).read_bytes()).decode("utf-8")
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


@lru_cache(maxsize=64)
def _compressed(path: str, mtime_ns: int, encoding: str) -> bytes:
    """A static file's bytes minified and compressed once (the mtime keys a changed file)."""
    data = minified(path, Path(path).read_bytes())
    if encoding == "br":
        return bytes(brotli.compress(data, quality=11))
    return gzip.compress(data, compresslevel=9, mtime=0)


def _chosen_encoding() -> str | None:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted.quality(encoding) > 0:
            return encoding
    return None


def compress_static_file(response: Response) -> Response:
    """Send a compressible static file compressed (brotli, else gzip) from memory.

    Flask streams static files from disk; compressing that stream on every request
    costs CPU and, wrapped by Flask-Compress, leaves the file handle open. The
    files are few and immutable, so each is compressed once per encoding.
    """
    if (request.method != "GET" or response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.mimetype not in current_app.config["COMPRESS_MIMETYPES"]
            or (response.content_length or 0) < current_app.config["COMPRESS_MIN_SIZE"]):
        return response
    encoding = _chosen_encoding()
    folder = current_app.static_folder
    path = safe_join(folder, (request.view_args or {}).get("filename", "")) if folder else None
    if encoding is None or path is None:
        return response
    try:
        body = _compressed(path, Path(path).stat().st_mtime_ns, encoding)
    except OSError:
        return response
    response.close()  # the streamed file it would have sent
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    # An immutable file revalidates by ETag; these would only add bytes to every load.
    for header in ("Content-Disposition", "Last-Modified", "Accept-Ranges"):
        response.headers.pop(header, None)
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}:{encoding}", weak=weak)
    return response.make_conditional(request)  # If-None-Match names the encoded ETag


def configure_assets(app: Flask) -> None:
    app.add_template_global(asset_url)
    app.add_template_global(lambda name: inline_stylesheet(name)[0], "inline_stylesheet")
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)

    # Registered after Flask-Compress, so it runs before it (Flask runs these last
    # first) and Flask-Compress sees a response that is already encoded.
    @app.after_request
    def _static_files(response: Response) -> Response:
        if request.endpoint != "static":
            return response
        if request.args.get("v") and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return compress_static_file(response)
