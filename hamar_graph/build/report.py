"""Reading a SHACL validation report: results, shapes, paths, and the text rendering."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.rdf.names import prefixed_name

#: Severities from most to least severe: the order reports use.
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: which resource, which shape, how severe, and why.

    .. versionadded:: 0.1
    """

    focus_node: Node  #: the resource the result is about
    focus_label: str | None  #: its ``skos:prefLabel`` in nb, if any
    shape_id: str  #: the shape's ID, such as ``S28`` (the last segment of its IRI)
    severity: str  #: ``Violation``, ``Warning`` or ``Info``
    message_nb: str  #: the shape's ``sh:message`` in nb
    message_en: str  #: the shape's ``sh:message`` in en
    path: str | None = None  #: the property path, prefixed (``hms:axis``, ``^hms:servesGoal``)
    value: Node | None = None  #: the offending value, when there is one
    shape: URIRef | None = None  #: the shape's full IRI
    focus_label_en: str | None = None  #: the focus node's ``skos:prefLabel`` in en, if any

    def message(self, lang: str = "nb") -> str:
        """The message in ``lang`` (``nb`` or ``en``)."""
        return self.message_en if lang == "en" else self.message_nb

    def label(self, lang: str = "nb") -> str | None:
        """The focus node's label in ``lang``, falling back to the other language."""
        if lang == "en":
            return self.focus_label_en or self.focus_label
        return self.focus_label or self.focus_label_en

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (terms as strings)."""
        return {
            "focus_node": str(self.focus_node),
            "focus_label": self.focus_label,
            "focus_label_en": self.focus_label_en,
            "shape_id": self.shape_id,
            "shape": str(self.shape) if self.shape is not None else None,
            "severity": self.severity,
            "message_nb": self.message_nb,
            "message_en": self.message_en,
            "path": self.path,
            "value": str(self.value) if self.value is not None else None,
        }

    def __str__(self) -> str:
        label = f" ({self.focus_label})" if self.focus_label else ""
        where = f" [{self.path}]" if self.path else ""
        value = f" value {_show(self.value)}" if self.value is not None else ""
        return (
            f"{self.shape_id} {self.severity}: <{self.focus_node}>{label}{where}{value}: "
            f"{self.message_en}"
        )


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation.

    .. versionadded:: 0.1
    """

    conforms: bool  #: True when there is no Violation (Warnings and Infos are allowed)
    results: list[ValidationResult]  #: sorted: severity, shape ID, focus node, path, value
    report_graph: Graph = field(repr=False)  #: the ``sh:ValidationReport`` as RDF
    data_triples: int = 0  #: triples in the data graph that was validated
    shapes_count: int = 0  #: named shapes in the shapes graph

    @property
    def violations(self) -> list[ValidationResult]:
        """Results with severity ``Violation``."""
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        """Results with severity ``Warning``."""
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def infos(self) -> list[ValidationResult]:
        """Results with severity ``Info``."""
        return [r for r in self.results if r.severity == "Info"]

    def by_severity(self) -> dict[str, list[ValidationResult]]:
        """Results grouped by severity, most severe first (every severity present as a key)."""
        return {s: [r for r in self.results if r.severity == s] for s in SEVERITIES}

    def shape_ids(self) -> set[str]:
        """The IDs of the shapes that reported anything."""
        return {r.shape_id for r in self.results}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: conformance, counts per severity, every result."""
        return {
            "conforms": self.conforms,
            "counts": {s: len(rs) for s, rs in self.by_severity().items()},
            "results": [r.to_dict() for r in self.results],
        }


def shape_id(shape: Node) -> str:
    """The ID of a shape: the last segment of its IRI (``.../shapes/S01`` → ``S01``)."""
    text = str(shape)
    return re.split(r"[/#]", text.rstrip("/#"))[-1] if isinstance(shape, URIRef) else text


def named_shape(shapes: Graph, shape: Node) -> Node:
    """The named shape a result belongs to: ``shape`` itself when it is an IRI, else the
    nearest IRI-named shape that holds the blank node (through ``sh:property``,
    ``sh:node``, ``sh:qualifiedValueShape`` or the RDF list of ``sh:or`` and friends)."""
    seen: set[Node] = set()
    node = shape
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(iter(shapes.subjects(None, node)), None)
        if parent is None:
            break
        node = parent
    return node


def shape_messages(shapes: Graph, shape: Node) -> tuple[str, str]:
    """The shape's ``sh:message`` in nb and in en ('' when it has none in that language)."""
    messages = {
        m.language: str(m) for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)
    }
    return messages.get("nb", ""), messages.get("en", "")


def _label(graph: Graph, node: Node, lang: str) -> str | None:
    """The node's ``skos:prefLabel`` in ``lang`` (the first in sort order if several)."""
    labels = sorted(
        str(label)
        for label in graph.objects(node, SKOS.prefLabel)
        if isinstance(label, Literal) and label.language == lang
    )
    return labels[0] if labels else None


_PATH_OPERATORS: tuple[tuple[URIRef, str], ...] = (
    (SH.zeroOrMorePath, "*"),
    (SH.oneOrMorePath, "+"),
    (SH.zeroOrOnePath, "?"),
)


