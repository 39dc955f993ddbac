"""What anyone on the internet can reach: hosted forms and their public contracts."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from app.forms import load_schema

bp = Blueprint("public", __name__)

# URL rules of this blueprint, in one place:
#   GET /                               landing page
#   GET /schema/form-definition.json    the definition JSON Schema


@bp.get("/")
def index() -> str:
    return render_template("public/index.html")


@bp.get("/schema/form-definition.json")
def definition_schema() -> Response:
    response = jsonify(load_schema())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.mimetype = "application/schema+json"
    return response
