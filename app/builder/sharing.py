"""Sharing a form: its embed snippets, its QR code, and the hosts allowed to frame it.

Pure: takes the form's public address and names, returns text. Snippets are
HTML that people paste into their sites, so every value in them is escaped
here, once; the page that shows them escapes them again as text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import segno
from markupsafe import escape

# The schema's pattern for settings.allowed_domains (a test keeps them equal).
DOMAIN_PATTERN = (
    "^(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
    "(:[0-9]{1,5})?$"
)
_DOMAIN = re.compile(DOMAIN_PATTERN[1:-1])
MAX_DOMAIN = 253
QR_ERROR_LEVEL = "m"  # survives a smudge or a logo sticker, still small for short links


@dataclass(frozen=True)
class Snippet:
    key: str
    label: str
    help: str
    code: str


def snippets(*, form_url: str, script_url: str, form_ref: str, name: str) -> list[Snippet]:
    """The link, inline and popup snippets of README's "Embedding" section, for one form."""
    url, script, ref, text = (escape(value) for value in (form_url, script_url, form_ref, name))
    loader = f'<script src="{script}" async></script>'
    return [
        Snippet("link", "Link", "A plain link, for emails, buttons and social posts.",
                f'<a href="{url}">{text}</a>'),
        Snippet("inline", "Inline", "The form inside your page, growing with its content.",
                f'<div data-leadform="{ref}"></div>\n{loader}'),
        Snippet("popup", "Popup", "A button that opens the form in a dialog.",
                f'<button data-leadform="{ref}" data-leadform-mode="popup">{text}</button>\n'
                f"{loader}"),
    ]


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR_LEVEL, micro=False)


def qr_data_uri(url: str) -> str:
    """The link's QR code as an SVG `data:` URI (black on white, with the quiet zone)."""
    return str(qr_code(url).svg_data_uri(scale=4, border=4, dark="#000", light="#fff"))


def qr_svg(url: str) -> bytes:
    """The link's QR code as an SVG file to download and print."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", scale=10, border=4, dark="#000", light="#fff",
                      title=url)
    return out.getvalue()


# --- allowed domains -------------------------------------------------------------------


class DomainRefused(ValueError):
    """What is wrong with a host name someone typed, in words they can act on."""


def read_domain(text: str, existing: list[str]) -> str:
    """A typed host name, lower-cased and checked; raises DomainRefused with the reason."""
    domain = text.strip().lower()
    if not domain:
        raise DomainRefused("Enter a host name, such as www.example.com.")
    if "://" in domain or "/" in domain:
        host = urlsplit(domain if "://" in domain else f"//{domain}").netloc
        hint = f" here: {host}" if host and _DOMAIN.fullmatch(host) else ""
        raise DomainRefused("Enter only the host name, without https:// or a path"
                            f"{hint}.")
    if not domain.isascii():
        domain = _punycode(domain)
    if len(domain) > MAX_DOMAIN:
        raise DomainRefused(f"That host name is too long: at most {MAX_DOMAIN} characters.")
    if not _DOMAIN.fullmatch(domain):
        raise DomainRefused(
            f"'{domain}' is not a host name such as www.example.com: use letters, digits, "
            "'-' and dots; '*.' in front allows every subdomain, ':8080' pins a port.")
    if domain in existing:
        raise DomainRefused(f"{domain} is already in the list.")
    return domain


def _punycode(domain: str) -> str:
    """'bücher.example' as 'xn--bcher-kva.example', the form browsers compare."""
    wildcard = domain.startswith("*.")
    host, _, port = domain.removeprefix("*.").partition(":")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise DomainRefused(f"'{domain}' is not a host name such as www.example.com.") from None
    return ("*." if wildcard else "") + ascii_host + (f":{port}" if port else "")


def allowed_domains(definition: dict[str, Any]) -> list[str]:
    settings = definition.get("settings")
    domains = settings.get("allowed_domains") if isinstance(settings, dict) else None
    return [domain for domain in domains if isinstance(domain, str)] if isinstance(
        domains, list) else []
