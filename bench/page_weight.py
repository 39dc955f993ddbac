"""Page weight and time to the first question: Leadform's demo form against SurveyJS.

Subjects, measured in the same run and interleaved (the order alternates each round):

* Leadform: a fresh SQLite database (`flask db upgrade`, `flask demo load`), served by
  gunicorn as `make run` does (gthread, 2 workers x 4 threads). The app compresses its
  own responses (Flask-Compress: brotli, else gzip), so nothing is put in front of it.
  Page: GET /f/demo/talk-to-sales (the first step).
* SurveyJS: the same definition (demo/talk-to-sales.json) translated to a SurveyJS
  model (pages = steps; types mapped; step visibility and branches to endings
  approximated with visibleIf and completedHtmlOnCondition; piping as {first_name}),
  rendered by survey-core + survey-js-ui and its default theme (the "fontless" build:
  the standard one pulls Open Sans from fonts.gstatic.com), installed from npm into
  bench/.node/. One HTML page (model inline, as SurveyJS's docs show) plus the package
  files, served by bench/static_site.py: Flask + Flask-Compress with the app's own
  COMPRESS_* settings under the same gunicorn settings, i.e. the same method.

Each measurement opens a new Chromium context (empty cache) with the cache disabled
through CDP, and records:
* bytes: the sum of CDP Network.loadingFinished encodedDataLength (headers and body as
  received) over every request until the network is idle;
* time: on the page's own clock (performance.now(), 0 = start of navigation), the first
  animation frame in which the first question's input is visible (checkVisibility()),
  noted by the same init script for both subjects.
Also shown: time to first byte, the load event, and a "floor" page (one bare input,
no script or stylesheet, same server as SurveyJS): the browser's own cost, for scale.
Servers and browser are warmed up first (unrecorded), then --runs rounds; prints
medians (and min/max), ratios SurveyJS / Leadform and the targets (Leadform first
step <= 25 KB, >= 15x lighter, >= 3x faster), and, for reference, the bytes of the
same files under other encodings. Chromium resolves no host name, so nothing can
leave 127.0.0.1. Raw results: bench/out/page_weight.json. Exit 0 unless it broke.

Run: .venv/bin/python bench/page_weight.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import brotli
from harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OUT,
    ROOT,
    app_env,
    gunicorn,
    machine_note,
    prepare,
    sqlite_database,
)
from playwright.sync_api import Browser, sync_playwright

NODE = ROOT / "bench" / ".node"
SURVEYJS_VERSION = "2.5.38"
SURVEYJS_FILES = {  # served name -> path under node_modules
    "survey-core.min.css": "survey-core/survey-core.fontless.min.css",
    "survey.core.min.js": "survey-core/survey.core.min.js",
    "survey-js-ui.min.js": "survey-js-ui/survey-js-ui.min.js",
}
TYPES = {"short_text": "text", "email": "text", "long_text": "comment", "dropdown": "dropdown",
         "choice": "radiogroup", "multi_choice": "checkbox", "consent": "boolean"}
FORM_PATH = "/f/demo/talk-to-sales"
FIRST_INPUT = {"leadform": "#first_name-input", "surveyjs": ".sd-question input",
               "floor": "#first_name-input"}
SURVEYJS_PAGE, FLOOR_PAGE = "/", "/static/floor.html"
TARGET_KB, TARGET_LIGHTER, TARGET_FASTER = 25, 15, 3
# No name resolves: whatever a page might fetch from elsewhere fails at once, unsent.
BROWSER_ARGS = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


# --- SurveyJS: the demo definition as a SurveyJS model ------------------------------------

def install_surveyjs() -> None:
    if all((NODE / "node_modules" / path).exists() for path in SURVEYJS_FILES.values()):
        return
    NODE.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                    str(NODE), f"survey-core@{SURVEYJS_VERSION}",
                    f"survey-js-ui@{SURVEYJS_VERSION}"], check=True)


def pipe(label: str) -> str:
    """`{{answers.first_name}}` -> SurveyJS's `{first_name}`."""
    return re.sub(r"\{\{\s*(?:answers\.)?([\w.]+)\s*\}\}", r"{\1}", label)


