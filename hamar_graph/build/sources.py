"""Read the Turtle sources (``ontology/``, ``data/``, ``shapes/``) into one Dataset.

Each file becomes one named graph, ``{base}graph/{folder}-{stem}``. A parse
error names the file and line; nothing is half-loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

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


def _syntax_error(path: Path, text: str, exc: Exception) -> SourceError:
    """A :class:`SourceError` with the line, column and reason of an rdflib parse error."""
    if isinstance(exc, BadSyntax):
        offset = min(max(exc._i, 0), len(text))
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        near = text[offset : offset + 40].split("\n", 1)[0]
        near_text = f" near {near!r}" if near.strip() else ""
        return SourceError(
            path, f"Turtle syntax error at column {column}: {exc._why}{near_text}", line
        )
    if isinstance(exc, IndexError):  # rdflib runs off the end of an unfinished statement
        return SourceError(
            path, "Turtle syntax error: unexpected end of file", text.rstrip("\n").count("\n") + 1
        )
    message = str(exc).strip()
    if " at ^ in " in message:  # e.g. "Quote expected in string at ^ in <context>"
        why, _, context = message.partition(" at ^ in ")
        before, _, after = context.partition("^")
        found = text.find(before + after)
        if found >= 0:
            line = text.count("\n", 0, found + len(before)) + 1
            return SourceError(path, f"Turtle syntax error: {why}", line)
    match = _LINE.search(message)
    line_no = int(match.group(1)) if match else None
    lines = message.splitlines()
    return SourceError(path, f"Turtle syntax error: {lines[-1] if lines else exc}", line_no)


def parse_file(path: Path, base_iri: str = SOURCE_BASE) -> Graph:
    """Parse one Turtle file, rebased to ``base_iri``.

    A relative IRI in a file without ``@base`` would resolve to the file's own
    ``file:`` path, which differs on every machine; it is reported as an error.

    :raises SourceError: naming file and line when the file cannot be read or parsed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read file: {exc}") from exc
    if base_iri != SOURCE_BASE:
        text = text.replace(SOURCE_BASE, base_iri)
    graph = bind_prefixes(Graph())
    file_iri = path.resolve().as_uri()
    try:
        graph.parse(data=text, format="turtle", publicID=file_iri)
    except Exception as exc:  # rdflib raises many types (BadSyntax, ValueError, ...)
        raise _syntax_error(path, text, exc) from exc
    folder_iri = file_iri.rsplit("/", 1)[0] + "/"
    for term in sorted({n for t in graph for n in t if isinstance(n, URIRef)}):
        if term.startswith("file:"):
            relative = term[len(folder_iri) :] if term.startswith(folder_iri) else term
            line = next(
                (
                    i
                    for i, text_line in enumerate(text.splitlines(), 1)
                    if f"<{relative}>" in text_line
                ),
                None,
            )
            raise SourceError(
                path, f"relative IRI <{relative}> without @base resolves to a local file", line
            )
    return graph


def load_sources(
    settings: Settings,
    folders: Iterable[str] = SOURCE_FOLDERS,
    progress: Callable[[str], None] | None = None,
) -> Dataset:
    """Load every source file into a Dataset, one named graph per file.

    :param settings: ``source_dir`` and ``base_iri`` are used.
    :param folders: the source folders to read, in order.
    :param progress: called with one line per file parsed.
    :raises SourceError: on the first file that cannot be parsed.
    """
    dataset = Dataset()
    bind_prefixes(dataset)  # type: ignore[arg-type]
    for source in source_files(settings, folders):
        if progress is not None:
            progress(f"parsing {source.folder}/{source.path.name}")
        graph = parse_file(source.path, settings.base_iri)
        target = dataset.graph(source.graph)
        for triple in graph:
            target.add(triple)
    return dataset
