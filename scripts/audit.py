"""Audit the installed Python packages for known vulnerabilities with pip-audit.

Run by ``make audit`` with the project's virtual environment::

    .venv/bin/python scripts/audit.py

What it does, and when it fails (exit 1):

1. ``pip-audit --local --skip-editable`` audits every package installed in this
   environment (the project itself is skipped: it is not on PyPI) against the
   PyPI vulnerability data (the PyPA advisory database, as served by PyPI's JSON
   API), with its HTTP cache in ``.venv/pip-audit-cache``. Any known
   vulnerability that is not listed in :data:`IGNORED` fails the audit.
2. Some PyPI mirrors serve only the project-level JSON
   (``/pypi/{name}/json``), not the per-version document pip-audit asks for, so
   pip-audit skips each package as "not found on PyPI". For those this script
   reads the project-level document itself: its ``vulnerabilities`` list
   describes the latest release, so it audits the package when the installed
   version *is* the latest, and reports it as NOT AUDITED otherwise.
3. A network error (no route, DNS failure, timeout) is the only failure that
   does not fail the audit: it prints ``NOT AUDITED`` with the error, loudly,
   and exits 0, because a machine without network cannot audit, and must not
   pretend it did. A finding is never hidden: any vulnerability found fails.

Exceptions (vulnerabilities accepted for a stated reason) go in :data:`IGNORED`
and in SECURITY.md; there are none.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

#: Vulnerability ID → reason it is accepted. Keep in step with SECURITY.md.
IGNORED: dict[str, str] = {}

#: PyPI's project-level JSON API.
PYPI_JSON = "https://pypi.org/pypi/{name}/json"

#: Substrings of pip-audit's error output that mean "the service could not be reached".
NETWORK_ERRORS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "ConnectTimeout",
    "ReadTimeout",
    "Temporary failure in name resolution",
    "Network is unreachable",
)

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".venv" / "pip-audit-cache"


@dataclass
class Report:
    """What the audit found."""

    audited: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    network_errors: list[str] = field(default_factory=list)


def run_pip_audit() -> tuple[int, dict[str, object] | None, str]:
    """Run pip-audit on this environment; return its exit code, JSON report and stderr."""
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--local",
        "--skip-editable",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--cache-dir",
        str(CACHE),
    ]
    for vuln_id in sorted(IGNORED):
        command += ["--ignore-vuln", vuln_id]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    try:
        report = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    return done.returncode, report, done.stderr


def is_network_error(text: str) -> bool:
    """Whether ``text`` (an error output) says the network could not be reached."""
    return any(marker in text for marker in NETWORK_ERRORS)


def vulnerabilities_of(vulns: list[dict[str, object]]) -> list[str]:
    """Describe the vulnerabilities that count (not withdrawn, not ignored)."""
    out = []
    for v in vulns:
        vid = str(v.get("id"))
        aliases = [str(a) for a in v.get("aliases") or []]  # type: ignore[attr-defined]
        if v.get("withdrawn") or vid in IGNORED or any(a in IGNORED for a in aliases):
            continue
        fixed = ", ".join(str(f) for f in v.get("fix_versions") or v.get("fixed_in") or [])  # type: ignore[attr-defined]
        out.append(f"{vid} ({', '.join(aliases) or 'no alias'}); fixed in: {fixed or 'none yet'}")
    return out


def audit_from_project_json(name: str, version: str, report: Report) -> None:
    """Audit one package from PyPI's project-level JSON (its latest release only)."""
    url = PYPI_JSON.format(name=name)
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (fixed https URL)
            data = json.load(response)
    except urllib.error.HTTPError as exc:
        report.not_audited.append(f"{name} {version}: PyPI answered {exc.code} for {url}")
        return
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        report.network_errors.append(f"{name} {version}: {exc}")
        return
    latest = str(data.get("info", {}).get("version", ""))
    if latest != version:
        report.not_audited.append(
            f"{name} {version}: this PyPI serves vulnerability data for the latest "
            f"release ({latest}) only"
        )
        return
    report.audited.append(f"{name} {version}")
    for finding in vulnerabilities_of(list(data.get("vulnerabilities") or [])):
        report.findings.append(f"{name} {version}: {finding}")


def installed_version(name: str) -> str | None:
    """The installed version of distribution ``name``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def main() -> int:
    """Run the audit and print what was and was not audited; return the exit code."""
    code, data, stderr = run_pip_audit()
    report = Report()
    if data is None:
        if is_network_error(stderr):
            last = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
            print(f"pip-audit: NOT AUDITED: the vulnerability service could not be reached: {last}")
            return 0
        print(stderr, file=sys.stderr)
        print(f"pip-audit failed (exit {code}) without a report", file=sys.stderr)
        return code or 1
    for dep in data.get("dependencies", []):  # type: ignore[union-attr]
        name = str(dep["name"])
        version = str(dep.get("version") or installed_version(name) or "")
        skip = str(dep.get("skip_reason") or "")
        if not skip:
            report.audited.append(f"{name} {version}")
            for finding in vulnerabilities_of(list(dep.get("vulns") or [])):
                report.findings.append(f"{name} {version}: {finding}")
        elif "not found on PyPI" in skip and version:
            audit_from_project_json(name, version, report)
        elif "editable" in skip:
            continue  # the project itself, installed with `pip install -e`: not on PyPI
        else:
            report.not_audited.append(f"{name}: {skip}")
    if code != 0 and not report.findings:
        print(stderr, file=sys.stderr)
        print(f"pip-audit failed (exit {code})", file=sys.stderr)
        return code
    print(f"pip-audit: {len(report.audited)} packages audited, {len(report.findings)} findings")
    for line in report.findings:
        print(f"  VULNERABLE {line}")
    if report.not_audited:
        print(f"pip-audit: NOT AUDITED ({len(report.not_audited)}):")
        for line in report.not_audited:
            print(f"  {line}")
    if report.network_errors:
        print(
            f"pip-audit: NOT AUDITED, network error ({len(report.network_errors)}): "
            "the vulnerability service could not be reached"
        )
        for line in report.network_errors:
            print(f"  {line}")
    if IGNORED:
        print("pip-audit: accepted exceptions (see SECURITY.md):")
        for vid, reason in sorted(IGNORED.items()):
            print(f"  {vid}: {reason}")
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
