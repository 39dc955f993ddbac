"""Trusting a reverse proxy's X-Forwarded-* headers, only as far as configured."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

# Setting → ProxyFix argument: how many proxies in front set each header.
HEADERS = {
    "PROXY_FIX_X_FOR": "x_for",
    "PROXY_FIX_X_PROTO": "x_proto",
    "PROXY_FIX_X_HOST": "x_host",
    "PROXY_FIX_X_PORT": "x_port",
    "PROXY_FIX_X_PREFIX": "x_prefix",
}


def trust_proxy_headers(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when any header is trusted (all 0: headers are ignored).

    A header trusted without a proxy that overwrites it lets any client spoof its
    address (rate limits) or the scheme (secure cookies, HSTS), so the default is off.
    """
    counts = {argument: int(app.config.get(setting) or 0) for setting, argument in HEADERS.items()}
    if any(count < 0 for count in counts.values()):
        raise ValueError("LEADFORM_PROXY_FIX_* settings count proxies: 0 or more")
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]
