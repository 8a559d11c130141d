"""``hamar_graph.build``: assemble, derive, skolemize, write the dumps, the store and the manifest.

Issue 2, item 4 (build) and item 6 (deterministic build, round-trips). What a failing build
reports and leaves (issue 3: nothing written on a Violation, previous output intact) is
checked in ``tests/build/test_build_failures.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from hamar_graph import __version__
from hamar_graph.build.assembly import assemble, derived_graph_name
from hamar_graph.build.derive import derive, skolemize
from hamar_graph.build.pipeline import BuildResult, build
from hamar_graph.config import Settings
from hamar_graph.namespaces import HMS, ID
from hamar_graph.rdf.convert import from_ox
from hamar_graph.rdf.datasets import canonical_dataset, union_graph
from hamar_graph.rdf.formats import RDF_FORMATS
from hamar_graph.store.base import StoreError
from hamar_graph.store.oxigraph import OxigraphStore
from tests.support.build_settings import settings_for as _settings

DUMP_KEYS = ("ttl", "nt", "jsonld", "rdf", "nq")
EX = "http://example.org/"


def _parse_nquads(path: Path) -> dict[URIRef, Graph]:
    """The named graphs of an N-Quads file, read with Oxigraph's parser (not rdflib's)."""
    graphs: dict[URIRef, Graph] = {}
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
        name = from_ox(quad.graph_name)
        assert isinstance(name, URIRef), "every quad sits in a named graph"
        graph = graphs.setdefault(name, Graph())
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graphs


def _ground(graph: Graph) -> set[tuple[Node, Node, Node]]:
    """The triples of ``graph`` without a blank node (blank-node labels are per parse)."""
    return {t for t in graph if not any(isinstance(n, BNode) for n in t)}


def _dumps(out: Path) -> dict[str, bytes]:
    """Every file build wrote at the top of ``out`` (dumps, manifests; not the store)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


# --- what build writes ---------------------------------------------------------------------


def test_build_writes_every_dump_store_and_manifest(built: BuildResult) -> None:
    out = built.manifest_path.parent
    assert set(built.files) == set(DUMP_KEYS)
    for key in DUMP_KEYS:
        ext = RDF_FORMATS[key].extension if key in RDF_FORMATS else key
        assert built.files[key] == out / f"hamar-graph-{__version__}.{ext}"
        assert built.files[key].stat().st_size > 10_000
    manifest = json.loads(built.manifest_path.read_text(encoding="utf-8"))
    assert built.manifest_path.name == "publication.json"
    assert manifest["meta"]["version"] == __version__
    assert manifest["build"]["triples"] == built.triples
    assert manifest["build"]["classes"] == built.classes
    entries = {f["name"]: f for f in manifest["files"]}
    for key, path in built.files.items():
        entry = entries[path.name]
        assert entry["format_key"] == key and entry["part"] == "all"
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert built.sha256[path.name] == entry["sha256"]
    plan = out / "plan.json"
    assert manifest["extras"]["plan.json"] == hashlib.sha256(plan.read_bytes()).hexdigest()
    assert (out / "store").is_dir()
    leftovers = [p.name for p in out.iterdir() if ".tmp" in p.name or ".old-" in p.name]
    assert leftovers == []


def test_build_counts_match_the_union_graph(built: BuildResult, source_copy: Path) -> None:
    union = Graph()
    union.parse(built.files["nt"], format="nt")
    assert built.triples == len(union)
    nquads = _parse_nquads(built.files["nq"])
    assert built.quads == sum(len(g) for g in nquads.values())
    assert built.graphs[str(derived_graph_name(_settings(source_copy, Path("x"))))] == built.derived
    axes = set(union.subjects(RDF.type, HMS.Axis))
    assert built.classes["hms:Axis"] == len(axes) > 0
    assert list(built.classes) == sorted(built.classes)


# --- reproducible bytes --------------------------------------------------------------------


