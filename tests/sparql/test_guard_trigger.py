"""The second check of the read-only guard (rdflib's algebra, in the query process) runs
for every text that could hold a SERVICE clause, and only for those: a text without the
letters ``service`` outside its IRI references cannot hold one."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from hamar_graph.sparql.guard import mentions_service
from hamar_graph.sparql.worker import NativeEngine, QueryJob, execute

HIDDEN = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE<http://127.0.0.1:9/>{?s ?p ?o} }",
    "SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { 1SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x <a:b\\u0020SERVICE> ?y }",  # an escape that breaks the IRI
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "SERVICE" }',  # in a string: harmless, but checked too
    "# SERVICE\nSELECT * WHERE { ?s ?p ?o }",  # in a comment: the same
]

PLAIN = [
    "SELECT ?p ?o WHERE { <https://data.hamar.kommune.no/id/vennskapsby/lund> ?p ?o }",
    "SELECT * WHERE { ?s a <http://www.w3.org/ns/sparql-service-description#Service> }",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> ASK { ?s ?p ?o }",
    "ASK { }",
]


@pytest.mark.parametrize("text", HIDDEN)
def test_every_text_that_can_hold_service_triggers_the_second_check(text: str) -> None:
    assert mentions_service(text)


@pytest.mark.parametrize("text", PLAIN)
def test_other_texts_skip_it(text: str) -> None:
    assert not mentions_service(text)


def test_the_second_check_refuses_service_in_the_query_process() -> None:
    engine = NativeEngine(ox.Store())
    job = QueryJob(HIDDEN[0], "json", "ttl", 10, form="SELECT")
    outcome = execute(engine, job)
    assert outcome.status == 403 and "SERVICE" in (outcome.message or "")
