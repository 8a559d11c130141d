"""What a remote engine answers, read honestly: canned answers as Virtuoso 7.2 gives them
(docs/virtuoso.md §3), from a loopback server that plays the engine.

- literals are read in their standard form (``typed-literal``/``lang``, ``xsd:boolean``
  1/0, explicit ``xsd:string``, the loader's stand-in datatypes), for RemoteStore (rdflib)
  and RemoteEngine (pyoxigraph, what ``/sparql`` serialises);
- an answer the engine cut short is never taken for a whole one: ``X-SQL-State`` on a 200
  is a timeout (504 for pages), ``X-SPARQL-MaxRows`` an error unless the app's own row cap
  cuts deeper;
- errors keep Virtuoso's first line; its 500s for a bad query are the query's fault, its
  time limits are timeouts;
- the dialect comes from the ``Server`` header, and DESCRIBE asks Virtuoso for Oxigraph's
  description.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from hamar_graph.store.base import StoreError, StoreUnavailable
from hamar_graph.store.remote import OPAQUE_DATATYPE, RemoteEngine, RemoteStore

VIRTUOSO = "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
POLYGON = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POLYGON((10 60, 11 60, 11 61, 10 60))"


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    media_type: str = "application/sparql-results+json"
    headers: dict[str, str] = field(default_factory=dict)


class Engine:
    """A loopback HTTP server that answers every POST with :attr:`answer` and keeps the
    queries it got."""

    def __init__(self) -> None:
        self.answer = Canned()
        self.queries: list[str] = []
        engine = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def version_string(self) -> str:  # the Server header
                return engine.answer.headers.get("Server", VIRTUOSO)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                engine.queries.append(form.get("query", [""])[0])
                answer = engine.answer
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.media_type)
                for name, value in answer.headers.items():
                    if name != "Server":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def results(self, rows: list[dict[str, dict[str, str]]], **headers: str) -> None:
        doc = {"head": {"link": [], "vars": sorted({k for r in rows for k in r})}}
        doc["results"] = {"distinct": False, "ordered": True, "bindings": rows}  # type: ignore[assignment]
        self.answer = Canned(body=json.dumps(doc).encode(), headers=headers)


@pytest.fixture(scope="module")
def running() -> Iterator[Engine]:
    e = Engine()
    e.thread.start()
    yield e
    e.server.shutdown()
    e.server.server_close()
    e.thread.join(5)


@pytest.fixture()
def engine(running: Engine) -> Engine:
    running.answer = Canned()
    running.queries.clear()
    return running


VIRTUOSO_ROW = {
    "flag": {"type": "typed-literal", "datatype": str(XSD.boolean), "value": "1"},
    "off": {"type": "typed-literal", "datatype": str(XSD.boolean), "value": "0"},
    "s": {"type": "typed-literal", "datatype": str(XSD.string), "value": "x"},
    "n": {"type": "typed-literal", "datatype": str(XSD.decimal), "value": "13.195"},
    "l": {"type": "literal", "lang": "nb", "value": "Lund"},
    "bbox": {"type": "typed-literal", "datatype": OPAQUE_DATATYPE + WKT, "value": POLYGON},
    "i": {"type": "uri", "value": "https://data.hamar.kommune.no/id/x"},
}


def test_literals_are_read_in_their_standard_form(engine: Engine) -> None:
    engine.results([VIRTUOSO_ROW])
    (row,) = RemoteStore(engine.url).select("SELECT * WHERE { ?s ?p ?o }")
    assert row == {
        "flag": Literal("true", datatype=XSD.boolean),
        "off": Literal("false", datatype=XSD.boolean),
        "s": Literal("x"),
        "n": Literal("13.195", datatype=XSD.decimal),
        "l": Literal("Lund", lang="nb"),
        "bbox": Literal(POLYGON, datatype=URIRef(WKT)),
        "i": URIRef("https://data.hamar.kommune.no/id/x"),
    }
    assert str(row["flag"]) == "true"


def test_the_query_processes_read_them_alike(engine: Engine) -> None:
    engine.results([VIRTUOSO_ROW])
    result = RemoteEngine(engine.url, 5).query("SELECT * WHERE { ?s ?p ?o }", form="SELECT")
    (solution,) = list(result)
    assert solution["flag"] == ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
    assert solution["s"] == ox.Literal("x")
    assert solution["l"] == ox.Literal("Lund", language="nb")
    assert solution["bbox"] == ox.Literal(POLYGON, datatype=ox.NamedNode(WKT))


def test_graphs_are_read_alike(engine: Engine) -> None:
    nt = (
        f'<urn:a> <urn:flag> "1"^^<{XSD.boolean}> .\n'
        f'<urn:a> <urn:bbox> "{POLYGON}"^^<{OPAQUE_DATATYPE}{WKT}> .\n'
    ).encode()
    engine.answer = Canned(body=nt, media_type="application/n-triples")
    graph = RemoteStore(engine.url).construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert set(graph.objects()) == {
        Literal("true", datatype=XSD.boolean),
        Literal(POLYGON, datatype=URIRef(WKT)),
    }
    triples = RemoteEngine(engine.url, 5).query("CONSTRUCT WHERE { ?s ?p ?o }", form="CONSTRUCT")
    assert {t.object for t in triples} == {
        ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean))),
        ox.Literal(POLYGON, datatype=ox.NamedNode(WKT)),
    }


def test_an_answer_cut_by_the_engines_time_limit_is_a_timeout(engine: Engine) -> None:
    engine.results(
        [{"n": {"type": "typed-literal", "datatype": str(XSD.integer), "value": "409806"}}],
        **{"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"},
    )
    with pytest.raises(StoreUnavailable, match="only part of it") as caught:
        RemoteStore(engine.url).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(caught.value.__cause__, TimeoutError)  # pages answer 504
    with pytest.raises(ConnectionError, match="only part of it"):
        RemoteEngine(engine.url, 5).query("SELECT * {}", form="SELECT")


def test_an_answer_cut_at_the_engines_row_limit_is_never_taken_for_a_whole_one(
    engine: Engine,
) -> None:
    rows = [{"s": {"type": "uri", "value": f"urn:x:{i}"}} for i in range(100)]
    engine.results(rows, **{"X-SPARQL-MaxRows": "100"})
    with pytest.raises(StoreError, match="cut this answer at 100 rows"):
        RemoteStore(engine.url).select("SELECT ?s WHERE { ?s ?p ?o }")
    # /sparql with a row cap of 10: the app cuts deeper and says so itself
    assert (
        len(list(RemoteEngine(engine.url, 5, max_rows=10).query("SELECT *{}", form="SELECT")))
        == 100
    )
    # a row cap of 1000: 100 rows would look whole, so the client is told
    with pytest.raises(ValueError, match="add LIMIT 100 or fewer"):
        RemoteEngine(engine.url, 5, max_rows=1000).query("SELECT *{}", form="SELECT")
    # fewer rows than the limit: a whole answer, whatever the header
    engine.results(rows[:7], **{"X-SPARQL-MaxRows": "100"})
    assert len(RemoteStore(engine.url).select("SELECT ?s WHERE { ?s ?p ?o }")) == 7


@pytest.mark.parametrize(
    ("status", "body", "raised", "message"),
    [
        (
            400,
            "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error at '}' before '}'"
            "\n\nSPARQL query:\ndefine sql:big-data-const 0 SELECT ?s WHERE { ?s ?p }",
            SyntaxError,
            "SP030",
        ),
        (
            500,
            "Virtuoso 37000 Error TR...: transitive start not given\n\nSPARQL query:\nSELECT …",
            SyntaxError,
            "transitive start not given",
        ),
        (
            500,
            "Virtuoso 22007 Error Function rdf_strlang_impl needs a valid language ID",
            SyntaxError,
            "language ID",
        ),
        (500, "Virtuoso S1T00 Error SR171: Transaction timed out", StoreUnavailable, "time limit"),
        (
            500,
            "Virtuoso 42000 Error The estimated execution time 4025 (sec) exceeds the limit of 400",
            StoreUnavailable,
            "time limit",
        ),
        (500, "Virtuoso 08C01 Error CL...: something broke", StoreUnavailable, "answered 500"),
    ],
)
def test_errors_keep_the_first_line_and_say_whose_fault(
    engine: Engine, status: int, body: str, raised: type[Exception], message: str
) -> None:
    engine.answer = Canned(status, body.encode(), "text/plain")
    with pytest.raises(raised, match=message) as caught:
        RemoteStore(engine.url).select("SELECT * WHERE { ?s ?p ?o }")
    assert "SPARQL query:" not in str(caught.value)
    timeout = "time limit" in message
    assert isinstance(caught.value.__cause__, TimeoutError) == timeout


def test_describe_asks_virtuoso_for_the_concise_description(engine: Engine) -> None:
    engine.answer = Canned(body=b"<urn:a> <urn:b> <urn:c> .\n", media_type="application/n-triples")
    RemoteEngine(engine.url, 5).query("DESCRIBE <urn:a>", form="DESCRIBE")
    assert engine.queries[-1].startswith('define sql:describe-mode "CBD"')
    RemoteStore(engine.url).construct("DESCRIBE <urn:a>")
    assert engine.queries[-1].startswith('define sql:describe-mode "CBD"')
    engine.queries.clear()
    RemoteEngine(engine.url, 5, dialect="standard").query("DESCRIBE <urn:a>", form="DESCRIBE")
    assert engine.queries == ["DESCRIBE <urn:a>"]


def test_the_dialect_comes_from_the_server_header(engine: Engine) -> None:
    engine.results([])
    store = RemoteStore(engine.url)
    assert store.dialect == "auto"
    store.select("SELECT * {}")
    assert store.dialect == "virtuoso"
    engine.answer.headers["Server"] = "Oxigraph/0.5.13"
    assert RemoteStore(engine.url).engine_dialect() == "standard"
    with pytest.raises(StoreError, match="unknown remote dialect"):
        RemoteStore(engine.url, dialect="fuseki")
