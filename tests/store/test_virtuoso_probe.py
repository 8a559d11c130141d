"""OpenLink Virtuoso (Debian's virtuoso-opensource 7.2) as a remote SPARQL engine: the basics.

A throw-away Virtuoso (tests/support/virtuoso_server.py) is started on loopback ports, the
assembled graph is bulk-loaded from N-Quads, and the SPARQL 1.1 Protocol is exercised
with SPARQLWrapper, as hamar_graph/remote.py uses it. docs/virtuoso.md records every way
Virtuoso differs from the Oxigraph server; benchmarks/virtuoso_compare.py measures them.

Skipped, with the reason, when Virtuoso is not installed
(``bash scripts/install-virtuoso.sh``).
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper

from hamar_graph.rdf.serialize import serialize_nquads
from tests.support.virtuoso_server import VirtuosoServer, virtuoso_missing, wait_refused

MISSING = virtuoso_missing()

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(MISSING is not None, reason=MISSING or ""),
]

ID = "https://data.hamar.kommune.no/id/"
HMS = "https://data.hamar.kommune.no/def/"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
LUND = URIRef(ID + "vennskapsby/lund")
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nquads(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The assembled graph as N-Quads, one named graph per source file (as the build writes)."""
    path = tmp_path_factory.mktemp("virtuoso-data") / "hamar-graph.nq"
    path.write_bytes(serialize_nquads(dataset))
    return path


@pytest.fixture(scope="module")
def expected(nquads: Path) -> dict[str, int]:
    """Distinct triples per named graph of the N-Quads file."""
    triples: dict[str, set[tuple[str, str, str]]] = {}
    for quad in ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name
        assert isinstance(graph, ox.NamedNode), "every quad is in a named graph"
        triples.setdefault(graph.value, set()).add(
            (str(quad.subject), str(quad.predicate), str(quad.object))
        )
    return {name: len(found) for name, found in triples.items()}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, nquads: Path) -> Iterator[VirtuosoServer]:
    """Virtuoso as installed (every graph readable), with the graph loaded."""
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    try:
        server.load_nquads(nquads)
        yield server
    finally:
        server.stop()
    assert not server.running


def wrapper(server: VirtuosoServer, query: str, fmt: str = JSON) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.query_url)
    sparql.setMethod(POST)
    sparql.setTimeout(30)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def select(server: VirtuosoServer, query: str) -> list[dict[str, dict[str, str]]]:
    result = wrapper(server, query).query().convert()
    assert isinstance(result, dict)
    return result["results"]["bindings"]  # type: ignore[no-any-return]


def graph_counts(server: VirtuosoServer, params: str = "") -> dict[str, int]:
    rows = select(
        server,
        f"SELECT ?g (COUNT(*) AS ?n) {params} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
    )
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def default_count(server: VirtuosoServer, params: str = "") -> int:
    rows = select(server, f"SELECT (COUNT(*) AS ?n) {params} WHERE {{ ?s ?p ?o }}")
    return int(rows[0]["n"]["value"])


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp*)."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path(f"/proc/net/{name}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


# --- the server ------------------------------------------------------------------------


def test_listens_on_loopback_only(virtuoso: VirtuosoServer) -> None:
    for port in (virtuoso.sql_port, virtuoso.http_port):
        # 0100007F is 127.0.0.1 in /proc/net/tcp's little-endian hex
        assert listening_addresses(port) == {"0100007F"}, port
    assert virtuoso.query_url.startswith("http://127.0.0.1:")


def test_triple_counts_per_named_graph_equal_the_file(
    virtuoso: VirtuosoServer, expected: dict[str, int]
) -> None:
    counts = graph_counts(virtuoso)
    assert {g: counts.get(g) for g in expected} == expected
    # Everything else is Virtuoso's own: its quad-map schema, the LDP vocabulary, and the
    # service description and DAV graphs named after the HTTP address.
    others = set(counts) - set(expected)
    assert VIRTRDF in others
    assert others <= {
        VIRTRDF,
        "http://www.w3.org/ns/ldp#",
        f"{virtuoso.base}/sparql",
        f"{virtuoso.base}/DAV/",
        "http://localuriqaserver/sparql",
    }, others


# --- the four query forms over the protocol --------------------------------------------


def test_select(virtuoso: VirtuosoServer) -> None:
    rows = select(virtuoso, f"SELECT ?l WHERE {{ <{LUND}> <{SKOS_PREF}> ?l }} ORDER BY ?l")
    # ORDER BY leaves "Lund"@en and "Lund"@nb in no defined order: Virtuoso puts nb first,
    # Oxigraph en (it breaks the tie on the language tag)
    assert sorted((r["l"]["value"], r["l"]["xml:lang"]) for r in rows) == [
        ("Lund", "en"),
        ("Lund", "nb"),
    ]


def test_ask(virtuoso: VirtuosoServer) -> None:
    assert wrapper(virtuoso, f"ASK {{ ?s a <{HMS}TwinCity> }}").query().convert()["boolean"]
    assert not wrapper(virtuoso, f"ASK {{ ?s a <{HMS}Nothing> }}").query().convert()["boolean"]


def test_construct(virtuoso: VirtuosoServer, dataset: Dataset) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{LUND}>) }}"
    result = wrapper(virtuoso, query, N3).query()
    # SPARQLWrapper sends format=n3 (and output=, results=) besides its Accept header;
    # Virtuoso obeys the parameter: N3, which here is Turtle that rdflib reads
    assert result.response.headers.get_content_type() == "text/rdf+n3"
    graph = Graph().parse(data=result.response.read(), format="turtle")
    expected = Graph()
    for s, p, o, _ in dataset.quads((LUND, None, None, None)):
        expected.add((s, p, o))
    assert len(graph) > 10
    assert isomorphic(graph, expected)


