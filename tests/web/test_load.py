"""The load test, 10-second version (issue 8, part 2): 20 clients and one attacker
against a real ``hamar-graph serve``, through :mod:`benchmarks.load`.

Behaviour, not speed: no 5xx except the hostile queries' expected 503s, no
connection error, every hostile request refused or stopped with its expected
status, every ordinary request answered as expected. The 60-second run with 50
clients is recorded in benchmarks/README.md ("Load").
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.load import (
    Report,
    ServeProcess,
    check_loopback,
    hostile_calls,
    percentile,
    run,
    source_addresses,
)
from hamar_graph.build.pipeline import BuildResult

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    out: Path = tmp_path_factory.mktemp("load") / "dist"
    shutil.copytree(built.manifest_path.parent, out)  # the session's build, as `build` wrote it
    served = ServeProcess(out).start()  # default settings: 10 s query deadline
    try:
        yield served
    finally:
        served.close()


@pytest.fixture(scope="module")
def report(server: ServeProcess) -> Report:
    return run(server.url, clients=20, duration=10, hostile_pause=0.5)


def test_each_client_and_the_attacker_came_from_an_address_of_its_own(report: Report) -> None:
    # the endpoint shares query processes per address: were the attacker on the ordinary
    # clients' address, its long queries would rightly limit theirs (429)
    assert report.own_addresses
    sources, attacker = source_addresses("127.0.0.1", 20)
    assert len(set(sources)) == 20 and attacker not in sources
    assert source_addresses("::1", 3) == ([None, None, None], None)


def test_no_unexpected_5xx_and_no_connection_error(report: Report) -> None:
    assert report.connection_errors == []
    assert report.unexpected_5xx == []
    assert report.unexpected == [], report.text()


def test_the_mix_was_sent(report: Report) -> None:
    kinds = {s.kind for s in report.samples}
    for kind in (
        "home",
        "entity-html",
        "entity-turtle",
        "sparql-get",
        "sparql-post",
        "catalog",
        "void",
        "dump",
        "conditional",
    ):
        assert kind in kinds, report.text()
    statuses = {s.status for s in report.samples if s.kind == "conditional"}
    assert 304 in statuses  # the ETags seen earlier were honoured


def test_every_hostile_request_got_its_expected_status(report: Report) -> None:
    hostile = report.hostile
    kinds = {s.kind for s in hostile}
    assert kinds >= {"hostile-service", "hostile-update", "hostile-load", "hostile-deadline"}
    assert all(s.expected for s in hostile), [(s.kind, s.status) for s in hostile]
    assert any(s.status == 503 for s in hostile if s.kind == "hostile-deadline")


def test_the_server_still_answers_after_the_load(server: ServeProcess) -> None:
    after = run(server.url, clients=2, duration=1, attack=False)
    assert after.connection_errors == []
    assert after.unexpected == []


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.1", "example.org", "0.0.0.0", "8.8.8.8"])
def test_the_generator_refuses_anything_but_loopback(host: str) -> None:
    with pytest.raises(ValueError, match=r"loopback|refusing"):
        check_loopback(host)
    with pytest.raises(ValueError):
        run(f"http://{host}:5000", clients=1, duration=1)


@pytest.mark.parametrize(("clients", "duration"), [(0, 1), (201, 1), (1, 0), (1, 601)])
def test_the_generator_is_bounded(clients: int, duration: float) -> None:
    with pytest.raises(ValueError):
        run("http://127.0.0.1:9", clients=clients, duration=duration)


def test_hostile_requests_exceed_the_limits_they_test() -> None:
    calls = {c.kind: c for c in hostile_calls(100, 50)}
    assert len(calls["hostile-body"].body or b"") == 101
    assert len(calls["hostile-url"].path) > 50


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
