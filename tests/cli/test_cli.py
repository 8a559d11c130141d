"""``hamar-graph build``, ``query`` and ``export``: through the installed console script
and through click's CliRunner; exit codes and output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from hamar_graph import __version__
from hamar_graph.build.assembly import assemble
from hamar_graph.build.pipeline import BuildResult
from hamar_graph.cli import main
from hamar_graph.config import Settings
from hamar_graph.namespaces import HMS, ID
from hamar_graph.rdf.datasets import union_graph
from hamar_graph.rdf.formats import RDF_FORMATS

SCRIPT = Path(sys.executable).parent / "hamar-graph"
AXES_NB = (
    "SELECT ?axis ?label WHERE { ?axis a hms:Axis ; skos:prefLabel ?label "
    'FILTER(lang(?label) = "nb") } ORDER BY ?label'
)
SRJ = "http://www.w3.org/2005/sparql-results#"


def run_script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hamar-graph`` console script."""
    return subprocess.run(
        [str(SCRIPT), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def out(built: BuildResult) -> Path:
    return built.manifest_path.parent


@pytest.fixture(scope="module")
def axes(source_copy: Path) -> dict[URIRef, Literal]:
    union = union_graph(assemble(Settings(source_dir=source_copy)))
    return {
        a: next(lbl for lbl in union.objects(a, SKOS.prefLabel) if lbl.language == "nb")  # type: ignore[attr-defined]
        for a in union.subjects(RDF.type, HMS.Axis)
    }


# --- through the console script ------------------------------------------------------------


def test_console_script_is_installed() -> None:
    done = run_script("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"hamar-graph, version {__version__}"


def test_console_build_query_export(source_copy: Path, tmp_path: Path) -> None:
    env = {"HAMAR_GRAPH_SOURCE_DIR": str(source_copy)}
    target = tmp_path / "dist"
    done = run_script("build", "--out", str(target), env=env)
    assert done.returncode == 0, done.stderr
    assert "parsing data/axes.ttl" in done.stdout
    assert f"writing {target / f'hamar-graph-{__version__}.ttl'}" in done.stdout
    counts = {
        line.split()[0]: int(line.split()[1])
        for line in done.stdout.splitlines()
        if line.startswith("  hms:")
    }
    assert counts["hms:Axis"] == 5
    assert counts["hms:TwinCity"] == 8
    for ext in ("ttl", "nt", "jsonld", "rdf", "nq"):
        assert (target / f"hamar-graph-{__version__}.{ext}").is_file()

    query = run_script("query", "--out", str(target), "--format", "csv", AXES_NB, env=env)
    assert query.returncode == 0, query.stderr
    rows = list(csv.DictReader(io.StringIO(query.stdout)))
    assert len(rows) == 5
    assert str(ID["akse/vennskapsbysamarbeid"]) in {r["axis"] for r in rows}

    exported = subprocess.run(
        [str(SCRIPT), "export", "--format", "nt"],
        env={**os.environ, **env},
        capture_output=True,
        timeout=300,
    )
    assert exported.returncode == 0
    assert exported.stdout == (target / f"hamar-graph-{__version__}.nt").read_bytes()


def test_console_malformed_query_exits_2_with_the_parser_message(out: Path) -> None:
    done = run_script("query", "--out", str(out), "SELECT ?x WHERE {\n  ?x hms:p ?y ")
    assert done.returncode == 2
    assert "malformed query" in done.stderr
    assert "line:2" in done.stderr
    assert done.stdout == ""


def test_console_build_fails_with_file_and_line(source_copy: Path, tmp_path: Path) -> None:
    sources = tmp_path / "src"
    shutil.copytree(source_copy, sources)
    broken = sources / "data" / "axes.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "<a> <b> <c> <d> .")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_script(
        "build", "--out", str(tmp_path / "dist"), env={"HAMAR_GRAPH_SOURCE_DIR": str(sources)}
    )
    assert done.returncode == 1
    assert f"{broken}:6:" in done.stderr
    assert not (tmp_path / "dist" / f"hamar-graph-{__version__}.ttl").exists()


# --- through CliRunner ---------------------------------------------------------------------


def invoke(
    runner: CliRunner, args: list[str], source_dir: Path, **env: str
) -> tuple[int, str, str]:
    result = runner.invoke(
        main, args, env={"HAMAR_GRAPH_SOURCE_DIR": str(source_dir), **env}, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_build_with_runner_prints_progress_summary_and_rebases(
    runner: CliRunner, source_copy: Path, tmp_path: Path
) -> None:
    code, stdout, _ = invoke(
        runner,
        ["build", "--out", str(tmp_path), "--base-iri", "http://localhost:8080/"],
        source_copy,
    )
    assert code == 0
    assert "checking that every class and predicate is declared" in stdout
    assert "resources per class:" in stdout
    lines = [line.split() for line in stdout.splitlines() if line.startswith("  ")]
    names = [parts[0] for parts in lines if len(parts) == 2]
    assert names == sorted(names)
    assert ["hms:ActionPlanGoal", "17"] in lines
    assert ["hms:Measure", "4"] in lines
    graph = Graph().parse(tmp_path / f"hamar-graph-{__version__}.nt", format="nt")
    assert (URIRef("http://localhost:8080/id/vennskapsby/lund"), None, None) in graph
    assert not any("data.hamar.kommune.no" in str(n) for t in graph for n in t)


def test_build_refuses_a_bad_base_iri(runner: CliRunner, source_copy: Path, tmp_path: Path) -> None:
    code, _, stderr = invoke(
        runner, ["build", "--out", str(tmp_path), "--base-iri", "http://no-slash"], source_copy
    )
    assert code == 2
    assert "must end with '/'" in stderr
    assert list(tmp_path.iterdir()) == []


def test_build_reports_an_undeclared_term(
    runner: CliRunner, source_copy: Path, tmp_path: Path
) -> None:
    sources = tmp_path / "src"
    shutil.copytree(source_copy, sources)
    (sources / "data" / "zz.ttl").write_text(
        "@prefix hms: <https://data.hamar.kommune.no/def/> .\n"
        "<https://data.hamar.kommune.no/id/akse/vennskapsbysamarbeid> hms:servesGoals 1 .\n",
        encoding="utf-8",
    )
    code, stdout, stderr = invoke(runner, ["build", "--out", str(tmp_path / "d")], sources)
    assert code == 1
    assert "undeclared predicate hms:servesGoals" in stderr
    assert "data/zz.ttl:2" in stderr
    assert "writing" not in stdout


def test_query_table_shows_prefixed_names_in_aligned_columns(
    runner: CliRunner, source_copy: Path, out: Path, axes: dict[URIRef, Literal]
) -> None:
    code, stdout, _ = invoke(runner, ["query", "--out", str(out), AXES_NB], source_copy)
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].split() == ["axis", "label"]
    assert set(lines[1]) == {"-", " "}
    assert lines[-1] == "(5 rows)"
    column = lines[0].index("label")
    body = lines[2:-1]
    assert all(line[column - 2 : column] == "  " for line in body)
    assert {line[:column].strip() for line in body} == {
        "id:" + a.removeprefix(str(ID)) for a in axes
    }
    assert {line[column:] for line in body} == {f"{v}@nb" for v in axes.values()}


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_query_json_on_either_engine(
    runner: CliRunner, source_copy: Path, out: Path, axes: dict[URIRef, Literal], store: str
) -> None:
    code, stdout, _ = invoke(
        runner,
        ["query", "--out", str(out), "--store", store, "--format", "json", AXES_NB],
        source_copy,
    )
    assert code == 0
    doc = json.loads(stdout)
    assert doc["head"]["vars"] == ["axis", "label"]
    got = {
        (b["axis"]["value"], b["label"]["value"], b["label"]["xml:lang"])
        for b in doc["results"]["bindings"]
    }
    assert got == {(str(a), str(lbl), "nb") for a, lbl in axes.items()}


def test_query_xml_tsv_and_ask(runner: CliRunner, source_copy: Path, out: Path) -> None:
    code, stdout, _ = invoke(
        runner, ["query", "--out", str(out), "--format", "xml", AXES_NB], source_copy
    )
    assert code == 0
    root = ET.fromstring(stdout)
    assert len(root.findall(f"{{{SRJ}}}results/{{{SRJ}}}result")) == 5
    code, stdout, _ = invoke(
        runner, ["query", "--out", str(out), "--format", "tsv", AXES_NB], source_copy
    )
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == "?axis\t?label"
    assert f'<{ID["akse/vennskapsbysamarbeid"]}>\t"Vennskapsbysamarbeid"@nb' in lines
    for fmt, expected in (("table", "true"), ("json", '"boolean": true')):
        code, stdout, _ = invoke(
            runner,
            ["query", "--out", str(out), "--format", fmt, "ASK { ?a a hms:Axis }"],
            source_copy,
        )
        assert code == 0
        assert expected in stdout
    code, stdout, _ = invoke(
        runner, ["query", "--out", str(out), "ASK { ?a a hms:NoSuchClass }"], source_copy
    )
    assert (code, stdout) == (0, "false\n")


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_query_construct_in_rdf_formats(
    runner: CliRunner, source_copy: Path, out: Path, fmt: str
) -> None:
    query = "CONSTRUCT { ?m hms:servesGoal ?g } WHERE { ?m hms:servesGoal ?g }"
    code, stdout, _ = invoke(
        runner, ["query", "--out", str(out), "--format", fmt, query], source_copy
    )
    assert code == 0
    got = Graph()
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated API
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        got.parse(data=stdout, format=RDF_FORMATS[fmt].rdflib_format)
    union = union_graph(assemble(Settings(source_dir=source_copy)))
    expected = Graph()
    for triple in union.triples((None, HMS.servesGoal, None)):
        expected.add(triple)
    assert len(expected) >= 5
    assert isomorphic(got, expected)


def test_query_from_a_file_and_from_stdin(
    runner: CliRunner, source_copy: Path, out: Path, tmp_path: Path
) -> None:
    rq = tmp_path / "axes.rq"
    rq.write_text(AXES_NB, encoding="utf-8")
    code, from_file, _ = invoke(runner, ["query", "--out", str(out), "-f", str(rq)], source_copy)
    assert code == 0
    result = runner.invoke(
        main,
        ["query", "--out", str(out), "-f", "-"],
        input=AXES_NB,
        env={"HAMAR_GRAPH_SOURCE_DIR": str(source_copy)},
    )
    assert result.exit_code == 0
    assert result.stdout == from_file
    assert from_file.splitlines()[-1] == "(5 rows)"


def test_query_without_a_built_store_assembles_in_memory(
    runner: CliRunner, source_copy: Path, out: Path, tmp_path: Path
) -> None:
    code, stdout, _ = invoke(runner, ["query", "--out", str(tmp_path), AXES_NB], source_copy)
    assert code == 0
    _, from_store, _ = invoke(runner, ["query", "--out", str(out), AXES_NB], source_copy)
    assert stdout == from_store


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELEC ?x WHERE { ?x ?p ?o }"], "malformed query: Expected"),
        (["SELECT ?x WHERE { ?x nope:p ?o }"], "malformed query: Unknown namespace prefix : nope"),
        (["INSERT DATA { <a:b> <a:c> <a:d> }"], "malformed query"),
        (["--format", "ttl", "SELECT ?x WHERE { ?x ?p ?o } LIMIT 1"], "needs a CONSTRUCT"),
        ([], "give the query as an argument or with -f FILE"),
    ],
)
def test_query_usage_errors_exit_2(
    runner: CliRunner, source_copy: Path, out: Path, args: list[str], message: str
) -> None:
    code, stdout, stderr = invoke(runner, ["query", "--out", str(out), *args], source_copy)
    assert code == 2
    assert message in stderr
    assert stdout == ""


