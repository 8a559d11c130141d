"""``hamar-graph serve``: flags and variables become settings, granian gets a sane
configuration, and the real server process answers SPARQL clients and survives a
hostile query."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import JSON, SPARQLWrapper

from hamar_graph.cli import main
from hamar_graph.config import Settings
from hamar_graph.namespaces import SD
from tests.support.sparql import ServeProcess, http, parse_rdf
from web import server


def test_flags_and_variables_become_settings(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Settings] = []
    monkeypatch.setattr(server, "run_serve", seen.append)
    result = runner.invoke(
        main,
        [
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "8123",
            "--workers",
            "3",
            "--threads",
            "6",
            "--timeout",
            "4.5",
            "--memory-mb",
            "300",
            "--query-workers",
            "1",
            "--max-rows",
            "7",
            "--max-query-bytes",
            "5000",
            "--max-url-bytes",
            "4000",
            "--store",
            "memory",
            "--malloc-arenas",
            "3",
        ],
        env={"HAMAR_GRAPH_MAX_ROWS": "99", "HAMAR_GRAPH_PAGE_SIZE": "11"},
    )
    assert result.exit_code == 0, result.output
    s = seen[0]
    assert (s.host, s.port, s.workers, s.threads) == ("0.0.0.0", 8123, 3, 6)
    assert (s.query_timeout, s.query_memory_mb, s.query_workers) == (4.5, 300, 1)
    assert (s.max_rows, s.max_query_bytes, s.max_url_bytes) == (7, 5000, 4000)  # flag wins
    assert s.store == "memory"
    assert s.malloc_arenas == 3
    assert s.page_size == 11  # a variable without a flag


def test_bad_flag_value_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "HAMAR_GRAPH_WORKERS must be positive" in result.output


def test_negative_malloc_arenas_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--malloc-arenas", "-1"])
    assert result.exit_code == 2
    assert "HAMAR_GRAPH_MALLOC_ARENAS must be 0 (off) or positive" in result.output


def test_server_options() -> None:
    options = server.server_options(
        Settings(host="127.0.0.1", port=5050, workers=3, threads=5, query_timeout=10)
    )
    assert (options["address"], options["port"]) == ("127.0.0.1", 5050)
    assert options["interface"] == "wsgi"
    assert (options["workers"], options["blocking_threads"]) == (3, 5)
    assert options["target"] == server.TARGET and options["factory"] is True
    assert options["workers_kill_timeout"] >= 10  # a graceful stop waits one deadline
    # The request head holds any URL the app accepts, so a long one gets the app's 414.
    big = server.server_options(Settings(max_url_bytes=100_000))
    assert big["http1_settings"].max_buffer_size > 100_000


def test_settings_reach_the_worker_processes() -> None:
    settings = Settings(port=5051, query_budget=12.5, store_path=Path("/srv/store"))
    env = server.settings_environment(settings)
    assert env["HAMAR_GRAPH_PORT"] == "5051"
    assert env["HAMAR_GRAPH_STORE_PATH"] == "/srv/store"
    assert "HAMAR_GRAPH_ENDPOINT" not in env  # None stays unset
    assert Settings.from_env(env) == settings


SELECT = """
PREFIX hms: <https://data.hamar.kommune.no/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?city ?name WHERE { ?city a hms:TwinCity ; skos:prefLabel ?name
  FILTER(lang(?name) = "nb") } ORDER BY ?name
"""
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.server
def test_the_real_server(tmp_path: Path) -> None:
    args = ["--workers", "1", "--threads", "4", "--query-workers", "2", "--timeout", "3"]
    args += ["--store-path", str(tmp_path / "no-store")]
    env = {"HAMAR_GRAPH_MAX_ROWS": "5", "HAMAR_GRAPH_OUT_DIR": str(tmp_path)}
    with ServeProcess(*args, env=env) as served:
        # SPARQLWrapper, unchanged.
        sparql = SPARQLWrapper(f"{served.url}/sparql")
        sparql.setQuery(SELECT)
        sparql.setReturnFormat(JSON)
        response = sparql.query()
        headers = response.response.headers
        rows = response.convert()["results"]["bindings"]  # type: ignore[index]
        assert [r["name"]["value"] for r in rows] == [
            "Borgå",
            "Dalvik",
            "Fargo",
            "Greifswald",
            "Karmiel",
        ]
        assert headers["X-Hamar-Truncated"] == "true"  # HAMAR_GRAPH_MAX_ROWS=5
        # The server names no product.
        assert headers["Server"] == "hamar-graph"
        # The service description names the URL the client called.
        status, _, body = http(f"{served.url}/sparql", headers={"Accept": "text/turtle"})
        assert status == 200
        g = parse_rdf(body, "turtle")
        service = URIRef(f"{served.url}/sparql")
        assert (service, RDF.type, SD.Service) in g
        assert (service, SD.endpoint, service) in g
        # A hostile query is stopped at the deadline; an ordinary one sent meanwhile is
        # answered before that deadline.
        result: dict[str, tuple[int, dict[str, str], bytes]] = {}
        started = time.monotonic()
        finished: list[float] = []

        def send_hostile() -> None:
            result["h"] = http(f"{served.url}/sparql?{urlencode({'query': HOSTILE})}")
            finished.append(time.monotonic())

        hostile = threading.Thread(target=send_hostile)
        hostile.start()
        time.sleep(0.5)
        status, _, body = http(f"{served.url}/sparql?{urlencode({'query': SELECT})}")
        answered = time.monotonic()
        hostile.join(60)
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5
        assert result["h"][0] == 503
        assert "deadline of 3 s" in result["h"][2].decode()
        assert answered < started + 3
        assert answered < finished[0]  # the two overlapped
        # And afterwards.
        status, _, body = http(f"{served.url}/sparql?{urlencode({'query': SELECT})}")
        assert status == 200
        # A long URL is the app's 414, not the HTTP server's 400.
        status, _, body = http(f"{served.url}/sparql?query=" + "A" * 9000)
        assert status == 414


@pytest.mark.server
def test_read_replicas_serve_one_persistent_store(settings: Settings) -> None:
    """Two servers (as behind a load balancer) open the store build wrote read-only, at the
    same time, and give the same answers and the same validators."""
    store = settings.out_dir / "store"
    assert store.is_dir()
    args = ["--workers", "1", "--query-workers", "1", "--store-path", str(store)]
    env = {"HAMAR_GRAPH_OUT_DIR": str(settings.out_dir)}
    with ServeProcess(*args, env=env) as first, ServeProcess(*args, env=env) as second:
        answers = []
        for served in (first, second):
            status, headers, body = http(
                f"{served.url}/sparql?{urlencode({'query': SELECT})}",
                headers={"Accept": "application/sparql-results+json"},
            )
            assert status == 200
            rows = json.loads(body)["results"]["bindings"]
            page_status, page_headers, _ = http(f"{served.url}/id/vennskapsby/lund")
            assert page_status == 200
            answers.append(
                ([r["name"]["value"] for r in rows], headers["ETag"], page_headers["ETag"])
            )
        assert len(answers[0][0]) == 8
        assert answers[0] == answers[1]