def test_two_builds_give_identical_bytes_and_report_progress(
    built: BuildResult, source_copy: Path, tmp_path: Path
) -> None:
    lines: list[str] = []
    second = build(_settings(source_copy, tmp_path / "second"), progress=lines.append)
    first_files = _dumps(built.manifest_path.parent)
    assert set(first_files) >= {p.name for p in built.files.values()} | {"publication.json"}
    assert first_files == _dumps(tmp_path / "second")
    # one progress line per step: each file parsed, terms, validation, each file written
    for ttl in sorted(source_copy.glob("*/*.ttl")):
        assert f"parsing {ttl.parent.name}/{ttl.name}" in lines
    assert any(line.startswith("checking") for line in lines)
    assert any(line.startswith("validating") for line in lines)
    for path in [*second.files.values(), second.manifest_path]:
        assert f"writing {path}" in lines
    summary = second.summary_lines()
    assert summary[0].startswith(f"triples: {second.triples} ")
    assert any(line.split() == ["hms:TwinCity", "8"] for line in summary)


def test_builds_in_processes_with_different_hash_seeds_give_identical_bytes(
    built: BuildResult, source_copy: Path, tmp_path: Path
) -> None:
    """rdflib's store iterates sets: the bytes must not depend on PYTHONHASHSEED."""
    script = (
        "import sys; from pathlib import Path; from hamar_graph.build import build; "
        "from hamar_graph.config import Settings; "
        "build(Settings(source_dir=Path(sys.argv[1]), out_dir=Path(sys.argv[2])))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", script, str(source_copy), str(tmp_path / seed)],
            env=env,
            check=True,
        )
    expected = _dumps(built.manifest_path.parent)
    assert _dumps(tmp_path / "1") == expected
    assert _dumps(tmp_path / "2") == expected


# --- round trips ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assembled(source_copy: Path) -> Dataset:
    return assemble(_settings(source_copy, Path("unused")))


OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}


def _parse_with(parser: str, path: Path, key: str) -> Graph:
    """Parse a dump with rdflib or, independently, with Oxigraph's parsers."""
    graph = Graph()
    if parser == "oxigraph":
        for t in ox.parse(path=path, format=OX_FORMATS[key]):
            graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return graph
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser builds a ConjunctiveGraph internally
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(path, format=RDF_FORMATS[key].rdflib_format)
    return graph


@pytest.mark.parametrize("parser", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("key", list(RDF_FORMATS))
def test_dump_parses_back_to_the_assembled_union_graph(
    built: BuildResult, assembled: Dataset, key: str, parser: str
) -> None:
    parsed = _parse_with(parser, built.files[key], key)
    expected = union_graph(assembled)
    assert _ground(parsed) == _ground(expected)
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)


def test_nquads_keep_every_named_graph(built: BuildResult, assembled: Dataset) -> None:
    got = _parse_nquads(built.files["nq"])
    expected = {g.identifier: g for g in assembled.graphs() if len(g)}
    assert set(got) == set(expected)
    for name, graph in expected.items():
        assert isomorphic(got[name], graph), name


# --- the assembled graph -------------------------------------------------------------------


def test_one_named_graph_per_source_file_plus_derived(
    assembled: Dataset, source_copy: Path
) -> None:
    names = {str(g.identifier) for g in assembled.graphs() if len(g)}
    base = "https://data.hamar.kommune.no/graph/"
    expected = {f"{base}{p.parent.name}-{p.stem}" for p in source_copy.glob("*/*.ttl")}
    assert names == expected | {base + "derived"}