def expression(rule: Any) -> str | None:
    """A JsonLogic condition as a SurveyJS expression, or None when it has no equivalent."""
    if rule is True:
        return "true"
    if not isinstance(rule, dict) or len(rule) != 1:
        return None
    (op, args), = rule.items()
    args = args if isinstance(args, list) else [args]

    def operand(value: Any) -> str | None:
        if isinstance(value, dict) and "var" in value:
            name = str(value["var"])
            return "{" + name.removeprefix("answers.") + "}" if name.startswith("answers.") \
                else None
        return json.dumps(value).replace('"', "'")

    if op in ("==", "===", "!=", "!==") and len(args) == 2:
        left, right = operand(args[0]), operand(args[1])
        return None if None in (left, right) else \
            f"{left} {'=' if op in ('==', '===') else '<>'} {right}"
    if op == "in" and len(args) == 2 and isinstance(args[1], list):
        left, options = operand(args[0]), [operand(option) for option in args[1]]
        return None if left is None or not options else \
            "(" + " or ".join(f"{left} = {option}" for option in options) + ")"
    if op in ("and", "or"):
        parts = [expression(part) for part in args]
        return None if None in parts else "(" + f" {op} ".join(map(str, parts)) + ")"
    if op == "!":
        inner = expression(args[0])
        return None if inner is None else f"!({inner})"
    return None


def conjoin(*parts: str | None) -> str | None:
    kept = [part for part in parts if part and part != "true"]
    return " and ".join(f"({part})" for part in kept) if kept else None


def surveyjs_model(definition: dict[str, Any]) -> dict[str, Any]:
    """Pages = steps, same questions, labels, choices and requirements; logic approximated.

    A branch from step S to an ending under condition C becomes: later pages hidden
    when (S shown and C), and that ending's text shown on completion under the same
    condition (the first matching branch of a step wins, as in Leadform).
    """
    endings = {ending["id"]: ending for ending in definition.get("endings", [])}
    pages: list[dict[str, Any]] = []
    ends_here: list[str] = []  # conditions under which the form already ended
    completed: list[dict[str, str]] = []
    for step in definition["steps"]:
        elements = []
        for spec in step["fields"]:
            element: dict[str, Any] = {"type": TYPES.get(spec["type"], "text"),
                                       "name": spec["id"], "title": pipe(spec["label"]),
                                       "isRequired": bool(spec.get("required"))}
            if spec["type"] == "email":
                element |= {"inputType": "email", "validators": [{"type": "email"}]}
            if spec["type"] == "consent":
                element |= {"renderAs": "checkbox", "label": spec["label"],
                            "titleLocation": "hidden"}
            description = " ".join(filter(None, [spec.get("help"), spec.get("why")]))
            if description:
                element["description"] = description
            if spec.get("placeholder"):
                element["placeholder"] = spec["placeholder"]
            if (spec.get("validation") or {}).get("max_length"):
                element["maxLength"] = spec["validation"]["max_length"]
            if "options" in spec:
                element["choices"] = [{"value": o["value"], "text": o.get("label", o["value"])}
                                      for o in spec["options"]]
            elements.append(element)
        shown = conjoin(expression(step["visible_if"]) if "visible_if" in step else None,
                        *(f"!({cond})" for cond in ends_here))
        page: dict[str, Any] = {"name": step["id"], "title": step.get("title", ""),
                                "elements": elements}
        if shown:
            page["visibleIf"] = shown
        pages.append(page)
        earlier: list[str] = []
        for branch in step.get("next", []):
            condition = expression(branch["if"])
            if condition is None or branch.get("goto") not in endings:
                continue  # no SurveyJS equivalent, or a jump to a step: not approximated
            holds = conjoin(shown, *(f"!({e})" for e in earlier), condition) or "true"
            ends_here.append(holds)
            earlier.append(condition)
            ending = endings[branch["goto"]]
            completed.append({"expression": holds, "html": ending_html(ending)})
    model: dict[str, Any] = {
        "title": definition["title"], "description": definition.get("description", ""),
        "pages": pages, "showProgressBar": True, "progressBarLocation": "top",
        "showQuestionNumbers": "off", "completedHtmlOnCondition": completed}
    default = next((e for e in endings.values() if e.get("type") == "route"), None)
    if default:
        model["completedHtml"] = ending_html(default)
    return model


def ending_html(ending: dict[str, Any]) -> str:
    return f"<h3>{pipe(ending.get('title', ''))}</h3><p>{ending.get('message', '')}</p>"


