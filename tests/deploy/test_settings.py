"""LEADFORM_ENV and the secret key: production refuses to start with a forgeable key."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask

from app import InsecureConfiguration, create_app
from app.config import resolve_environment, secret_key_problem


def build(tmp_path, monkeypatch, **config):
    # An instance folder of its own: a checkout's instance/secret_key must not count here.
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda _app: str(tmp_path))
    monkeypatch.delenv("LEADFORM_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **config})


@pytest.mark.parametrize("key", ["dev-only-change-me", "", "x" * 31])
def test_production_refuses_a_weak_secret_key_naming_the_setting(tmp_path, monkeypatch, key):
    with pytest.raises(InsecureConfiguration, match="LEADFORM_SECRET_KEY"):
        build(tmp_path, monkeypatch, ENV="production", SECRET_KEY=key)


def test_production_is_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADFORM_ENV", raising=False)
    with pytest.raises(InsecureConfiguration):
        build(tmp_path, monkeypatch)


def test_production_starts_with_a_long_key(tmp_path, monkeypatch):
    app = build(tmp_path, monkeypatch, SECRET_KEY=secrets.token_urlsafe(32))
    assert app.config["ENV"] == "production" and app.config["LOG_FORMAT"] == "json"


def test_development_and_testing_accept_the_default_key(tmp_path, monkeypatch):
    dev = build(tmp_path, monkeypatch, ENV="development")
    assert dev.config["LOG_FORMAT"] == "text"
    assert build(tmp_path, monkeypatch, TESTING=True).config["ENV"] == "production"


def test_the_instance_key_written_by_make_is_read(tmp_path, monkeypatch):
    key = secrets.token_urlsafe(40)
    (tmp_path / "secret_key").write_text(key + "\n")
    assert build(tmp_path, monkeypatch).config["SECRET_KEY"] == key


def test_the_key_file_is_read(tmp_path, monkeypatch):
    key = secrets.token_urlsafe(40)
    (tmp_path / "key").write_text(key + "\n")
    app = build(tmp_path, monkeypatch, SECRET_KEY_FILE=str(tmp_path / "key"))
    assert app.config["SECRET_KEY"] == key


def test_environment_resolution():
    assert resolve_environment(None, debug=True) == "development"
    assert resolve_environment(None, debug=False) == "production"
    assert resolve_environment("Development", debug=False) == "development"
    with pytest.raises(ValueError, match="LEADFORM_ENV"):
        resolve_environment("staging", debug=False)
    assert secret_key_problem("k" * 32) is None