def test_query_both_argument_and_file_is_a_usage_error(
    runner: CliRunner, source_copy: Path, out: Path, tmp_path: Path
) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("ASK {}", encoding="utf-8")
    code, _, stderr = invoke(
        runner, ["query", "--out", str(out), "-f", str(rq), "ASK {}"], source_copy
    )
    assert code == 2
    assert "one of them" in stderr


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_export_equals_the_build_dump(
    runner: CliRunner, source_copy: Path, built: BuildResult, tmp_path: Path, fmt: str
) -> None:
    result = runner.invoke(
        main, ["export", "--format", fmt], env={"HAMAR_GRAPH_SOURCE_DIR": str(source_copy)}
    )
    assert result.exit_code == 0
    assert result.stdout_bytes == built.files[fmt].read_bytes()
    target = tmp_path / f"whole.{fmt}"
    code, stdout, stderr = invoke(
        runner, ["export", "--format", fmt, "-o", str(target)], source_copy
    )
    assert code == 0
    assert stdout == ""
    assert f"wrote {target}" in stderr
    assert target.read_bytes() == built.files[fmt].read_bytes()


def test_export_fails_on_broken_sources(
    runner: CliRunner, source_copy: Path, tmp_path: Path
) -> None:
    sources = tmp_path / "src"
    shutil.copytree(source_copy, sources)
    (sources / "data" / "axes.ttl").write_text("@prefix : <x> .\n:a :b", encoding="utf-8")
    code, stdout, stderr = invoke(runner, ["export"], sources)
    assert code == 1
    assert "data/axes.ttl:2" in stderr
    assert stdout == ""


@pytest.mark.parametrize("command", ["build", "query", "export"])
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"hamar-graph {command}" in result.stdout