def test_describe_is_virtuoso_specific(virtuoso: VirtuosoServer, dataset: Dataset) -> None:
    """DESCRIBE's answer is the engine's choice (SPARQL 1.1 §16.4).

    Virtuoso's default describe mode answered with the triples that point *to* the
    resource; ``define sql:describe-mode "CBD"`` gives its outgoing triples, as the
    Oxigraph server does.
    """
    plain = Graph().parse(
        data=wrapper(virtuoso, f"DESCRIBE <{LUND}>", N3).query().response.read(), format="turtle"
    )
    assert len(plain) > 0
    assert all(o == LUND for _, _, o in plain)
    cbd_query = f'define sql:describe-mode "CBD" DESCRIBE <{LUND}>'
    cbd = Graph().parse(
        data=wrapper(virtuoso, cbd_query, N3).query().response.read(), format="turtle"
    )
    outgoing = {(s, p, o) for s, p, o, _ in dataset.quads((LUND, None, None, None))}
    assert set(cbd) == outgoing


def test_malformed_query_is_400_with_virtuoso_text(virtuoso: VirtuosoServer) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match=r"Virtuoso 37000 Error SP030"):
        wrapper(virtuoso, "SELECT ?s WHERE { ?s ?p }").query()


# --- datasets --------------------------------------------------------------------------


def test_default_graph_is_the_union_of_every_graph(
    virtuoso: VirtuosoServer, expected: dict[str, int]
) -> None:
    """With no FROM and no default-graph-uri, Virtuoso's default graph is every graph,
    its own system graphs included; naming our graphs gives exactly our data."""
    everything = sum(graph_counts(virtuoso).values())
    ours = sum(expected.values())
    assert default_count(virtuoso) == everything > ours
    # the protocol's default-graph-uri, one per graph, makes the default graph their merge
    sparql = wrapper(virtuoso, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    for graph in sorted(expected):
        sparql.addDefaultGraph(graph)
    n = int(sparql.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n == ours
    # so does one FROM clause per graph
    froms = " ".join(f"FROM <{g}>" for g in sorted(expected))
    assert default_count(virtuoso, froms) == ours
    # but a FROM leaves GRAPH ?g unrestricted (SPARQL says: no named graphs at all)
    first = sorted(expected)[0]
    assert len(graph_counts(virtuoso, f"FROM <{first}>")) > 1
    # FROM NAMED restricts GRAPH ?g, and then the default graph is empty, as specified
    assert graph_counts(virtuoso, f"FROM NAMED <{first}>") == {first: expected[first]}
    assert default_count(virtuoso, f"FROM NAMED <{first}>") == 0


# --- a restricted SPARQL user, stop and restart ----------------------------------------


def test_publish_only_then_stop_refuses_and_restart_answers(
    tmp_path: Path, nquads: Path, expected: dict[str, int]
) -> None:
    server = VirtuosoServer(tmp_path / "db")
    try:
        server.start()
        server.load_nquads(nquads)
        server.publish_only(expected)
        assert graph_counts(server) == expected
        assert default_count(server) == sum(expected.values())

        url = server.query_url
        server.stop()
        assert not server.running
        assert wait_refused(url)
        with pytest.raises(urllib.error.URLError) as refused:
            wrapper(server, "ASK {}").query()
        assert isinstance(refused.value.reason, ConnectionRefusedError)

        server.start()  # the same folder and ports
        assert server.query_url == url
        assert graph_counts(server) == expected, "the data and the grants survive a restart"
        ask = wrapper(server, f"ASK {{ <{LUND}> ?p ?o }}").query().convert()
        assert ask["boolean"] is True
    finally:
        server.kill()
    assert not server.running


def test_loader_reports_a_bad_file(tmp_path: Path) -> None:
    from tests.support.virtuoso_server import VirtuosoError

    bad = tmp_path / "bad.nq"
    bad.write_text("<urn:a> <urn:b> this is not RDF .\n", encoding="utf-8")
    with VirtuosoServer(tmp_path / "db") as server, pytest.raises(VirtuosoError, match=r"bad\.nq"):
        server.load_nquads(bad)


def test_literal_forms_differ_from_oxigraph(virtuoso: VirtuosoServer) -> None:
    """What the remote-store client must normalise (docs/virtuoso.md, "Literals")."""
    row = select(
        virtuoso,
        f"SELECT ?b ?t ?s WHERE {{ ?f <{HMS}isLowerBound> ?b FILTER(?b) "
        'BIND(1 < 2 AS ?t) BIND("x"^^<http://www.w3.org/2001/XMLSchema#string> AS ?s) } LIMIT 1',
    )[0]
    # stored booleans come back as 1/0
    assert row["b"] == {
        "type": "typed-literal",
        "datatype": "http://www.w3.org/2001/XMLSchema#boolean",
        "value": "1",
    }
    # a boolean expression is typed xsd:integer
    assert row["t"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    # xsd:string stays explicit
    assert row["s"]["datatype"] == "http://www.w3.org/2001/XMLSchema#string"
    assert Literal(row["b"]["value"], datatype=URIRef(row["b"]["datatype"])) == Literal(True)
    assert json.dumps(row)  # plain JSON all the way
