"""The strategy as a document: its sections in order, with numbers, texts, a table of
contents, and every thing a text names linked to its page.

:func:`section_tree` reads the sections under a document (or under one section) with
two queries: the sections with their numbers, texts and which table rows come from them
(:data:`~hamar_graph.query.named.SECTION_TREE`), and what each section names with every
name the thing goes by (:data:`~hamar_graph.query.named.SECTION_MENTIONS`).
:func:`link_names` finds those names in the text (longest first, whole words, a
Norwegian genitive ``s`` included) and links the first occurrence of each thing in a
section; what a section names but its text does not spell out is listed after the text.

Section numbers are the source's own ("1", "3.2", "4.3 (boks)"); a box or chart comes
after the numbered subsections of the section it belongs to, as in the source.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from hamar_graph.namespaces import HMS
from hamar_graph.pages.action_plan import Named
from hamar_graph.pages.facts import PAGE_ROOTS
from hamar_graph.pages.labels import Text, lang_of, pick, sort_key
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_name, local_path
from hamar_graph.store.base import Store

#: The tables a section can hold, by the class of the rows that come from it.
TABLES = {
    str(HMS.AxisGoal): "axes",
    str(HMS.ResponsibilityArea): "chart",
    str(HMS.ActionPlanGoal): "plan",
}


@dataclass(frozen=True)
class Segment:
    """A run of text, linked to a page when ``href`` is set."""

    text: str
    href: str | None = None


#: A paragraph: its lines, each a run of segments.
Paragraph = tuple[tuple[Segment, ...], ...]


@dataclass(frozen=True)
class LinkedText:
    """A section's text in one language, paragraph by paragraph, with names linked."""

    lang: str | None
    paragraphs: tuple[Paragraph, ...]
    linked: frozenset[str]  #: the things linked in the text