def test_blank_nodes_are_kept_only_in_the_shapes(assembled: Dataset, source_copy: Path) -> None:
    """The data's and the ontology's blank nodes become skolem IRIs; the shapes keep theirs,
    because SHACL reads an IRI in ``sh:path`` as a predicate (issue 14, item 1)."""
    for graph in assembled.graphs():
        blank = [t for t in graph if any(isinstance(n, BNode) for n in t)]
        genids = [t for t in graph if any(".well-known/genid/" in str(n) for n in t)]
        if "/graph/shapes-" in str(graph.identifier):
            assert blank and not genids, graph.identifier
        else:
            assert not blank, graph.identifier
    for path in sorted((source_copy / "shapes").glob("*.ttl")):
        shapes = assembled.graph(URIRef(f"https://data.hamar.kommune.no/graph/shapes-{path.stem}"))
        source = Graph().parse(path, format="turtle")
        assert len(shapes) == len(source)
        assert isomorphic(shapes, source)

    # the shapes' blank nodes carry the dumps' canonical labels, in every store loaded from them
    def blank_labels(dataset: Dataset) -> set[str]:
        return {str(n) for q in dataset.quads() for n in q[:3] if isinstance(n, BNode)}

    labels = blank_labels(assembled)
    assert labels == blank_labels(canonical_dataset(assembled))
    store = OxigraphStore()
    store.load(assembled)
    engine = store.engine_source().open(10)
    answered = {
        str(s.value)
        for (s,) in engine.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?s)) }")
    }
    assert answered and answered <= labels
    # the skolem IRIs left in the dumps: the data's three adms:Identifier nodes, nothing else
    genids = {
        (str(g.identifier).rsplit("/", 1)[-1], p)
        for g in assembled.graphs()
        for _s, p, o in g
        if ".well-known/genid/" in str(o)
    }
    assert genids == {("data-actors", URIRef("http://www.w3.org/ns/adms#identifier"))}
    paths = [o for o in union_graph(assembled).objects(None, SH.path) if not isinstance(o, URIRef)]
    assert len(paths) >= 8  # [ sh:inversePath ... ] and [ sh:alternativePath (...) ]
    assert all(isinstance(p, BNode) for p in paths)


def test_derived_labels_and_inverse_links(assembled: Dataset, source_copy: Path) -> None:
    derived = assembled.graph(derived_graph_name(_settings(source_copy, Path("x"))))
    sources = Graph()
    for g in assembled.graphs():
        if g.identifier != derived.identifier:
            for t in g:
                sources.add(t)
    # rdfs:label for every skos:prefLabel the sources do not already state as rdfs:label
    for s, label in sources.subject_objects(SKOS.prefLabel):
        assert (s, RDFS.label, label) in derived or (s, RDFS.label, label) in sources
    # hms:hasMeasure from hms:servesGoal: a measure listed under two goals gives two
    uke = ID["tiltak/internasjonal-uke"]
    goals = set(sources.objects(uke, HMS.servesGoal))
    assert len(goals) == 2
    for goal in goals:
        assert (goal, HMS.hasMeasure, uke) in derived
    for measure, goal in sources.subject_objects(HMS.servesGoal):
        assert (goal, HMS.hasMeasure, measure) in derived
    # hms:responsibleFor from hms:responsibleActor
    responsible = list(sources.subject_objects(HMS.responsibleActor))
    assert responsible
    for thing, actor in responsible:
        assert (actor, HMS.responsibleFor, thing) in derived
    # nothing else, and nothing the sources already say
    inverse_props = {q for p, q in sources.subject_objects(OWL.inverseOf)} | set(
        sources.subjects(OWL.inverseOf, None)
    )
    assert {p for p in derived.predicates()} <= {RDFS.label} | inverse_props
    assert [t for t in derived if t in sources] == []


def test_derive_is_exact_on_a_small_graph() -> None:
    ex = lambda name: URIRef(EX + name)  # noqa: E731
    ontology = Graph()
    ontology.add((ex("servesGoal"), OWL.inverseOf, ex("hasMeasure")))
    union = Graph()
    union.add((ex("m1"), ex("servesGoal"), ex("g1")))
    union.add((ex("g2"), ex("hasMeasure"), ex("m2")))  # inverse the other way round
    union.add((ex("m1"), ex("servesGoal"), Literal("not a resource")))
    union.add((ex("m3"), ex("servesGoal"), ex("g3")))
    union.add((ex("g3"), ex("hasMeasure"), ex("m3")))  # already stated: not derived again
    union.add((ex("m1"), SKOS.prefLabel, Literal("tiltak", lang="nb")))
    union.add((ex("m1"), SKOS.prefLabel, Literal("measure", lang="en")))
    union.add((ex("m1"), RDFS.label, Literal("measure", lang="en")))
    union.add((ex("m1"), ex("other"), ex("x")))
    got = set(derive(union, ontology))
    assert got == {
        (ex("g1"), ex("hasMeasure"), ex("m1")),
        (ex("m2"), ex("servesGoal"), ex("g2")),
        (ex("m1"), RDFS.label, Literal("tiltak", lang="nb")),
    }


