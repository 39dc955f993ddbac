"""bench/load.py keeps working: a handful of its visits against a real server, no errors.

Not a timing test: it runs the load test's own locust users (tracking beacon, form
page and scripts, field checks, every step, the ending) for a few visits at a fast
think time, and checks the counts the bench reports and the database agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VISITS = 6


def test_a_few_load_test_visits_all_complete_without_errors(database_url: str, db_engine,
                                                            tmp_path: Path) -> None:
    output = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--database-url", database_url,
         "--submissions", str(VISITS), "--rate", str(VISITS), "--think-scale", "0.02",
         "--workers", "1", "--threads", "2", "--timeout", "120", "--json", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [result] = json.loads(output.read_text())["results"]

    assert result["visits"] == {"started": VISITS, "completed": VISITS, "failed": 0,
                                "cut_off": 0}
    assert result["total"]["failures"] == 0 and result["errors"] == {}
    assert result["stored"]["completed_responses"] == VISITS
    assert result["stored"]["taken_for_bots"] == 0
    assert sum(result["endings"].values()) == VISITS
    counts = {row["name"]: row["requests"] for row in result["requests"]}
    for kind in ("POST /t/<workspace> (beacon)", "GET form page", "POST check field (htmx)",
                 "POST step you", "POST final submit → ending"):
        assert counts.get(kind, 0) > 0, kind
    assert counts["GET form page"] == counts["POST final submit → ending"] == VISITS
    # Where the cores went: the web workers always; the database server's too on PostgreSQL.
    assert result["web_cpu_ms_per_visit"] > 0
    assert (result["database_cpu_ms_per_visit"] > 0) == database_url.startswith("postgresql")
    # What the CPU alone allows: the ceiling and the budget follow from the same numbers.
    free = result["cores"] - result["client_cpu"]
    assert result["cpu_ms_per_visit"] >= result["web_cpu_ms_per_visit"]
    assert result["cpu_ceiling_rate"] * result["cpu_ms_per_visit"] == pytest.approx(free * 1000)
    assert result["cpu_budget_ms"] == pytest.approx(free * 1000 / VISITS)
    # SQLite's one writer: read from the app's own histograms over /metrics, all processes.
    lock = result["write_lock"]
    if database_url.startswith("sqlite"):
        # The beacon, the view, the first screen and the final one held it at least.
        assert lock["holds_per_visit"] >= 4
        assert 0 < lock["busy_share"] < 1 and lock["mean_hold_ms"] > 0
        assert lock["held_ms_per_visit"] == pytest.approx(
            lock["holds_per_visit"] * lock["mean_hold_ms"])
        assert lock["ceiling_rate"] == pytest.approx(1000 / lock["held_ms_per_visit"])
    else:
        assert lock is None  # PostgreSQL has no single write lock
