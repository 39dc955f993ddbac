"""Page weight and time to the first question: Leadform's demo form against SurveyJS.

Serves the demo form with gunicorn (compression on, as the app ships), and the same
form rendered by SurveyJS (survey-core + survey-js-ui + their CSS, installed from npm
into bench/.node/) from a local server that compresses the same way. Each run opens
the page in a fresh Chromium context with the cache disabled and records the bytes
transferred (CDP encodedDataLength, every request) and the time, on the page's own
clock, from the start of navigation to the first frame in which the first question's
input is visible. Prints medians and ratios; writes
bench/out/page_weight.json.

Run: .venv/bin/python bench/page_weight.py [--runs 5]
Targets: Leadform first step <= 25 KB; >= 15x lighter; >= 3x faster to first question.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
from harness import CHROMIUM, CHROMIUM_ARGS, ROOT, app_env, gunicorn, prepare
from playwright.sync_api import sync_playwright

NODE = ROOT / "bench" / ".node"
OUT = ROOT / "bench" / "out"
SURVEYJS_VERSION = "2.5.38"
SURVEYJS_FILES = {
    "survey.core.min.js": "survey-core/survey.core.min.js",
    "survey-js-ui.min.js": "survey-js-ui/survey-js-ui.min.js",
    "survey-core.min.css": "survey-core/survey-core.min.css",
}
TYPES = {"short_text": "text", "email": "text", "long_text": "comment", "dropdown": "dropdown",
         "choice": "radiogroup", "multi_choice": "checkbox", "consent": "boolean"}


def install_surveyjs() -> None:
    if all((NODE / "node_modules" / path).exists() for path in SURVEYJS_FILES.values()):
        return
    NODE.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                    str(NODE), f"survey-core@{SURVEYJS_VERSION}",
                    f"survey-js-ui@{SURVEYJS_VERSION}"], check=True)


def surveyjs_model(definition: dict[str, Any]) -> dict[str, Any]:
    """The demo definition in SurveyJS's JSON: pages = steps, same questions and labels."""
    pages = []
    for step in definition["steps"]:
        elements = []
        for field in step["fields"]:
            element: dict[str, Any] = {"type": TYPES.get(field["type"], "text"),
                                       "name": field["id"], "title": field["label"],
                                       "isRequired": bool(field.get("required"))}
            if field["type"] == "email":
                element["inputType"] = "email"
            if "options" in field:
                element["choices"] = [{"value": o["value"], "text": o.get("label", o["value"])}
                                      for o in field["options"]]
            elements.append(element)
        pages.append({"name": step["id"], "title": step.get("title", ""),
                      "elements": elements})
    return {"title": definition["title"], "pages": pages, "showProgressBar": "top"}


def surveyjs_page(folder: Path) -> None:
    definition = json.loads((ROOT / "demo" / "talk-to-sales.json").read_text())
    for name, path in SURVEYJS_FILES.items():
        (folder / name).write_bytes((NODE / "node_modules" / path).read_bytes())
    (folder / "form.js").write_text(
        "const survey = new Survey.Model(" + json.dumps(surveyjs_model(definition)) + ");\n"
        "survey.render(document.getElementById('survey'));\n")
    (folder / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<title>Talk to sales</title><link rel=stylesheet href=survey-core.min.css>"
        "<script src=survey.core.min.js></script><script src=survey-js-ui.min.js></script>"
        "</head><body><div id=survey></div><script src=form.js></script></body></html>")


class CompressingHandler(SimpleHTTPRequestHandler):
    """Static files compressed like the app compresses them (brotli, else gzip)."""

    def do_GET(self) -> None:  # the name http.server calls
        path = Path(self.translate_path(self.path.split("?", 1)[0]))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        accept = self.headers.get("Accept-Encoding", "")
        encoding = "br" if "br" in accept else "gzip" if "gzip" in accept else None
        if encoding == "br":
            body = brotli.compress(body, quality=4)
        elif encoding == "gzip":
            body = gzip.compress(body, 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


# Installed before any page script runs: notes, on the page's own clock (0 = the start
# of navigation), the first animation frame in which the first question's input shows.
WATCH = """
(() => {
  const selector = %s;
  const look = () => {
    const input = document.querySelector(selector);
    if (input && input.checkVisibility && input.checkVisibility()) {
      window.__firstQuestionAt = performance.now();
    } else {
      requestAnimationFrame(look);
    }
  };
  requestAnimationFrame(look);
})();
"""


def measure(browser: Any, url: str, first_input: str) -> tuple[int, float]:
    """(bytes transferred, ms from navigation start to the first question's input visible)."""
    context = browser.new_context()
    context.add_init_script(WATCH % json.dumps(first_input))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished",
           lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    page.goto(url, wait_until="commit")
    elapsed = float(page.wait_for_function("() => window.__firstQuestionAt").json_value())
    page.wait_for_load_state("networkidle")
    context.close()
    return int(sum(sizes.values())), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    install_surveyjs()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/bench.db"
        prepare(database)
        site = Path(folder) / "surveyjs"
        site.mkdir()
        surveyjs_page(site)
        server = ThreadingHTTPServer(("127.0.0.1", 0),
                                     partial(CompressingHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        surveyjs_url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        results: dict[str, list[tuple[int, float]]] = {"leadform": [], "surveyjs": []}
        with gunicorn("wsgi:app", app_env(database), workers=1) as base, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            measure(browser, base + "/f/demo/talk-to-sales", "#first_name-input")  # warm-up
            for _ in range(runs):  # interleaved, so both see the same machine
                results["leadform"].append(
                    measure(browser, base + "/f/demo/talk-to-sales", "#first_name-input"))
                results["surveyjs"].append(
                    measure(browser, surveyjs_url, ".sd-question input"))
            browser.close()
        server.shutdown()
    report(results)


def report(results: dict[str, list[tuple[int, float]]]) -> None:
    medians = {name: (statistics.median(b for b, _ in rows), statistics.median(t for _, t in rows))
               for name, rows in results.items()}
    (ours_bytes, ours_ms), (theirs_bytes, theirs_ms) = medians["leadform"], medians["surveyjs"]
    print(f"{'subject':<10} {'transferred':>12} {'first question':>15}")
    for name, (size, ms) in medians.items():
        print(f"{name:<10} {size / 1024:>9.1f} KB {ms:>12.0f} ms")
    lighter, faster = theirs_bytes / ours_bytes, theirs_ms / ours_ms
    print(f"SurveyJS / Leadform: {lighter:.1f}x the bytes, {faster:.1f}x the time")
    print(f"target first step <= 25 KB: {'met' if ours_bytes <= 25 * 1024 else 'MISSED'}; "
          f">= 15x lighter: {'met' if lighter >= 15 else 'MISSED'}; "
          f">= 3x faster: {'met' if faster >= 3 else 'MISSED'}")
    (OUT / "page_weight.json").write_text(json.dumps(
        {"runs": results, "medians": medians, "ratios": {"bytes": lighter, "time": faster}},
        indent=2))


if __name__ == "__main__":
    main()
