"""Faults of ``build`` survived with nothing lost (issue 8, part 3).

- a corrupt or invalid data file: ``build`` fails naming file and line, and the
  previous output stays intact (byte for byte);
- the disk full or the output folder unwritable during ``build``: a clear error,
  no temporary file left behind, every previous output unchanged;
- a build replacing the dumps while a reader holds the old file: the reader
  reads the whole old file.

The faults met while serving (a running server, a download, the remote store) are in
``tests/web/test_faults_serving.py``.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from hamar_graph.build import pipeline as build_module
from hamar_graph.build.assembly import BuildError, assemble
from hamar_graph.build.pipeline import BuildResult, build
from hamar_graph.build.report import ValidationReport
from hamar_graph.cli import main
from hamar_graph.config import Settings
from hamar_graph.publication.publish import Publication, make_publication
from tests.support.broken_sources import DUMP, copy_sources, insert_line, snapshot

LUND = "https://data.hamar.kommune.no/id/vennskapsby/lund"


def add_comment(sources: Path, text: str) -> None:
    """A valid change to the data, so that a new build's outputs differ from the old."""
    with (sources / "data" / "places.ttl").open("a", encoding="utf-8") as handle:
        handle.write(f'\n<{LUND}> <http://www.w3.org/2000/01/rdf-schema#comment> "{text}"@en .\n')


