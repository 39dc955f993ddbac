"""One prospect's visit, as a browser with JavaScript makes it, over any HTTP transport.

bench/load.py runs it inside locust users; nothing here imports locust (or gevent), so
the visit can be read, and reused, on its own. The visitor first reads a page of the
marketer's site that carries the tracking script (GET /t.js, one beacon), then opens the
hosted form (the page, then the scripts it references), answers each screen as a person
does (reading, then one field after another; htmx asks the server to re-check the
fields the page marks for it, those a browser cannot check itself, as they change),
and continues with htmx (each POST answered with the next screen) until the ending, whose
own scripts and stylesheets it fetches too. Answers come from a persona drawn for the
visit (a realistic mix, so every branch and ending of the demo is taken) with a unique
email. Think times are a person's, scaled by `think_scale`.
"""

from __future__ import annotations

import html
import json
import random
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEMO_DEFINITION = ROOT / "demo" / "talk-to-sales.json"
FORM_CONTENT = {"Content-Type": "application/x-www-form-urlencoded"}
HTMX = {"HX-Request": "true"}
# What the browser asks for: compressed text, like every current browser.
BROWSER = {"Accept-Encoding": "br, gzip", "User-Agent": "leadform-bench/1 (like Chrome)"}

INPUT_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
TOKEN = re.compile(r'name="_lf_token" value="([^"]+)"')
CHECKED_FIELD = re.compile(r'hx-post="([^"]*/check/([^"/]+))"')
ENDING_KIND = re.compile(r'class="lf-screen lf-ending lf-ending-([a-z_]+)( lf-ending-booking)?')
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
NOT_ANSWERS = ("_lf_token", "_lf_embed", "_lf_action", "lf_website")

# How often people pick each option of the demo (others, and other forms: uniformly).
OPTION_WEIGHTS: dict[str, dict[str, float]] = {
    "job_level": {"c_level": 1, "vp": 2, "director": 3, "manager": 3, "individual": 2,
                  "student": 0.4},
    "company_size": {"1-10": 1.2, "11-50": 3, "51-200": 3, "201-1000": 2, "1000+": 1},
    "starter_goal": {"trial": 2, "demo_video": 1, "talk": 1},
    "timeline": {"now": 2, "quarter": 3, "later": 1.2, "researching": 1},
    "budget": {"under_10k": 2, "10k_50k": 3, "over_50k": 2, "unknown": 2},
    "authority": {"me": 2, "with_team": 3, "recommend": 2, "unknown": 1},
}
FIRST_NAMES = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara",
               "Ken", "Frances", "Edsger", "Radia", "Tim", "Hedy", "Donald", "Sophie", "Yukihiro",
               "Anita", "Guido", "Shafi", "Niklaus", "Jean", "Bjarne", "Karen"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie",
              "Liskov", "Thompson", "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Lamarr"]
COMPANIES = ["Analytical Engines", "Northwind Traders", "Globex", "Initech", "Umbrella Labs",
             "Stark Industries", "Wayne Enterprises", "Hooli", "Pied Piper", "Vandelay Imports",
             "Acme Robotics", "Cyberdyne Systems", "Soylent Foods", "Tyrell Corp"]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com"]
NOTES = ["We run about 40 demos a month and lose half of the leads to slow follow-up.",
         "Mostly interested in routing to the right rep.",
         "Please call after 2pm CET.", "Our current form has 14 fields; we want fewer."]
MARKETING_PAGES = [("/pricing", "Pricing | Leadform"), ("/customers", "Customer stories"),
                   ("/product/routing", "Lead routing"), ("/blog/mql-vs-sql", "MQL vs SQL")]
# Seconds a person spends per field type (low, high), at think_scale 1.
FIELD_SECONDS: dict[str, tuple[float, float]] = {
    "short_text": (2.0, 4.0), "email": (3.0, 5.0), "long_text": (4.0, 9.0),
    "dropdown": (1.5, 3.0), "choice": (1.0, 2.5), "multi_choice": (2.0, 4.0),
    "consent": (0.5, 1.5),
}
SKIP_SECONDS = (0.3, 1.0)  # a field left empty (or of a type not listed)
READ_SECONDS = (1.0, 2.5)  # reading a new screen before answering
SITE_SECONDS = (2.0, 5.0)  # on the marketer's page before opening the form
# The least a visit can spend inside the form at think_scale 1 (the bot timer stays below).
LEAST_FILL_SECONDS = 8.0


