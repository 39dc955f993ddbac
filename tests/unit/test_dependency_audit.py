"""scripts/audit.py: a known vulnerability fails, an accepted one does not, an audit that
checked nothing says so (and fails when CI demands a real audit)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "audit", Path(__file__).resolve().parents[2] / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(audit)

CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
VULNERABLE = {"name": "jinja2", "version": "3.1.2", "vulns": [
    {"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"], "fix_versions": ["3.1.3"]}]}
UNCHECKED = {"name": "alembic", "skip_reason": "Dependency not found on PyPI"}


def test_a_known_vulnerability_fails_and_names_the_fix():
    code, lines = audit.verdict([CLEAN, VULNERABLE], set(), require=False)
    assert code == 1
    assert "VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in lines


def test_an_accepted_vulnerability_passes_by_id_or_alias():
    assert audit.verdict([CLEAN, VULNERABLE], {"GHSA-h5c8-rqwp-cp95"}, False)[0] == 0
    assert audit.verdict([CLEAN, VULNERABLE], {"CVE-2024-22195"}, False)[0] == 0


def test_an_audit_that_checked_nothing_says_so_and_fails_when_required():
    code, lines = audit.verdict([UNCHECKED], set(), require=False)
    assert code == 0 and any("AUDIT NOT DONE" in line for line in lines)
    assert audit.verdict([UNCHECKED], set(), require=True)[0] == 1


def test_partly_unchecked_warns_but_judges_what_was_checked():
    code, lines = audit.verdict([CLEAN, UNCHECKED], set(), require=True)
    assert code == 0 and any("1 distributions could not be checked" in line for line in lines)
    assert audit.verdict([VULNERABLE, UNCHECKED], set(), require=True)[0] == 1


def test_the_ignore_file_reads_ids_and_drops_comments(tmp_path):
    ignore = tmp_path / "audit-ignore.txt"
    ignore.write_text("# header\nGHSA-xxxx  # why\n\nPYSEC-1\n")
    assert audit.accepted_ids(ignore) == {"GHSA-xxxx", "PYSEC-1"}