def render_path(report: Graph, path: Node | None) -> str | None:
    """A SHACL property path (https://www.w3.org/TR/shacl/#property-paths) in SPARQL
    property-path notation with our prefixes: ``hms:axis``, ``^hms:servesGoal``,
    ``hms:sectionNumber/^hms:sectionNumber``, ``(hms:mentions|hms:figureSource)``."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return prefixed_name(str(path))
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _group(report, inverse)
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        members = list(Collection(report, alternatives))
        return "(" + "|".join(_group(report, m) for m in members) + ")"
    for operator, symbol in _PATH_OPERATORS:
        inner = report.value(path, operator)
        if inner is not None:
            return _group(report, inner) + symbol
    if (path, RDF.first, None) in report:
        return "/".join(_group(report, m) for m in Collection(report, path))
    return path.n3()


def _group(report: Graph, path: Node) -> str:
    """A sub-path, parenthesised when it is a sequence."""
    text = render_path(report, path) or ""
    return f"({text})" if (path, RDF.first, None) in report else text


def _show(value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        return f"<{value}>"
    return value.n3()


def top_results(report: Graph) -> list[Node]:
    """The report's own results (``sh:result``), not the nested ``sh:detail`` ones."""
    return [
        result
        for report_node in report.subjects(RDF.type, SH.ValidationReport)
        for result in report.objects(report_node, SH.result)
    ]


def _results(report: Graph, shapes: Graph, data: Graph) -> list[ValidationResult]:
    results: list[ValidationResult] = []
    for node in top_results(report):
        source = report.value(node, SH.sourceShape)
        shape = named_shape(shapes, source) if source is not None else None
        nb, en = shape_messages(shapes, shape) if shape is not None else ("", "")
        if not (nb and en):
            fallback = str(report.value(node, SH.resultMessage) or "")
            nb, en = nb or fallback, en or fallback
        focus = report.value(node, SH.focusNode)
        severity = report.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                focus_node=focus,  # type: ignore[arg-type]
                focus_label=_label(data, focus, "nb") if focus is not None else None,
                focus_label_en=_label(data, focus, "en") if focus is not None else None,
                shape_id=shape_id(shape) if shape is not None else "",
                shape=shape if isinstance(shape, URIRef) else None,
                severity=shape_id(severity) if severity is not None else "Violation",
                message_nb=nb,
                message_en=en,
                path=render_path(report, report.value(node, SH.resultPath)),
                value=report.value(node, SH.value),
            )
        )
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(
        key=lambda r: (
            rank.get(r.severity, len(rank)),
            r.shape_id,
            str(r.focus_node),
            r.path or "",
            _show(r.value),
        )
    )
    return results


def _restore_messages(report: Graph, shapes: Graph) -> None:
    """Give every result in the report graph its shape's language-tagged messages.

    pyshacl copies ``sh:message`` from some constraints without the language tag (SPARQL
    constraints); the report then says the same as :class:`ValidationResult`.
    """
    for node in list(report.subjects(RDF.type, SH.ValidationResult)):  # with sh:detail ones
        source = report.value(node, SH.sourceShape)
        if source is None:
            continue
        messages = [
            m for m in shapes.objects(named_shape(shapes, source), SH.message) if m is not None
        ]
        if messages:
            report.remove((node, SH.resultMessage, None))
            for message in messages:
                report.add((node, SH.resultMessage, message))


def declared_shapes(shapes: Graph) -> dict[str, URIRef]:
    """Every named shape in ``shapes`` by ID: the IRIs typed ``sh:NodeShape`` or
    ``sh:PropertyShape``."""
    found: dict[str, URIRef] = {}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if isinstance(shape, URIRef):
                found[shape_id(shape)] = shape
    return dict(sorted(found.items()))


def severity_of(shapes: Graph, shape: URIRef) -> str:
    """The declared ``sh:severity`` of a shape, by local name (``Violation`` when unset)."""
    value = shapes.value(shape, SH.severity)
    return shape_id(value) if value is not None else "Violation"


def render_text(
    report: ValidationReport,
    lang: str = "nb",
    severities: Sequence[str] = SEVERITIES,
) -> str:
    """The report as text: grouped by severity, Violations first; each result names the
    focus node by label and IRI, the shape ID, the path and value, and the message.

    :param lang: ``nb`` or ``en``, for headings, labels and messages.
    :param severities: the severities to list (the summary always counts all).
    """
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"lang must be nb or en, not {lang!r}")
    lines = [
        i18n.text("validation.title", lang, triples=report.data_triples, shapes=report.shapes_count)
    ]
    groups = report.by_severity()
    for severity in SEVERITIES:
        results = groups[severity]
        if severity not in severities or not results:
            continue
        lines += ["", f"{i18n.text(f'validation.{severity}', lang)} ({len(results)})"]
        for result in results:
            label = result.label(lang)
            name = f"{label} <{result.focus_node}>" if label else _show(result.focus_node)
            lines.append(f"  {result.shape_id:<4} {name}")
            if result.path:
                lines.append(f"       {i18n.text('validation.path', lang)}: {result.path}")
            if result.value is not None:
                lines.append(f"       {i18n.text('validation.value', lang)}: {_show(result.value)}")
            lines.append(f"       {result.message(lang)}")
    lines.append("")
    if report.conforms:
        lines.append(
            i18n.text(
                "validation.conforms",
                lang,
                warnings=len(groups["Warning"]),
                infos=len(groups["Info"]),
            )
        )
    else:
        lines.append(i18n.text("validation.fails", lang, violations=len(groups["Violation"])))
    return "\n".join(lines) + "\n"


def serialize_report(report: ValidationReport, rdf_format: str = "turtle") -> str:
    """The ``sh:ValidationReport`` graph serialised (Turtle by default)."""
    return report.report_graph.serialize(format=rdf_format)