class Failed(Exception):
    """The server answered something a browser would not have continued from."""


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    headers: Mapping[str, str]


class Transport(Protocol):
    """What a visit needs from the HTTP client: bench/load.py's locust adapter, a test's."""

    def new_visitor(self) -> None:
        """Forget cookies and cached files: the next visit is a new browser."""

    def request(self, method: str, path: str, name: str | Callable[[Reply], str], *,
                body: bytes | None = None, headers: Mapping[str, str] | None = None,
                check: Callable[[Reply], str | None] | None = None,
                close: bool = False) -> Reply:
        """Send it; `name` (or name(reply)) is the statistics row; a reason from `check`
        marks the request failed and raises Failed. `close`: the browser will now pause
        longer than the server keeps idle connections, so this one is not reused."""
        ...

    def think(self, seconds: float) -> None: ...


@dataclass
class Persona:
    """Who is filling in the form this time: one answer ready for every field."""

    answers: dict[str, list[str]]

    @classmethod
    def draw(cls, rng: random.Random, definition: Mapping[str, Any]) -> Persona:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = rng.choice(COMPANIES)
        domain = (rng.choice(FREE_MAIL) if rng.random() < 0.15
                  else re.sub(r"[^a-z]+", "-", company.lower()).strip("-") + ".example")
        unique = uuid.uuid4().hex[:10]
        texts = {"first_name": first, "last_name": last, "company": company,
                 "email": f"{first}.{last}.{unique}@{domain}".lower(),
                 "team_role": "Head of demand generation",
                 "notes": rng.choice(NOTES) if rng.random() < 0.3 else ""}
        answers: dict[str, list[str]] = {}
        for spec in fields_of(definition):
            answers[spec["id"]] = _answer(rng, spec, texts)
        return cls(answers)


def _answer(rng: random.Random, spec: Mapping[str, Any], texts: Mapping[str, str]) -> list[str]:
    kind, options = spec["type"], [option["value"] for option in spec.get("options", [])]
    if kind == "consent":
        return ["yes"]
    if options:
        weights = [OPTION_WEIGHTS.get(spec["id"], {}).get(value, 1.0) for value in options]
        if kind == "multi_choice":
            picked = set(rng.choices(options, weights, k=rng.randint(1, 3)))
            return [value for value in options if value in picked]
        return [rng.choices(options, weights)[0]]
    if kind == "email":
        return [texts["email"]]
    return [texts.get(spec["id"], "Something relevant")]