def stray_files(folder: Path) -> list[str]:
    """Temporary or half-written files left in ``folder`` (``.name.*.tmp``, ``*.tmp-*``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or ".tmp" in p.name)


@pytest.fixture()
def sources(source_copy: Path, tmp_path: Path) -> Path:
    """A private, editable copy of the sources."""
    return copy_sources(source_copy, tmp_path / "src")


@pytest.fixture()
def old_output(built: BuildResult, tmp_path: Path) -> Path:
    """A copy of a complete earlier build of the sources (conftest's ``built``)."""
    out = tmp_path / "out"
    shutil.copytree(built.manifest_path.parent, out)
    return out


@pytest.fixture(scope="module")
def changed_dataset(source_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The sources with one valid change, assembled once: a new build differs from the old."""
    sources = copy_sources(source_copy, tmp_path_factory.mktemp("changed") / "src")
    add_comment(sources, "a change, so that the new outputs differ from the old")
    return assemble(Settings(source_dir=sources))


# --- corrupt or invalid data ---------------------------------------------------------------

CORRUPTIONS: dict[str, tuple[str, str]] = {
    # name: (line inserted as line 12 of data/axes.ttl, what the message must say)
    "syntax": ('<urn:x:a> <urn:x:b> "a string that never ends ;', "Turtle syntax error"),
    "undeclared-term": (
        "<https://data.hamar.kommune.no/id/akse/x> "
        "<https://data.hamar.kommune.no/def/hamar#noSuchProperty> 1 .",
        "declared neither in ontology/",
    ),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_bad_data_file_fails_the_build_naming_file_and_line_and_keeps_the_old_output(
    kind: str, sources: Path, old_output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(old_output)
    line, message = CORRUPTIONS[kind]
    axes = sources / "data" / "axes.ttl"
    insert_line(axes, 12, line)
    monkeypatch.setenv("HAMAR_GRAPH_SOURCE_DIR", str(sources))
    result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
    assert result.exit_code == 1
    assert "data/axes.ttl:12" in result.output
    assert message in result.output
    assert snapshot(old_output) == before
    assert stray_files(old_output) == []


# --- disk full, folder unwritable -----------------------------------------------------------


class Failure:
    """Makes the ``n``-th file write of the build fail with ``errno``."""

    def __init__(self, n: int, code: int) -> None:
        self.n = n
        self.code = code
        self.writes = 0

    def fdopen(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real(fd, mode, *args, **kwargs)
            if "w" not in mode:
                return handle
            self.writes += 1
            if self.writes != self.n:
                return handle
            code = self.code

            class Failing:
                def __enter__(self) -> Failing:
                    return self

                def __exit__(self, *exc: object) -> None:
                    handle.close()

                def write(self, data: bytes) -> int:
                    handle.write(data[: len(data) // 2])  # half of it reached the disk
                    raise OSError(code, os.strerror(code))

                def __getattr__(self, name: str) -> Any:
                    return getattr(handle, name)

            return Failing()

        return fdopen


@pytest.fixture(scope="module")
def changed_publication(changed_dataset: Dataset) -> Publication:
    """The publication of :func:`changed_dataset`, rendered once."""
    return make_publication(changed_dataset, Settings())


@pytest.fixture()
def fast_build(
    changed_dataset: Dataset,
    changed_publication: Publication,
    sources: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``build`` writes :func:`changed_dataset` without assembling, validating and
    rendering the publication again.

    The writes are under test here, not parsing, SHACL or serialising, which each build
    would otherwise repeat (seconds each on two cores).
    """

    def rendered(dataset: Dataset, settings: Settings, progress: object = None) -> Publication:
        return dataclasses.replace(
            changed_publication,
            blobs=dict(changed_publication.blobs),
            extras=dict(changed_publication.extras),
        )

    monkeypatch.setattr(build_module, "assemble", lambda settings, progress=None: changed_dataset)
    monkeypatch.setattr(build_module, "make_publication", rendered)
    empty = ValidationReport(conforms=True, results=[], report_graph=Graph())
    monkeypatch.setattr(build_module, "_validate", lambda *args: empty)
    monkeypatch.setenv("HAMAR_GRAPH_SOURCE_DIR", str(sources))


def _count_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    counter = Failure(10**6, errno.ENOSPC)
    with monkeypatch.context() as patch:
        patch.setattr(os, "fdopen", counter.fdopen(os.fdopen))
        build(Settings(out_dir=tmp_path / "count"))
    return counter.writes


@pytest.mark.parametrize(
    ("code", "which"),
    [
        (errno.ENOSPC, "each end"),
        (errno.EROFS, "middle"),
        (errno.EACCES, "first"),
    ],
)
def test_disk_full_or_unwritable_during_build_leaves_every_old_output_unchanged(
    code: int,
    which: str,
    old_output: Path,
    fast_build: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writes = _count_writes(tmp_path, monkeypatch)
    assert writes >= 6  # the dumps, the descriptions, plan.json and the manifest
    before = snapshot(old_output)
    failing = {
        "each end": [1, 2, writes - 1, writes],
        "middle": [writes // 2],
        "first": [1],
    }[which]
    for n in failing:
        failure = Failure(n, code)
        with monkeypatch.context() as patch:
            patch.setattr(os, "fdopen", failure.fdopen(os.fdopen))
            result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
        assert result.exit_code == 1, result.output
        assert f"cannot write to {old_output}" in result.output
        assert os.strerror(code) in result.output
        assert stray_files(old_output) == [], f"write {n} of {writes}"
        assert snapshot(old_output) == before, f"write {n} of {writes} changed the old output"
    if which == "each end":  # with room again, the new build goes in whole
        result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
        assert result.exit_code == 0, result.output
        assert snapshot(old_output) != before
        assert stray_files(old_output) == []


def test_disk_full_while_writing_the_store_keeps_the_old_store(
    old_output: Path, fast_build: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(old_output)

    def full(self: object, dataset: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(build_module.OxigraphStore, "load", full)
    result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert stray_files(old_output) == []
    assert snapshot(old_output) == before


def test_a_reader_of_the_old_dump_reads_it_whole_while_a_build_replaces_it(
    sources: Path, old_output: Path
) -> None:
    path = old_output / DUMP
    old = path.read_bytes()
    add_comment(sources, "replaced while being read")
    with path.open("rb") as reader:
        head = reader.read(1000)
        build(Settings(source_dir=sources, out_dir=old_output))
        rest = reader.read()
    assert head + rest == old
    new = path.read_bytes()
    assert new != old
    assert b"replaced while being read" in new
    assert stray_files(old_output) == []


def test_build_failure_is_an_error_message_not_a_traceback(
    sources: Path, old_output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_line(sources / "data" / "actors.ttl", 3, "@@@")
    monkeypatch.setenv("HAMAR_GRAPH_SOURCE_DIR", str(sources))
    result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
    assert result.exit_code == 1
    assert "data/actors.ttl:3" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    with pytest.raises(BuildError):
        build(Settings(source_dir=sources, out_dir=old_output))
