"""Sending alert emails over SMTP, with errors that are safe to log and say whether to retry."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_SENDER = "Leadform <alerts@localhost>"
_ADDRESS = re.compile(r"\S+@\S+")


class MailError(Exception):
    """Sending failed. The message names host:port and the SMTP reply, never who or what.

    `permanent` is True only when the server refused this message with a 5xx reply
    (sender, recipients or content): retrying the same message cannot succeed. Connection,
    TLS, login and 4xx failures are temporary: a retry (or a fixed setting) can succeed.
    """

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    sender: str = DEFAULT_SENDER
    timeout: float = 15.0

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, "
                             f"got {self.security!r}")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not (
                0 < self.port < 65536):
            raise ValueError(f"SMTP_PORT must be a number from 1 to 65535, got {self.port!r}")
        if not self.timeout > 0:
            raise ValueError(f"SMTP_TIMEOUT must be a positive number of seconds, "
                             f"got {self.timeout!r}")
        if any(c in self.sender for c in "\r\n"):
            raise ValueError("SMTP_FROM must be a single line")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """Settings from SMTP_* keys; None when SMTP_HOST is not set (email is off)."""
        host = str(config.get("SMTP_HOST") or "").strip()
        if not host:
            return None
        security = str(config.get("SMTP_SECURITY") or "starttls").strip().lower()
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, "
                             f"got {config.get('SMTP_SECURITY')!r}")
        raw_port = config.get("SMTP_PORT")
        port = DEFAULT_PORTS[security]
        if raw_port not in (None, ""):
            try:
                port = int(str(raw_port).strip())
            except ValueError:
                raise ValueError(
                    f"SMTP_PORT must be a number from 1 to 65535, got {raw_port!r}") from None
        raw_timeout = config.get("SMTP_TIMEOUT")
        timeout = 15.0
        if raw_timeout not in (None, ""):
            try:
                timeout = float(str(raw_timeout).strip())
            except ValueError:
                raise ValueError(f"SMTP_TIMEOUT must be a positive number of seconds, "
                                 f"got {raw_timeout!r}") from None
        return cls(host=host, port=port, security=security, timeout=timeout,
                   username=str(config.get("SMTP_USERNAME") or "") or None,
                   password=str(config.get("SMTP_PASSWORD") or "") or None,
                   sender=str(config.get("SMTP_FROM") or DEFAULT_SENDER).strip())


def _reply(text: Any, secrets: list[str]) -> str:
    """The server's reply, first line, with addresses and secrets taken out."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    for secret in secrets:
        if secret:
            line = line.replace(secret, "…")
    line = _ADDRESS.sub("<address>", line)
    return line[:160]


def send_email(message: EmailMessage, settings: SmtpSettings) -> None:
    """Deliver one message; raise MailError (safe to log) when the server does not take it."""
    where = f"{settings.host}:{settings.port}"
    recipients = [address for _, address in getaddresses(
        message.get_all("To", []) + message.get_all("Cc", []) + message.get_all("Bcc", []))]
    secrets = [settings.password or "", *recipients]
    from_addr = None if message["From"] else settings.sender
    context = ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
            refused = client.send_message(message, from_addr=from_addr)
    except smtplib.SMTPRecipientsRefused as exc:
        replies = [reply for reply in exc.recipients.values() if isinstance(reply, tuple)]
        code = replies[0][0] if replies else None
        reason = _reply(replies[0][1], secrets) if replies else ""
        permanent = bool(replies) and all(reply[0] >= 500 for reply in replies)
        raise MailError(f"{where} refused all {len(exc.recipients)} recipient(s): "
                        f"{code} {reason}", permanent=permanent, code=code) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"{where} rejected the login: {exc.smtp_code} "
                        f"{_reply(exc.smtp_error, secrets)}", code=exc.smtp_code) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"{where} does not support what SMTP_SECURITY/SMTP_USERNAME need: "
                        f"{_reply(exc, secrets)}") from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        raise MailError(f"{where} refused the message: {exc.smtp_code} "
                        f"{_reply(exc.smtp_error, secrets)}",
                        permanent=exc.smtp_code >= 500, code=exc.smtp_code) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"{where} answered {exc.smtp_code} {_reply(exc.smtp_error, secrets)}",
                        code=exc.smtp_code) from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with {where} failed: {type(exc).__name__}: "
                        f"{_reply(exc.reason or exc, secrets)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"could not send through {where}: {type(exc).__name__}: "
                        f"{_reply(exc, secrets)}") from None
    if refused:
        # Some recipients have it already; raising would make a retry send it to them twice.
        log.warning("%s refused %d of %d recipients", where, len(refused), len(recipients))