def fields_of(definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    queued = (definition.get("profiling") or {}).get("queue", [])
    return [*(spec for step in definition["steps"] for spec in step["fields"]), *queued]


@dataclass
class Form:
    """The form under load and what a visit needs to know about it."""

    workspace: str
    slug: str
    definition: Mapping[str, Any]
    step_of: dict[str, str] = field(init=False)
    kind_of: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.step_of = {spec["id"]: step["id"] for step in self.definition["steps"]
                        for spec in step["fields"]}
        self.kind_of = {spec["id"]: spec["type"] for spec in fields_of(self.definition)}

    @classmethod
    def demo(cls) -> Form:
        return cls("demo", "talk-to-sales", json.loads(DEMO_DEFINITION.read_text()))

    @property
    def url(self) -> str:
        return f"/f/{self.workspace}/{self.slug}"


@dataclass
class Visit:
    """One visit through `transport`; `run()` returns the kind of ending it reached."""

    transport: Transport
    form: Form
    rng: random.Random
    think_scale: float = 1.0
    cached: set[str] = field(default_factory=set)

    def run(self) -> str:
        persona = Persona.draw(self.rng, self.form.definition)
        self.transport.new_visitor()
        self.cached.clear()
        self._site_page()
        page = self.transport.request("GET", self.form.url, "GET form page",
                                      headers=BROWSER, check=_screen_problem).text
        self._fetch_assets(page, close_last=True)
        while True:
            names = fields_on(page)
            step = self.form.step_of.get(names[0], "queued") if names else "?"
            if not names:
                raise Failed(f"a screen without questions after step {step}")
            token = token_of(page)
            self._pause(READ_SECONDS)
            checked = dict((name, url) for url, name in CHECKED_FIELD.findall(page))
            for name in names:
                if name not in persona.answers:
                    raise Failed(f"the screen asks {name!r}, which the persona cannot answer")
                kind = self.form.kind_of.get(name, "") if any(persona.answers[name]) else ""
                self._pause(FIELD_SECONDS.get(kind, SKIP_SECONDS))
                if name in checked:  # htmx posts the form when a field changes
                    self.transport.request(
                        "POST", html.unescape(checked[name]), "POST check field (htmx)",
                        body=_encode(token, names, persona), close=True,
                        headers={**BROWSER, **FORM_CONTENT, **HTMX}, check=_check_problem)
            reply = self.transport.request(
                "POST", self.form.url,
                lambda reply, step=step: ("POST final submit → ending" if _ending_url(reply)
                                          else f"POST step {step}"),
                body=_encode(token, names, persona), close=True,
                headers={**BROWSER, **FORM_CONTENT, **HTMX}, check=_step_problem)
            if _ending_url(reply):
                self._fetch_assets(reply.text, close_last=True)
                return ending_kind(reply.text)
            page = reply.text

    def _site_page(self) -> None:
        """A page of the marketer's site with the tracking script: t.js, then its beacon."""
        path, title = self.rng.choice(MARKETING_PAGES)
        self.transport.request("GET", "/t.js", "GET /t.js (tracking script)", headers=BROWSER)
        self.transport.request(
            "POST", f"/t/{self.form.workspace}", "POST /t/<workspace> (beacon)",
            body=json.dumps({"p": path, "t": title}).encode(), close=True,
            headers={**BROWSER, "Content-Type": "text/plain;charset=UTF-8"},
            check=lambda reply: None if reply.status == 204 else f"status {reply.status}")
        self._pause(SITE_SECONDS)

    def _fetch_assets(self, page: str, *, close_last: bool) -> None:
        wanted = [path for path in dict.fromkeys(html.unescape(p) for p in ASSET.findall(page))
                  if path not in self.cached]
        for index, path in enumerate(wanted):
            name = "GET asset " + path.split("?", 1)[0].rsplit("/", 1)[-1]
            self.transport.request("GET", path, name, headers=BROWSER,
                                   close=close_last and index == len(wanted) - 1)
            self.cached.add(path)

    def _pause(self, seconds: tuple[float, float]) -> None:
        self.transport.think(self.rng.uniform(*seconds) * self.think_scale)


def ending_kind(page: str) -> str:
    """The ending's type, "+booking" when it offers times to book."""
    match = ENDING_KIND.search(page)
    if match is None:
        raise Failed("the ending is not an ending screen")
    return match.group(1) + ("+booking" if match.group(2) else "")


def fields_on(page: str) -> list[str]:
    """The questions of the screen, in order, once each (checkbox groups repeat a name)."""
    return [name for name in dict.fromkeys(INPUT_NAME.findall(page)) if name not in NOT_ANSWERS]


def token_of(page: str) -> str:
    match = TOKEN.search(page)
    if match is None:
        raise Failed("the screen has no form token")
    return html.unescape(match.group(1))


def _encode(token: str, names: list[str], persona: Persona) -> bytes:
    pairs = [("_lf_token", token), ("lf_website", "")]
    pairs += [(name, value) for name in names for value in persona.answers[name]]
    return urlencode(pairs).encode()


def _ending_url(reply: Reply) -> str:
    pushed = reply.headers.get("HX-Push-Url") or reply.headers.get("hx-push-url") or ""
    return pushed if "/done/" in pushed else ""


def _screen_problem(reply: Reply) -> str | None:
    if reply.status != 200:
        return f"status {reply.status}"
    return None if 'name="_lf_token"' in reply.text else "no form on the page"


def _step_problem(reply: Reply) -> str | None:
    if reply.status != 200:
        return f"status {reply.status}"
    if 'aria-invalid="true"' in reply.text:
        return "the answers were refused"
    if _ending_url(reply):
        return None
    return _screen_problem(reply)


def _check_problem(reply: Reply) -> str | None:
    if reply.status != 200:
        return f"status {reply.status}"
    return None if 'class="lf-error"></p>' in reply.text else "the field check found an error"