def test_skolemize_is_deterministic_and_content_based() -> None:
    def graph(name: str, labels: tuple[str, str]) -> Graph:
        g = Graph(identifier=URIRef(EX + name))
        shape = BNode()
        g.add((URIRef(EX + "s"), URIRef(EX + "property"), shape))
        g.add((shape, URIRef(EX + "path"), URIRef(EX + "p")))
        g.add((shape, RDFS.comment, Literal(labels[0])))
        other = BNode()
        g.add((URIRef(EX + "s"), URIRef(EX + "property"), other))
        g.add((other, RDFS.comment, Literal(labels[1])))
        return g

    a, b = graph("g", ("one", "two")), graph("g", ("one", "two"))
    assert skolemize(a, "https://x.test/") == 2
    assert skolemize(b, "https://x.test/") == 2
    assert set(a) == set(b)
    assert not any(isinstance(n, BNode) for t in a for n in t)
    genids = {n for t in a for n in t if str(n).startswith("https://x.test/.well-known/genid/")}
    assert len(genids) == 2
    c = graph("g", ("one", "three"))  # different content: the second node gets another IRI
    skolemize(c, "https://x.test/")
    assert len(set(a) ^ set(c)) > 0
    d = graph("other-graph", ("one", "two"))  # same content in another graph: other IRIs
    skolemize(d, "https://x.test/")
    assert {n for t in d for n in t}.isdisjoint(genids)
    plain = Graph()
    plain.add((URIRef(EX + "s"), URIRef(EX + "p"), URIRef(EX + "o")))
    assert skolemize(plain, "https://x.test/") == 0


def test_base_iri_rebases_every_graph_name_and_resource(source_copy: Path) -> None:
    settings = Settings(source_dir=source_copy, base_iri="http://127.0.0.1:5000/")
    dataset = assemble(settings)
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert "http://127.0.0.1:5000/graph/derived" in names
    union = union_graph(dataset)
    lund = URIRef("http://127.0.0.1:5000/id/vennskapsby/lund")
    assert (lund, RDF.type, URIRef("http://127.0.0.1:5000/def/TwinCity")) in union
    assert not any(str(n).startswith("https://data.hamar.kommune.no/") for t in union for n in t)


# --- the persistent store ------------------------------------------------------------------


def test_persistent_store_opens_read_only_with_every_quad(built: BuildResult) -> None:
    store = OxigraphStore(built.store_path, read_only=True)
    assert len(store) == built.quads
    assert [str(g) for g in store.graph_names()] == sorted(built.graphs)
    rows = store.select(f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a <{HMS.Axis}> }}")
    assert int(rows[0]["n"]) == built.classes["hms:Axis"]
    with pytest.raises(RuntimeError, match="read-write"):
        store.native.update("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    assert len(store) == built.quads


def test_open_store_uses_the_built_store_read_only(built: BuildResult, source_copy: Path) -> None:
    from hamar_graph.build.open import open_store

    store = open_store(_settings(source_copy, built.manifest_path.parent))
    assert isinstance(store, OxigraphStore)
    assert store.path == built.store_path
    assert len(store) == built.quads


def test_open_store_assembles_when_nothing_is_built(source_copy: Path, tmp_path: Path) -> None:
    from hamar_graph.build.open import open_store

    settings = _settings(source_copy, tmp_path / "empty")
    store = open_store(settings)
    assert store.path is None  # type: ignore[attr-defined]
    assert str(derived_graph_name(settings)) in {str(g) for g in store.graph_names()}
    with pytest.raises(StoreError):
        OxigraphStore(tmp_path / "empty" / "store", read_only=True)