def surveyjs_site(folder: Path) -> None:
    """index.html (the model inline, as SurveyJS's docs show) plus the package files."""
    definition = json.loads((ROOT / "demo" / "talk-to-sales.json").read_text())
    for name, path in SURVEYJS_FILES.items():
        (folder / name).write_bytes((NODE / "node_modules" / path).read_bytes())
    model = json.dumps(surveyjs_model(definition)).replace("</", "<\\/")
    (folder / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<title>Talk to sales</title><link rel=icon href='data:,'>"
        "<link rel=stylesheet href=/static/survey-core.min.css>"
        "<script src=/static/survey.core.min.js></script>"
        "<script src=/static/survey-js-ui.min.js></script>"
        "</head><body><div id=survey></div><script>\n"
        f"const survey = new Survey.Model({model});\n"
        "survey.render(document.getElementById('survey'));\n</script></body></html>")
    (folder / "floor.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Floor</title>"
        "<link rel=icon href='data:,'></head><body><label>What's your first name? "
        "<input id=first_name-input name=first_name></label></body></html>")


# --- measuring ---------------------------------------------------------------------------

# Installed before any page script: notes, on the page's clock (0 = navigation start), the
# first animation frame in which the first question's input is visible.
WATCH = """
(() => {
  const look = () => {
    const input = document.querySelector(%s);
    if (input && input.checkVisibility()) window.__firstQuestionAt = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""


@dataclass
class Sample:
    bytes: int  # headers + bodies as received, every request
    first_question_ms: float
    ttfb_ms: float  # the page's responseStart
    load_ms: float  # loadEventEnd
    requests: int  # over the network (data: URLs left out)
    encodings: dict[str, str]  # URL -> Content-Encoding
    bytes_by_url: dict[str, int]
    failed: list[str]  # requests that failed (none expected)


def measure(browser: Browser, url: str, first_input: str) -> Sample:
    context = browser.new_context()  # an empty cache and no open connections
    try:
        context.add_init_script(WATCH % json.dumps(first_input))
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: dict[str, float] = {}
        encodings: dict[str, str] = {}
        urls: dict[str, str] = {}  # request id -> URL
        failed: list[str] = []

        def finished(event: dict[str, Any]) -> None:
            sizes[event["requestId"]] = event["encodedDataLength"]

        def received(event: dict[str, Any]) -> None:
            if event["response"]["url"].startswith("data:"):
                return  # inline (a CSS data: image): nothing travels
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            encodings[event["response"]["url"]] = headers.get("content-encoding", "none")
            urls[event["requestId"]] = event["response"]["url"]

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFailed", lambda event: failed.append(event["errorText"]))
        page.goto(url, wait_until="commit")
        at = float(page.wait_for_function("() => window.__firstQuestionAt",
                                          timeout=30_000).json_value())
        page.wait_for_load_state("networkidle")
        ttfb, load = page.evaluate("() => { const n = performance.getEntriesByType("
                                   "'navigation')[0]; return [n.responseStart, n.loadEventEnd]; }")
        by_url = {urls[key]: int(size) for key, size in sizes.items() if key in urls}
        return Sample(int(sum(sizes.values())), at, float(ttfb), float(load), len(encodings),
                      encodings, by_url, failed)
    finally:
        context.close()


def warm_up(browser: Browser, urls: dict[str, str]) -> None:
    """Compile templates, fill caches, in every gunicorn worker; start the browser's process."""
    for name, url in urls.items():
        for address in measure(browser, url, FIRST_INPUT[name]).encodings:
            for _ in range(6):  # a new connection each: both workers get some
                with urllib.request.urlopen(address, timeout=10) as reply:  # loopback only
                    reply.read()


def run_all(runs: int) -> tuple[dict[str, list[Sample]], dict[str, list[bytes]]]:
    results: dict[str, list[Sample]] = {"leadform": [], "surveyjs": [], "floor": []}
    with sqlite_database() as database, \
            tempfile.TemporaryDirectory(prefix="surveyjs-") as folder:
        prepare(database)
        surveyjs_site(Path(folder))
        with gunicorn("wsgi:app", app_env(database)) as leadform, \
                gunicorn("bench.static_site:make_app()",
                         {**os.environ, "BENCH_SITE": folder}) as surveyjs, \
                sync_playwright() as playwright:
            urls = {"leadform": leadform + FORM_PATH, "surveyjs": surveyjs + SURVEYJS_PAGE,
                    "floor": surveyjs + FLOOR_PAGE}
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                warm_up(browser, urls)
                for round_ in range(runs):  # interleaved, the order alternating
                    order = list(results) if round_ % 2 == 0 else list(results)[::-1]
                    for name in order:
                        results[name].append(measure(browser, urls[name], FIRST_INPUT[name]))
            finally:
                browser.close()
            bodies = {name: raw_bodies(results[name][0].encodings)
                      for name in ("leadform", "surveyjs")}
    return results, bodies