@dataclass(frozen=True)
class DocSection:
    """One section of the document, with its subsections."""

    iri: str
    href: str
    anchor: str
    number: str
    label: Text
    text: LinkedText | None  #: in the page's language (else the other)
    other: LinkedText | None  #: the other language (the source or its translation)
    also_named: tuple[Named, ...]  #: things it names that its text does not spell out
    table: str | None  #: ``axes``, ``chart`` or ``plan`` for a section that is a table
    children: tuple[DocSection, ...]

    def walk(self) -> list[DocSection]:
        """This section and all below it, in reading order."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


def number_key(number: str) -> tuple[bool, tuple[int, ...], str]:
    """Order of sections: numbered before boxes, then by the numbers (``3.10`` after ``3.9``)."""
    match = re.match(r"\d+(?:\.\d+)*", number.strip())
    parts = tuple(int(p) for p in match.group(0).split(".")) if match else ()
    return ("(" in number or not match, parts, number)


def _pattern(name: str) -> str:
    words = [re.escape(w) for w in re.split(r"\s+", name.strip()) if w]
    body = r"\s+".join(words)
    body = body.replace(re.escape("–"), r"\s*[–-]\s*").replace(r"\-", r"\s*[–-]\s*")
    acronym = name.isupper() and len(name) <= 5
    return body if acronym else f"(?i:{body})"


def link_names(
    text: str, names: dict[str, list[str]], hrefs: dict[str, str], skip: str | None = None
) -> tuple[tuple[Paragraph, ...], frozenset[str]]:
    """Split ``text`` into paragraphs and lines, linking the first occurrence of each
    thing's names.

    :param names: thing IRI → the names it goes by.
    :param hrefs: thing IRI → where its link goes.
    :param skip: a thing never linked (the page's own subject).
    :returns: the paragraphs and the IRIs of the things that were linked.
    """
    choices = sorted(
        ((n, iri) for iri, ns in names.items() if iri != skip for n in ns if len(n.strip()) > 1),
        key=lambda pair: (-len(pair[0]), pair[0], pair[1]),
    )
    by_group: list[str] = []
    parts: list[str] = []
    for name, iri in choices:
        parts.append(f"({_pattern(name)})")
        by_group.append(iri)
    regex = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?:s)?(?!\w)") if parts else None
    linked: set[str] = set()
    paragraphs = []
    for para in text.split("\n\n"):
        lines = []
        for line in para.split("\n"):
            segments: list[Segment] = []
            pos = 0
            for match in regex.finditer(line) if regex else ():
                iri = by_group[match.lastindex - 1] if match.lastindex else None
                if iri is None or iri in linked:
                    continue
                if match.start() > pos:
                    segments.append(Segment(line[pos : match.start()]))
                segments.append(Segment(match.group(0), hrefs[iri]))
                linked.add(iri)
                pos = match.end()
            if pos < len(line) or not segments:
                segments.append(Segment(line[pos:]))
            lines.append(tuple(segments))
        paragraphs.append(tuple(lines))
    return tuple(paragraphs), frozenset(linked)


def section_tree(
    store: Store, root: str, *, base: str, lang: str, skip: str | None = None
) -> tuple[DocSection, ...]:
    """The sections under ``root`` (a document: its sections; a section: itself), in the
    document's order, with linked texts (two queries).

    :param skip: a thing never linked in the texts (the page's own subject).
    """
    bound = {"root": URIRef(root)}
    rows = store.select(queries.SECTION_TREE, bound)
    mention_rows = store.select(queries.SECTION_MENTIONS, bound)

    labels: dict[str, list[Node]] = defaultdict(list)
    texts: dict[str, list[Literal]] = defaultdict(list)
    numbers: dict[str, str] = {}
    parents: dict[str, set[str]] = defaultdict(set)
    tables: dict[str, str] = {}
    for row in rows:
        sec = str(row["section"])
        if row["label"] not in labels[sec]:
            labels[sec].append(row["label"])
        if "text" in row and row["text"] not in texts[sec]:
            texts[sec].append(row["text"])  # type: ignore[arg-type]
        if "number" in row:
            numbers[sec] = str(row["number"])
        if "parent" in row:
            parents[sec].add(str(row["parent"]))
        if "rows" in row and str(row["rows"]) in TABLES:
            tables[sec] = TABLES[str(row["rows"])]

    mentioned: dict[str, set[str]] = defaultdict(set)
    names: dict[str, list[str]] = defaultdict(list)
    thing_labels: dict[str, list[Node]] = defaultdict(list)
    for row in mention_rows:
        sec, thing = str(row["section"]), str(row["thing"])
        mentioned[sec].add(thing)
        if row["label"] not in thing_labels[thing]:
            thing_labels[thing].append(row["label"])
        for name in (row["label"], row.get("name")):
            if name is not None and str(name) not in names[thing]:
                names[thing].append(str(name))
    hrefs = {thing: local_path(thing, base, PAGE_ROOTS) or thing for thing in thing_labels}

    def named(thing: str) -> Named:
        return Named(
            thing, hrefs[thing], pick(thing_labels[thing], lang) or Text(local_name(thing))
        )

    def build(sec: str) -> DocSection:
        own = {thing: names[thing] for thing in mentioned[sec]}
        by_lang = sorted(texts[sec], key=lambda t: (lang_of(t) != lang, lang_of(t) or ""))
        made = []
        for literal in by_lang:
            paragraphs, linked = link_names(str(literal), own, hrefs, skip)
            made.append(LinkedText(lang_of(literal), paragraphs, linked))
        linked_any = set(made[0].linked) if made else set()
        children = sorted(
            (s for s, ps in parents.items() if sec in ps),
            key=lambda s: number_key(numbers.get(s, "")),
        )
        return DocSection(
            iri=sec,
            href=local_path(sec, base, PAGE_ROOTS) or sec,
            anchor="del-" + local_name(sec),
            number=numbers.get(sec, ""),
            label=pick(labels[sec], lang) or Text(local_name(sec)),
            text=made[0] if made else None,
            other=made[1] if len(made) > 1 else None,
            also_named=tuple(
                sorted(
                    (named(t) for t in mentioned[sec] - linked_any if t != skip),
                    key=lambda n: (sort_key(n.label.value), n.href),
                )
            ),
            table=tables.get(sec),
            children=tuple(build(c) for c in children),
        )

    in_tree = set(labels)
    tops = [s for s in in_tree if not (parents[s] & in_tree)]
    return tuple(build(s) for s in sorted(tops, key=lambda s: number_key(numbers.get(s, ""))))
