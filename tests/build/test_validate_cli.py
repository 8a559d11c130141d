"""``hamar-graph validate`` on the command line (issue 3): the console script and the CLI.

The installed console script validates the project's sources (exit 0, the warnings counted),
fails with exit 1 on a file with a Violation (the report in Norwegian by default, or as Turtle)
and with exit 2 on a parse error; ``--completeness`` lists what the action plan leaves open.
Validation itself is checked in ``tests/build/test_validate.py``.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from hamar_graph.cli import main
from hamar_graph.config import PROJECT_ROOT
from hamar_graph.namespaces import SHAPES

CONSOLE_SCRIPT = Path(sys.executable).parent / "hamar-graph"


@cache
def _twin_city_without_country() -> str:
    return """@prefix hms: <https://data.hamar.kommune.no/def/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
ex:city a hms:TwinCity ;
    skos:prefLabel "Byen"@nb , "The town"@en ;
    hms:fromSection <https://data.hamar.kommune.no/id/seksjon/4-3-boks> .
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=PROJECT_ROOT,
    )


def test_console_script_validates_the_sources() -> None:
    done = _run("--lang", "en")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Violations (" not in out
    assert "Warnings (38)" in out
    assert "S81  Fulfil the UN Millennium Development Goals" in out
    assert out.rstrip().endswith("Result: no Violation (38 warnings, 6 infos).")


def test_console_script_fails_on_a_violation(tmp_path: Path) -> None:
    path = tmp_path / "city.ttl"
    path.write_text(_twin_city_without_country(), encoding="utf-8")
    done = _run(str(path))
    assert done.returncode == 1
    out = done.stdout
    assert out.index("Brudd (") < out.index("Merknader (")
    assert "S36  Byen <http://example.org/city>" in out
    assert "Vennskapsbyen må ligge i nøyaktig ett land (hms:country)." in out


def test_console_script_writes_the_report_as_turtle(tmp_path: Path) -> None:
    path = tmp_path / "city.ttl"
    path.write_text(_twin_city_without_country(), encoding="utf-8")
    done = _run(str(path), "--format", "ttl")
    assert done.returncode == 1
    g = Graph().parse(data=done.stdout, format="turtle")
    report = next(g.subjects(RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms) == Literal(False)
    shapes = {g.value(r, SH.sourceShape) for r in g.objects(report, SH.result)}
    assert SHAPES.S36 in shapes
    city = URIRef("http://example.org/city")
    assert (None, SH.focusNode, city) in g


def test_console_script_exit_2_on_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p .\n", encoding="utf-8")
    done = _run(str(path))
    assert done.returncode == 2
    assert f"{path}:2:" in done.stderr
    assert done.stdout == ""


def test_cli_completeness(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--completeness", "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("What the action plan leaves open (17 goals and 4 measures)")
    assert "Goals without a measure" in out and "Measures without a cost" in out
    assert out.index("4.1 Global partnership") < out.index("4.5 Education")
    assert "Result: no Violation" in out


def test_cli_text_in_norwegian_by_default(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "city.ttl"
    path.write_text(_twin_city_without_country(), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("Validering av ")
    # no country (S36), no coordinates (S37, S38), nobody's twin (S41), and its section is
    # not in this file (S50)
    assert "Resultat: 5 brudd. Grafen oppfyller ikke reglene." in result.output


def test_cli_refuses_completeness_as_turtle(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--completeness", "--format", "ttl"])
    assert result.exit_code == 2
    assert "--completeness" in result.output
