"""Read the Turtle sources (``ontology/``, ``data/``, ``shapes/``) into one Dataset.

Each file becomes one named graph, ``{base}graph/{folder}-{stem}``. A parse
error names the file and line; nothing is half-loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from hamar_graph.config import Settings
from hamar_graph.namespaces import SOURCE_BASE, bind_prefixes

#: The source folders, in load order.
SOURCE_FOLDERS: tuple[str, ...] = ("ontology", "data", "shapes")


class SourceError(ValueError):
    """A source file cannot be read or parsed; ``str()`` names the file and line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SourceFile:
    """One Turtle source and the named graph it is loaded into."""

    path: Path
    graph: URIRef

    @property
    def folder(self) -> str:
        return self.path.parent.name


def graph_name(path: Path, base: str = SOURCE_BASE) -> URIRef:
    """The named graph for a source file: ``{base}graph/{folder}-{stem}``."""
    return URIRef(f"{base}graph/{path.parent.name}-{path.stem}")


def source_files(settings: Settings, folders: Iterable[str] = SOURCE_FOLDERS) -> list[SourceFile]:
    """Every ``*.ttl`` in the source folders, sorted so builds are reproducible."""
    files: list[SourceFile] = []
    for folder in folders:
        directory = settings.source_dir / folder
        for path in sorted(directory.glob("*.ttl")):
            files.append(SourceFile(path, graph_name(path, settings.base_iri)))
    return files


_LINE = re.compile(r"(?:at line|line:?)\s*(\d+)", re.IGNORECASE)


def parse_file(path: Path, base_iri: str = SOURCE_BASE) -> Graph:
    """Parse one Turtle file, rebased to ``base_iri``.

    :raises SourceError: naming file and line when the file cannot be read or parsed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read file: {exc}") from exc
    if base_iri != SOURCE_BASE:
        text = text.replace(SOURCE_BASE, base_iri)
    graph = bind_prefixes(Graph())
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many types (BadSyntax, ValueError, ...)
        message = str(exc).strip().splitlines()
        match = _LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        raise SourceError(
            path, f"Turtle syntax error: {message[-1] if message else exc}", line
        ) from exc
    return graph


def load_sources(settings: Settings, folders: Iterable[str] = SOURCE_FOLDERS) -> Dataset:
    """Load every source file into a Dataset, one named graph per file.

    :raises SourceError: on the first file that cannot be parsed.
    """
    dataset = Dataset()
    bind_prefixes(dataset)  # type: ignore[arg-type]
    for source in source_files(settings, folders):
        graph = parse_file(source.path, settings.base_iri)
        target = dataset.graph(source.graph)
        for triple in graph:
            target.add(triple)
    return dataset
