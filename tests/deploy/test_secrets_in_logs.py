"""No secret reaches a log line: not the app's own flows, nor a careless log call."""

from __future__ import annotations

import io
import logging
import secrets

import pytest

from app.logs import make_formatter
from app.redaction import REDACTED, Redactor
from tests.web.backoffice import log_in

SMTP_PASSWORD = "smtp-" + secrets.token_urlsafe(16)


@pytest.fixture
def json_log(api_app):
    """Everything logged during the test, as the production JSON formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_secrets_never_reach_the_logs(api_app, make_token, json_log, caplog):
    caplog.set_level(logging.DEBUG)
    api_app.config.update(SMTP_PASSWORD=SMTP_PASSWORD, SECRET_KEY=secrets.token_urlsafe(32))
    from app.logs import REDACTOR
    REDACTOR.add_known([SMTP_PASSWORD, api_app.config["SECRET_KEY"]])
    client = api_app.test_client()
    assert log_in(client, "admin@demo.example", "leadform-demo").status_code == 303
    token = make_token()
    assert client.get("/api/v1/forms", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 200
    made = api_app.test_cli_runner().invoke(args=[
        "alerts", "add-endpoint", "--workspace", "demo", "--kind", "webhook", "--name", "Hook",
        "--url", "http://127.0.0.1:9/hook"])
    webhook_secret = next(word for word in made.output.split() if word.startswith("whsec_"))
    # Careless calls a developer might write: the filter still takes the values out.
    log = logging.getLogger("leadform.test")
    log.info("smtp login %s", {"username": "alerts", "password": SMTP_PASSWORD})
    log.info("request headers: Authorization: Bearer %s; Cookie: session=abc123def456", token)
    log.warning("signing with %s and key %s", webhook_secret, api_app.config["SECRET_KEY"])
    log.info("extra fields", extra={"api_key": token})
    written = json_log.getvalue() + "\n".join(r.getMessage() for r in caplog.records)
    assert "smtp login" in written and REDACTED in written
    for secret in ("leadform-demo", token, webhook_secret, SMTP_PASSWORD,
                   api_app.config["SECRET_KEY"], "abc123def456"):
        assert secret not in written, secret


@pytest.mark.parametrize(("text", "expected"), [
    ("password=hunter2 next", f"password={REDACTED} next"),
    ('{"token": "abc", "n": 1}', f'{{"token": "{REDACTED}", "n": 1}}'),
    ("Authorization: Bearer abcdefgh12345", f"Authorization: {REDACTED}"),
    ("GET /x?api_key=k1&page=2", f"GET /x?api_key={REDACTED}&page=2"),
    ("tokens: 5 and session_count 3", "tokens: 5 and session_count 3"),
])
def test_redaction_by_key(text, expected):
    assert Redactor().redact(text) == expected


def test_known_values_are_redacted_but_short_ones_ignored():
    redactor = Redactor()
    redactor.add_known(["s3cr3t-value-long", "test"])
    assert redactor.redact("a s3cr3t-value-long test") == f"a {REDACTED} test"


@pytest.mark.parametrize("name", [
    "password", "passwd", "pwd", "secret", "secret_key", "client_secret", "token",
    "access_token", "refresh_token", "api_key", "api-key", "apikey", "authorization", "cookie",
    "set-cookie", "session", "smtp_password", "signature", "webhook_secret", "webhook-secret",
    "x-csrftoken", "csrf_token", "PASSWORD", "Api-Key", "X-CSRFToken",
])
def test_every_secret_name_is_redacted_despite_the_quick_precheck(name):
    """The redactor skips its patterns on lines without a secret word: none may slip by."""
    assert Redactor().redact(f"{name}=s3cr3tvalue9 ok") == f"{name}={REDACTED} ok"


@pytest.mark.parametrize("text", [
    "sent with Bearer abcdefgh12345678", "BASIC dXNlcjpwYXNzd29yZA==",
    "header whsec_" + "A" * 24, "lf_" + "b" * 30 + " was used"])
def test_own_secret_shapes_are_redacted_despite_the_quick_precheck(text):
    assert REDACTED in Redactor().redact(text)
