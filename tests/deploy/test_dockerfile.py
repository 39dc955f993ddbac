"""The Dockerfile's essentials (building it needs a registry these tests do not rely on)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_runs_as_a_non_root_user_with_a_healthcheck():
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [value for kind, value in steps if kind == "USER"]
    assert users and users[-1] not in ("root", "0")
    healthcheck = [value for kind, value in steps if kind == "HEALTHCHECK"]
    assert healthcheck and "/healthz" in healthcheck[0]
    assert any(kind == "RUN" and re.search(r"pip install (-e )?\.", value) for kind, value in steps)
    assert ("CMD", '["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]') in steps


def test_entrypoint_migrates_only_when_asked():
    script = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert 'if [ "${LEADFORM_MIGRATE:-0}" = "1" ]' in script
    assert "flask --app wsgi db upgrade" in script and 'exec "$@"' in script


def test_dockerignore_keeps_secrets_and_databases_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"instance", ".git", ".venv", "*.db"} <= set(ignored)


def test_deploy_docs_cover_the_deployment_settings():
    from app.config import DEFAULTS

    docs = (ROOT / "docs" / "deploy.md").read_text()
    added = ["ENV", "SECRET_KEY", "SECRET_KEY_FILE", "HSTS_MAX_AGE", "HSTS_INCLUDE_SUBDOMAINS",
             "LOG_FORMAT", "LOG_LEVEL", "METRICS_TOKEN", "PROXY_FIX_X_FOR"]
    assert set(added) <= set(DEFAULTS)
    for key in added:
        assert f"`LEADFORM_{key}`" in docs, key
    for suffix in ("_X_PROTO", "_X_HOST", "_X_PORT", "_X_PREFIX"):
        assert f"`{suffix}`" in docs
    conf = (ROOT / "gunicorn.conf.py").read_text()
    for name in re.findall(r'"(LEADFORM_[A-Z_]+)"', conf):
        assert f"`{name}`" in docs, name
