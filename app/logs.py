"""Logging: JSON lines in production, text on a developer's machine, never a secret.

python-json-logger writes the JSON (one object per line: timestamp, level, logger,
message and any `extra` fields, e.g. the request line's method, path, status). A
log record factory, installed once per process, stamps every record made inside a
request with its `request_id` and redacts its message, so any handler, pytest's
`caplog` included, sees the cleaned text; the formatters redact their whole output
too, which also covers `extra` fields and tracebacks.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

from flask import Flask, g, has_request_context
from pythonjsonlogger.json import JsonFormatter

from app.redaction import Redactor

REDACTOR = Redactor()
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
_HANDLER_MARK = "_leadform_handler"
_FACTORY_MARK = "_leadform_factory"


class RedactingJsonFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return REDACTOR.redact(super().format(record))


class RedactingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return REDACTOR.redact(super().format(record))


def make_formatter(log_format: str) -> logging.Formatter:
    """The formatter for `json` or `text` output."""
    if log_format == "json":
        return RedactingJsonFormatter(
            JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z", json_ensure_ascii=False,
        )
    if log_format == "text":
        return RedactingTextFormatter(TEXT_FORMAT, defaults={"request_id": "-"})
    raise ValueError(f"LEADFORM_LOG_FORMAT must be json or text, not {log_format!r}")


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def install_record_factory() -> None:
    """Stamp and redact every record this process creates (once, chaining the old factory)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _FACTORY_MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: logging reports it on emit
            return record
        record.msg, record.args = REDACTOR.redact(message), None
        if has_request_context():
            record.request_id = g.get("request_id")
        return record

    setattr(factory, _FACTORY_MARK, True)
    logging.setLogRecordFactory(factory)


def configure_logging(app: Flask) -> None:
    """Redaction always; a stderr handler on the root logger unless testing (pytest captures)."""
    install_record_factory()
    REDACTOR.add_known([app.config.get("SECRET_KEY"), app.config.get("SMTP_PASSWORD"),
                        app.config.get("METRICS_TOKEN")])
    log_format = app.config.get("LOG_FORMAT") or (
        "text" if app.config["ENV"] == "development" else "json")
    app.config["LOG_FORMAT"] = str(log_format).lower()
    formatter = make_formatter(app.config["LOG_FORMAT"])
    if app.testing:
        return
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _HANDLER_MARK, False)), None)
    if handler is None:
        handler = _StderrHandler()
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    handler.setFormatter(formatter)
    root.setLevel(str(app.config.get("LOG_LEVEL") or "INFO").upper())
