"""The SMTP sender against a real SMTP server (aiosmtpd on 127.0.0.1), and its settings."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.alerts.mail import MailError, SmtpSettings, send_email
from app.alerts.messages import sales_alert_email

USERNAME = "leadform"
PASSWORD = "s3cret-Pa55word"
RECIPIENT = "priya@demo.example"
EVENT = {
    "id": "evt_mail1",
    "type": "lead.qualified",
    "created_at": "2024-12-01T14:58:12+00:00",
    "data": {
        "lead": {"id": 7, "total": 65, "url": "https://leadform.example/app/demo/leads/7"},
        "contact": {"name": "Ada Lovelace", "company": "Acme", "email": "ada@acme.example"},
        "response": {"answers": [{"label": "Secret plan", "value": "BODY-MARKER-42"}]},
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps what it accepts and can be told to refuse."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.rcpt_reply: str | None = None
        self.data_reply = "250 Message accepted for delivery"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply.startswith("250"):
            self.envelopes.append(envelope)
        return self.data_reply


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USERNAME.encode() and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Recorder, int]]]:
    """Start a recording SMTP server on a free port; every one is stopped afterwards."""
    controllers: list[Controller] = []

    def start(**server_options: Any) -> tuple[Recorder, int]:
        handler = Recorder()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **server_options)
        controller.start()
        controllers.append(controller)
        return handler, port

    yield start
    for controller in controllers:
        controller.stop()


def plain(port: int, **overrides: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5.0, **overrides)


def alert() -> EmailMessage:
    return sales_alert_email(EVENT, sender="Leadform <alerts@demo.example>", to=[RECIPIENT])


def test_message_arrives_with_recipient_subject_and_both_parts(smtp_server):
    handler, port = smtp_server()

    send_email(alert(), plain(port))

    [envelope] = handler.envelopes
    assert envelope.mail_from == "alerts@demo.example"
    assert envelope.rcpt_tos == [RECIPIENT]
    received = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Subject"] == "New SQL: Ada Lovelace (Acme), score 65"
    assert received["Message-ID"] == "<evt_mail1@leadform>"
    assert received.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in received.iter_parts()] == [
        "text/plain", "text/html"]
    assert "BODY-MARKER-42" in received.get_body(("plain",)).get_content()


def test_login_with_credentials_then_send(smtp_server):
    handler, port = smtp_server(authenticator=check_login, auth_require_tls=False)

    send_email(alert(), plain(port, username=USERNAME, password=PASSWORD))

    assert len(handler.envelopes) == 1


def test_failed_login_is_temporary_and_never_shows_the_password(smtp_server):
    handler, port = smtp_server(authenticator=check_login, auth_require_tls=False)
    wrong = "wrong-" + PASSWORD

    with pytest.raises(MailError) as caught:
        send_email(alert(), plain(port, username=USERNAME, password=wrong))

    error = caught.value
    assert f"127.0.0.1:{port}" in str(error)
    assert error.code == 535
    assert not error.permanent
    for text in (str(error), repr(error), repr(error.args)):
        assert wrong not in text and PASSWORD not in text
    assert error.__cause__ is None and error.__suppress_context__
    assert handler.envelopes == []


def test_refused_connection_is_a_temporary_error():
    port = free_port()

    with pytest.raises(MailError) as caught:
        send_email(alert(), plain(port))

    assert not caught.value.permanent
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_550_on_data_is_permanent_and_names_no_recipient_or_body(smtp_server):
    handler, port = smtp_server()
    handler.data_reply = f"550 5.7.1 Message to {RECIPIENT} rejected as spam"

    with pytest.raises(MailError) as caught:
        send_email(alert(), plain(port))

    error = caught.value
    assert error.permanent and error.code == 550
    assert "rejected as spam" in str(error)
    assert RECIPIENT not in str(error) and "BODY-MARKER-42" not in str(error)


def test_refused_recipient_is_permanent_and_its_address_is_hidden(smtp_server):
    handler, port = smtp_server()
    handler.rcpt_reply = f"550 5.1.1 <{RECIPIENT}>: Recipient address rejected"

    with pytest.raises(MailError) as caught:
        send_email(alert(), plain(port))

    assert caught.value.permanent and caught.value.code == 550
    assert RECIPIENT not in str(caught.value)
    assert "Recipient address rejected" in str(caught.value)


def test_4xx_reply_is_temporary(smtp_server):
    handler, port = smtp_server()
    handler.data_reply = "451 4.3.0 Try again later"

    with pytest.raises(MailError) as caught:
        send_email(alert(), plain(port))

    assert not caught.value.permanent and caught.value.code == 451


def test_starttls_setting_never_falls_back_to_plain_text(smtp_server):
    handler, port = smtp_server()  # offers no STARTTLS

    with pytest.raises(MailError, match="STARTTLS") as caught:
        send_email(alert(), SmtpSettings(host="127.0.0.1", port=port, timeout=5.0))

    assert not caught.value.permanent
    assert handler.envelopes == []


# -- settings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("config", [{}, {"SMTP_HOST": ""}, {"SMTP_HOST": "  "},
                                    {"SMTP_HOST": None, "SMTP_PORT": "25"}])
def test_no_host_means_email_is_off(config):
    assert SmtpSettings.from_config(config) is None


def test_settings_from_config_read_every_key():
    settings = SmtpSettings.from_config({
        "SMTP_HOST": "smtp.example.com", "SMTP_PORT": "2525", "SMTP_USERNAME": "u",
        "SMTP_PASSWORD": "p", "SMTP_SECURITY": "SSL", "SMTP_FROM": "Leads <l@example.com>",
        "SMTP_TIMEOUT": "3.5"})

    assert settings == SmtpSettings(host="smtp.example.com", port=2525, username="u",
                                    password="p", security="ssl",
                                    sender="Leads <l@example.com>", timeout=3.5)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_port_defaults_to_the_one_for_the_security_mode(security, port):
    settings = SmtpSettings.from_config({"SMTP_HOST": "mx", "SMTP_SECURITY": security})

    assert settings is not None and settings.port == port


def test_empty_credentials_mean_no_login():
    settings = SmtpSettings.from_config({"SMTP_HOST": "mx", "SMTP_USERNAME": "",
                                         "SMTP_PASSWORD": ""})

    assert settings is not None and settings.username is None and settings.password is None


@pytest.mark.parametrize(("key", "value", "message"), [
    ("SMTP_PORT", "smtp", "SMTP_PORT"),
    ("SMTP_PORT", "70000", "SMTP_PORT"),
    ("SMTP_PORT", "0", "SMTP_PORT"),
    ("SMTP_SECURITY", "tls", "SMTP_SECURITY must be one of starttls, ssl, none"),
    ("SMTP_TIMEOUT", "soon", "SMTP_TIMEOUT"),
    ("SMTP_TIMEOUT", "-1", "SMTP_TIMEOUT"),
    ("SMTP_FROM", "a@example.com\r\nBcc: x@example.com", "SMTP_FROM"),
])
def test_bad_settings_raise_a_clear_value_error(key, value, message):
    with pytest.raises(ValueError, match=message):
        SmtpSettings.from_config({"SMTP_HOST": "mx", key: value})


def test_password_is_not_in_the_settings_repr():
    settings = SmtpSettings(host="mx", username="u", password=PASSWORD)

    assert PASSWORD not in repr(settings)
