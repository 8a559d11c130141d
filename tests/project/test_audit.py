"""``make audit``'s pip-audit wrapper (scripts/audit.py): findings always fail, and only a
network error is let through, loudly, as NOT AUDITED. No network: pip-audit and PyPI are
replaced by canned answers."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hamar_graph.config import PROJECT_ROOT

VULN = {
    "id": "PYSEC-2099-1",
    "aliases": ["CVE-2099-0001"],
    "fix_versions": ["9.9"],
    "description": "test",
}


@pytest.fixture()
def audit() -> Iterator[ModuleType]:
    path = PROJECT_ROOT / "scripts" / "audit.py"
    spec = importlib.util.spec_from_file_location("hamar_audit_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def fake_run(code: int, report: dict[str, Any] | None, stderr: str = "") -> Any:
    return lambda: (code, report, stderr)


def test_a_vulnerability_fails_the_audit(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = {"dependencies": [{"name": "flask", "version": "1.0", "vulns": [VULN]}]}
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(1, report))
    assert audit.main() == 1
    out = capsys.readouterr().out
    assert "VULNERABLE flask 1.0: PYSEC-2099-1 (CVE-2099-0001); fixed in: 9.9" in out


def test_a_clean_report_passes(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(0, report))
    assert audit.main() == 0
    assert "1 packages audited, 0 findings" in capsys.readouterr().out


def test_a_network_error_is_reported_as_not_audited_and_does_not_fail(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stderr = "requests.exceptions.ConnectionError: Max retries exceeded with url: /v1/query"
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(1, None, stderr))
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert "NOT AUDITED" in out
    assert "could not be reached" in out


def test_any_other_pip_audit_failure_fails(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(2, None, "error: bad argument"))
    assert audit.main() == 2


def _mirror(monkeypatch: pytest.MonkeyPatch, audit: ModuleType, answer: Any) -> None:
    def urlopen(url: str, timeout: float) -> Any:
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(json.dumps(answer).encode())

    monkeypatch.setattr(audit.urllib.request, "urlopen", urlopen)


def _skipped(name: str, version: str) -> dict[str, Any]:
    reason = f"Dependency not found on PyPI and could not be audited: {name} ({version})"
    return {"dependencies": [{"name": name, "skip_reason": reason}]}


def test_mirror_without_per_version_data_falls_back_and_still_finds_vulnerabilities(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(0, _skipped("flask", "3.1.3")))
    monkeypatch.setattr(audit, "installed_version", lambda name: "3.1.3")
    _mirror(monkeypatch, audit, {"info": {"version": "3.1.3"}, "vulnerabilities": [VULN]})
    assert audit.main() == 1
    assert "VULNERABLE flask 3.1.3: PYSEC-2099-1" in capsys.readouterr().out


def test_mirror_fallback_never_claims_an_older_version_was_audited(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(0, _skipped("flask", "2.0.0")))
    monkeypatch.setattr(audit, "installed_version", lambda name: "2.0.0")
    _mirror(monkeypatch, audit, {"info": {"version": "3.1.3"}, "vulnerabilities": []})
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert "0 packages audited" in out
    assert "NOT AUDITED (1)" in out
    assert "flask 2.0.0" in out


def test_mirror_unreachable_is_a_network_error(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(0, _skipped("flask", "3.1.3")))
    monkeypatch.setattr(audit, "installed_version", lambda name: "3.1.3")
    _mirror(monkeypatch, audit, urllib.error.URLError("Name or service not known"))
    assert audit.main() == 0
    assert "NOT AUDITED, network error (1)" in capsys.readouterr().out


def test_withdrawn_and_accepted_vulnerabilities_do_not_fail(
    audit: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    withdrawn = {**VULN, "id": "PYSEC-2099-2", "withdrawn": "2099-01-01"}
    accepted = {**VULN, "id": "PYSEC-2099-3", "aliases": []}
    monkeypatch.setitem(audit.IGNORED, "PYSEC-2099-3", "test: accepted for a reason")
    report = {"dependencies": [{"name": "x", "version": "1", "vulns": [withdrawn, accepted]}]}
    monkeypatch.setattr(audit, "run_pip_audit", fake_run(0, report))
    assert audit.main() == 0


def test_audit_script_is_what_make_audit_runs() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/python scripts/audit.py" in makefile
    assert "$(BIN)/bandit -c pyproject.toml -r hamar_graph web -q" in makefile
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci.index("make audit") > ci.index("make test")
    assert Path(PROJECT_ROOT / "constraints.txt").read_text(encoding="utf-8").count("==") > 30


def test_bandit_finds_nothing_in_our_code() -> None:
    """What `make audit` runs after the suite, run with it, so a finding fails the tests
    where it is made (with its accepted exceptions in pyproject.toml and SECURITY.md)."""
    import subprocess

    bandit = Path(sys.executable).with_name("bandit")
    done = subprocess.run(
        [str(bandit), "-c", "pyproject.toml", "-r", "hamar_graph", "web", "-q", "-f", "json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    assert [(r["filename"], r["line_number"], r["test_id"]) for r in report["results"]] == []
    assert done.returncode == 0
