"""What the build adds to the sources (hamar_graph.build.derive): labels and inverse links,
skolem IRIs for blank nodes, literals in the engine's form."""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDFS, SKOS, XSD

from hamar_graph.build.derive import derive, engine_literals, skolemize

EX = Namespace("http://example.org/")
BASE = "https://data.hamar.kommune.no/"


def test_labels_and_inverse_links_and_nothing_else() -> None:
    union = Graph()
    union.add((EX.m, SKOS.prefLabel, Literal("Tiltak", lang="nb")))
    union.add((EX.m, EX.servesGoal, EX.g))
    union.add((EX.m, EX.servesGoal, Literal("not a resource")))
    union.add((EX.g, EX.hasMeasure, EX.m))  # already stated: not derived again
    union.add((EX.x, EX.unrelated, EX.y))
    ontology = Graph()
    ontology.add((EX.servesGoal, OWL.inverseOf, EX.hasMeasure))
    derived = set(derive(union, ontology))
    assert derived == {(EX.m, RDFS.label, Literal("Tiltak", lang="nb"))}
    ontology.add((EX.unrelated, OWL.inverseOf, EX.related))
    assert (EX.y, EX.related, EX.x) in set(derive(union, ontology))


def test_skolem_iris_follow_the_content_not_the_run() -> None:
    def graph() -> Graph:
        g = Graph(identifier=URIRef(BASE + "graph/data-x"))
        node = BNode()
        g.add((EX.s, EX.p, node))
        g.add((node, EX.q, Literal("a")))
        return g

    first, second = graph(), graph()
    assert skolemize(first, BASE) == 1 and skolemize(second, BASE) == 1
    assert set(first) == set(second)
    iris = {o for _, _, o in first if isinstance(o, URIRef) and "genid" in o}
    assert len(iris) == 1 and next(iter(iris)).startswith(BASE + ".well-known/genid/")
    assert not any(isinstance(n, BNode) for t in first for n in t)
    assert skolemize(first, BASE) == 0  # nothing left to replace


def test_literals_take_the_engines_form() -> None:
    ds = Dataset()
    g = ds.graph(URIRef(BASE + "graph/data-x"))
    g.add((EX.s, EX.d, Literal("13.1950", datatype=XSD.decimal)))
    g.add((EX.s, EX.t, Literal("tekst", lang="nb")))
    assert engine_literals(ds) == 1  # the decimal; the string is as Oxigraph keeps it
    assert {str(o) for _, _, o in g} == {"13.195", "tekst"}
    assert engine_literals(ds) == 0
