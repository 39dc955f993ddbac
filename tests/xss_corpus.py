"""Hostile text for the XSS sweeps (tests/unit/test_alert_escaping.py, tests/e2e/test_xss.py).

Each payload that ran as script would add one to `window.__xss` (or open a dialog), and each
one that became markup would leave an element or attribute the sweeps look for. Plain data.
"""

from __future__ import annotations

BUMP = "window.__xss=(window.__xss||0)+1"

PAYLOADS: tuple[str, ...] = (
    f"<script>{BUMP}</script>",
    f'"><img src=x onerror="{BUMP}">',
    f"'><svg onload='{BUMP}'>",
    f"javascript:{BUMP}",
    f'<a href="javascript:{BUMP}">click</a>',
    f"</textarea></title></style><script>{BUMP}</script>",
    f"</script><script>{BUMP}</script>",
    f'" autofocus onfocus="{BUMP}" x="',
    f"' onmouseover='{BUMP}' x='",
    f"<details open ontoggle=\"{BUMP}\">",
    f'<iframe srcdoc="<script>parent.{BUMP}</script>"></iframe>',
    "{{7*7}} {% raw %}${7*7}#{7*7}",
    "\u202eevil\u202c \uff1cscript\uff1ealert(1)\uff1c/script\uff1e \u2028\u200b",
    "<!channel> <@U123> <http://evil.example|click here> &amp; @here",
)

# A payload that is also a plausible email address or URL, where fields insist on one.
EMAIL_PAYLOAD = '"><svg/onload=alert(1)>"@evil.example'
