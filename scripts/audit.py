"""Audit the locked dependencies (uv.lock) for known vulnerabilities with pip-audit.

    .venv/bin/python scripts/audit.py        (``make audit``; ``make test`` runs it)

Exit status 1 when any locked package has a known vulnerability: the build fails until
it is upgraded (``uv add 'package>=fixed'``). When the vulnerability service cannot be
reached, or cannot say anything about our packages, it prints a loud notice and exits 0:
CI must not fail because a network is down, and the notice says that nothing was
audited. See docs/operations.md, *Security*.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE_URL = "https://pypi.org/pypi/pip/json"  # pip-audit's default service: PyPI's JSON API
TIMEOUT = 10

# Errors of pip-audit itself that mean "the service was not there", not "bad input".
NETWORK_ERRORS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
)


def loud(lines: list[str]) -> str:
    bar = "!" * 78
    return "\n".join([bar, *(f"!! {line}" for line in lines), bar])


def verdict(report: dict) -> tuple[int, str]:
    """Exit status and message for pip-audit's JSON report (plain function, tested)."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    if vulnerable:
        lines = [f"{len(vulnerable)} locked package(s) with known vulnerabilities:"]
        for dependency in vulnerable:
            for vuln in dependency["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                lines.append(
                    f"  {dependency['name']} {dependency.get('version', '?')}: "
                    f"{vuln['id']} (fixed in: {fixed})"
                )
        lines.append("Upgrade them: uv add 'PACKAGE>=FIXED' (and commit uv.lock).")
        return 1, "\n".join(lines)
    if dependencies and audited == 0:
        return 0, loud(
            [
                "DEPENDENCY AUDIT NOT DONE: the vulnerability service knew none of the",
                f"{len(dependencies)} locked packages (first: {skipped[0]['skip_reason']}).",
                "The package index answering here does not serve pip-audit's per-version",
                "data (a mirror?). Run `make audit` where pypi.org itself is reachable.",
            ]
        )
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        return 0, (
            f"No known vulnerabilities in {audited} locked packages.\n"
            + loud([f"{len(skipped)} package(s) could NOT be audited: {names}"])
        )
    return 0, f"No known vulnerabilities in {audited} locked packages."


def service_reachable() -> bool:
    try:
        with urllib.request.urlopen(SERVICE_URL, timeout=TIMEOUT) as response:
            return response.status == 200
    except (urllib.error.URLError, TimeoutError, OSError):
        return False


def locked_requirements(path: Path) -> None:
    """Every locked package of every group, pinned, as pip-audit reads them."""
    uv = os.environ.get("UV", "python3 -m uv").split()  # the Makefile's uv
    subprocess.run(
        [
            *uv,
            "export",
            "--frozen",
            "--no-hashes",
            "--no-emit-project",
            "--all-groups",
            "--format",
            "requirements.txt",
            "--quiet",
            "--output-file",
            str(path),
        ],
        check=True,
        cwd=ROOT,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )


def main() -> int:
    if not service_reachable():
        print(
            loud(
                [
                    "DEPENDENCY AUDIT SKIPPED: the vulnerability service (pypi.org) cannot be",
                    "reached from this machine. Nothing was audited. Run `make audit` where",
                    "it can be reached.",
                ]
            )
        )
        return 0
    with tempfile.TemporaryDirectory() as folder:
        requirements = Path(folder) / "requirements.txt"
        report_path = Path(folder) / "audit.json"
        locked_requirements(requirements)
        # --no-deps/--disable-pip: audit exactly the pinned, locked versions; nothing is
        # installed or resolved.
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "pip-audit"),
                "--requirement",
                str(requirements),
                "--no-deps",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--timeout",
                str(TIMEOUT),
                "--format",
                "json",
                "--output",
                str(report_path),
            ],
            capture_output=True,
            text=True,
        )
        if not report_path.exists() or not report_path.read_text().strip():
            if any(marker in result.stderr for marker in NETWORK_ERRORS):
                print(result.stderr.strip()[-2000:], file=sys.stderr)
                print(loud(["DEPENDENCY AUDIT SKIPPED: the service failed while auditing."]))
                return 0
            print(result.stdout + result.stderr, file=sys.stderr)
            print("pip-audit failed (see above).", file=sys.stderr)
            return 1
        status, message = verdict(json.loads(report_path.read_text()))
    print(message)
    return status


if __name__ == "__main__":
    sys.exit(main())