def raw_bodies(encodings: dict[str, str]) -> list[bytes]:
    """Every response body of a page load again, uncompressed (for the encodings table)."""
    bodies = []
    for address in encodings:
        request = urllib.request.Request(address, headers={"Accept-Encoding": "identity"})
        with urllib.request.urlopen(request, timeout=10) as reply:  # loopback only
            bodies.append(reply.read())
    return bodies


def report(results: dict[str, list[Sample]], bodies: dict[str, list[bytes]]) -> dict[str, Any]:
    def stats(values: list[float]) -> tuple[float, float, float]:
        return min(values), statistics.median(values), max(values)

    print(f"{'subject':<9} {'runs':>4} {'requests':>8} {'transferred':>12} "
          f"{'first question ms: min / median / max':>38} {'TTFB ms':>8} {'load ms':>8}")
    medians: dict[str, dict[str, float]] = {}
    for name, samples in results.items():
        size = statistics.median(s.bytes for s in samples)
        low, mid, high = stats([s.first_question_ms for s in samples])
        ttfb = statistics.median(s.ttfb_ms for s in samples)
        load = statistics.median(s.load_ms for s in samples)
        requests = statistics.median(s.requests for s in samples)
        medians[name] = {"bytes": size, "first_question_ms": mid, "ttfb_ms": ttfb,
                         "load_ms": load}
        print(f"{name:<9} {len(samples):>4} {requests:>8.0f} {size / 1024:>9.1f} KB "
              f"{low:>19.0f} / {mid:>6.0f} / {high:>6.0f} {ttfb:>8.1f} {load:>8.0f}")
    print("  (floor: a static page with one input, no script or stylesheet: "
          "the browser's own cost, for scale)")
    for name, samples in results.items():
        first = samples[0]
        shown = ", ".join(f"{address.split('/', 3)[-1].split('?')[0] or '/'} {encoding} "
                          f"{first.bytes_by_url.get(address, 0) / 1024:.1f} KB"
                          for address, encoding in first.encodings.items())
        print(f"  {name}: {shown}")
        failures = sorted({error for sample in samples for error in sample.failed})
        if failures:
            print(f"  {name} FAILED requests: {', '.join(failures)}")
    ours, theirs = medians["leadform"], medians["surveyjs"]
    lighter = theirs["bytes"] / ours["bytes"]
    faster = theirs["first_question_ms"] / ours["first_question_ms"]
    print(f"\nSurveyJS / Leadform (medians): bytes {lighter:.1f}x, "
          f"time to first question {faster:.1f}x")
    targets = {f"Leadform first step <= {TARGET_KB} KB": ours["bytes"] <= TARGET_KB * 1024,
               f">= {TARGET_LIGHTER}x lighter": lighter >= TARGET_LIGHTER,
               f">= {TARGET_FASTER}x faster to first question": faster >= TARGET_FASTER}
    for target, held in targets.items():
        print(f"  {target:<40} {'met' if held else 'MISSED'}")
    encoded = encodings_table(bodies)
    return {"medians": medians, "ratios": {"bytes": lighter, "first_question": faster},
            "targets": targets, "bodies_by_encoding": encoded}


def encodings_table(bodies: dict[str, list[bytes]]) -> dict[str, dict[str, int]]:
    """For reference: the same bodies (no headers) under other encodings than served."""
    codecs = {"identity": lambda b: b, "gzip 6": lambda b: gzip.compress(b, 6),
              "brotli 11": lambda b: brotli.compress(b, quality=11)}
    sizes = {name: {codec: sum(len(encode(body)) for body in files)
                    for codec, encode in codecs.items()}
             for name, files in bodies.items()}
    print("\nfor reference, bodies only, other encodings (KB):   "
          + "".join(f"{codec:>11}" for codec in codecs))
    for name, row in sizes.items():
        print(f"  {name:<48}" + "".join(f"{row[codec] / 1024:>11.1f}" for codec in codecs))
    print(f"  {'SurveyJS / Leadform':<48}" + "".join(
        f"{sizes['surveyjs'][c] / sizes['leadform'][c]:>10.1f}x" for c in codecs))
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    install_surveyjs()
    print(machine_note(), "(before)")
    results, bodies = run_all(max(1, args.runs))
    print(machine_note(), "(after)\n")
    summary = report(results, bodies)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "page_weight.json").write_text(json.dumps(
        {"runs": {name: [asdict(s) for s in samples] for name, samples in results.items()},
         "surveyjs_version": SURVEYJS_VERSION, **summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
