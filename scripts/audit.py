"""Dependency audit: pip-audit over every installed distribution, read as JSON.

Fails on any known vulnerability not accepted in audit-ignore.txt. When the advisory
service cannot be reached for some packages it says so, loudly and by count; when it
answered for none (a machine without PyPI's JSON API), the audit did not happen: that
fails only with LEADFORM_REQUIRE_AUDIT=1, so CI on an offline mirror still reports it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def accepted_ids(path: Path = ROOT / "audit-ignore.txt") -> set[str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def verdict(dependencies: list[dict], accepted: set[str], require: bool) -> tuple[int, list[str]]:
    """The exit code and the lines to print for pip-audit's JSON `dependencies`."""
    skipped = [item for item in dependencies if "skip_reason" in item]
    found = [(item["name"], item["version"], vuln["id"], vuln.get("fix_versions") or [])
             for item in dependencies for vuln in item.get("vulns", [])
             if vuln["id"] not in accepted and not set(vuln.get("aliases", [])) & accepted]
    lines = [f"VULNERABLE {name} {version}: {vuln_id} "
             f"(fixed in {', '.join(fixes) or 'no release yet'})"
             for name, version, vuln_id, fixes in found]
    audited = len(dependencies) - len(skipped)
    lines.append(f"dependency audit: {audited} of {len(dependencies)} distributions checked, "
                 f"{len(found)} known vulnerabilities, {len(accepted)} accepted in "
                 "audit-ignore.txt")
    if skipped:
        lines.append(f"WARNING: {len(skipped)} distributions could not be checked, e.g. "
                     f"{skipped[0]['skip_reason']}")
    if found:
        return 1, lines
    if audited == 0:
        lines.append("DEPENDENCY AUDIT NOT DONE: the advisory service answered for no "
                     "package (LEADFORM_REQUIRE_AUDIT=1 makes this fail)")
        return (1 if require else 0), lines
    return 0, lines


def main() -> int:
    audit = subprocess.run(
        [str(Path(sys.executable).with_name("pip-audit")), "--skip-editable",
         "--progress-spinner", "off", "--format", "json"],
        capture_output=True, text=True, check=False)
    try:
        dependencies = json.loads(audit.stdout)["dependencies"]
    except (ValueError, KeyError):
        print(f"pip-audit failed (exit {audit.returncode}):\n{audit.stderr}", file=sys.stderr)
        return 2
    code, lines = verdict(dependencies, accepted_ids(),
                          os.environ.get("LEADFORM_REQUIRE_AUDIT") == "1")
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
