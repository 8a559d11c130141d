"""The pages' database: what the pages need precomputed, in one SQLite file.

``build`` writes it next to the dumps as ``pages.sqlite`` and lists it in the one manifest
(``publication.json``, under ``extras``); every server process opens it read-only, so
nothing that grows with the graph is computed when an app starts. An app without a
matching file (no build, or a build of other data) makes the same database in memory,
once, from its store (:func:`pages_db`).

It holds, for every resource under the base IRI:

- ``resources``: IRI, kind (``tiltak`` for ``{base}id/tiltak/…``), the label picked for
  each page language with its sort key (Norwegian order), the folded labels and the
  types; the index pages read one page of a kind with ``LIMIT``/``OFFSET`` on an index
  ``(kind, sort key)``;
- ``search``: an FTS5 full-text index (SQLite, in Python's standard library) with four
  columns, weighted in this order when ranking: the labels, the alternative names
  (``skos:altLabel``, ``hms:abbreviation``), the names of its kind and types
  (``vennskapsby``, ``twin city``) and its texts (``hms:text``, translation,
  definition), and a fifth, ``exact``, with each label as one token, for hits whose
  label is the whole query; every value folded with
  :func:`hamar_graph.folding.normalise` (æ→ae, ø→o, å→a, aa→a, accents, case) before it
  is indexed, and the query folded the same way, so
  folding works both ways in both languages;
- ``terms``: every term of the full-text index with the columns it occurs in, so a search
  word becomes the index's own terms that start with it, per column
  (:meth:`~hamar_graph.pages.stored.PagesDB.find`), instead of a prefix query that FTS5
  sets up again for every column filter it appears in;
- ``kind_terms``: each term of the ``kind`` column with the groups that hold it, and
  whether every resource of the group does;
- ``texts``: the original texts with their language, and folded, for snippets;
- ``groups``: the search groups (kinds), in order, with their sizes; a resource's id
  holds its group and its place in the group's Norwegian label order
  (:data:`GROUP_SHIFT`);
- ``kinds``: resources per kind (``""`` for things directly under ``{base}id/``),
  for the register page;
- ``strategies`` and ``gaps``: every strategy document, and the plan's gaps
  (:class:`~hamar_graph.build.completeness.PlanGaps`) of each goal and measure under the
  strategy whose axis it is on, so the completeness page shows one strategy and an
  entity page looks up its own gaps by IRI;
- ``meta``: the format, the base IRI, and the data versions it was made from (the
  manifest's, and the one a remote engine's triple counts give), which an app compares
  with the data it serves before it trusts the file.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import SKOS

from hamar_graph import i18n
from hamar_graph.build.completeness import PlanGaps
from hamar_graph.folding import normalise, sort_key
from hamar_graph.namespaces import HMS, PREFIXES
from hamar_graph.query import named as queries
from hamar_graph.store.base import Row, Store

#: The file ``build`` writes next to the dumps.
PAGES_FILE = "pages.sqlite"

#: The layout's version; a file of another version is not read.
FORMAT = "6"

#: The page languages a label and sort key are kept for.
LANGUAGES = ("nb", "en")

#: Column weights of the full-text index, in column order (label, alt, kind, body, exact).
WEIGHTS = (10.0, 6.0, 3.0, 1.0, 0.0)

_ALT = {str(SKOS.altLabel), str(HMS.abbreviation)}
_LABEL = str(SKOS.prefLabel)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  iri TEXT NOT NULL UNIQUE,
  kind TEXT,
  grp TEXT NOT NULL,
  label_nb TEXT NOT NULL, lang_nb TEXT, sort_nb TEXT NOT NULL,
  label_en TEXT NOT NULL, lang_en TEXT, sort_en TEXT NOT NULL,
  folded_labels TEXT NOT NULL,
  types TEXT NOT NULL
);
CREATE INDEX resources_kind_nb ON resources (kind, sort_nb, iri);
CREATE INDEX resources_kind_en ON resources (kind, sort_en, iri);
CREATE TABLE texts (rid INTEGER NOT NULL, lang TEXT, text TEXT NOT NULL, folded TEXT NOT NULL);
CREATE INDEX texts_rid ON texts (rid);
CREATE TABLE kinds (kind TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE groups (idx INTEGER PRIMARY KEY, grp TEXT NOT NULL UNIQUE, size INTEGER NOT NULL);

CREATE TABLE graphs (iri TEXT PRIMARY KEY, triples INTEGER NOT NULL);
CREATE TABLE strategies (
  position INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, sort_nb TEXT NOT NULL
);
CREATE TABLE gaps (
  position INTEGER PRIMARY KEY, iri TEXT NOT NULL, strategy TEXT NOT NULL, item TEXT NOT NULL
);
CREATE INDEX gaps_iri ON gaps (iri);
CREATE INDEX gaps_strategy ON gaps (strategy, position);
CREATE TABLE terms (term TEXT NOT NULL, col TEXT NOT NULL, PRIMARY KEY (term, col))
  WITHOUT ROWID;
CREATE TABLE kind_terms (
  term TEXT NOT NULL, grp INTEGER NOT NULL, every INTEGER NOT NULL, PRIMARY KEY (term, grp)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE search USING fts5(
  label, alt, kind, body, exact, content='', prefix='2 3',
  tokenize="unicode61 remove_diacritics 2 tokenchars '_'"
);
"""

Progress = Callable[[str], None]


@dataclass
class _Entry:
    labels: list[tuple[str, str | None]] = field(default_factory=list)
    alt: list[str] = field(default_factory=list)
    texts: list[tuple[str, str | None]] = field(default_factory=list)
    types: set[str] = field(default_factory=set)


def _lang(term: Literal) -> str | None:
    return term.language.split("-")[0].lower() if term.language else None


def pick_label(labels: Iterable[tuple[str, str | None]], lang: str) -> tuple[str, str | None]:
    """The label in ``lang``, else Norwegian, else untagged, else any (as the pages pick),
    or ``("", None)`` when there is none."""
    by_lang: dict[str | None, list[str]] = {}
    for value, tag in labels:
        by_lang.setdefault(tag, []).append(value)
    for wanted in (lang, i18n.DEFAULT_LANGUAGE, None):
        if wanted in by_lang:
            return sorted(by_lang[wanted])[0], wanted
    if by_lang:
        first = sorted(by_lang, key=lambda k: k or "")[0]
        return sorted(by_lang[first])[0], first
    return "", None


def _sort_text(text: str) -> str:
    folded, original = sort_key(text)
    return folded + "\x01" + original


def kind_of(iri: str, base: str) -> tuple[str | None, str]:
    """``(kind, group)`` of ``iri``: the kind of ``{base}id/{kind}/{slug}`` (``""`` for a
    thing directly under ``{base}id/``, ``None`` otherwise) and the search group
    (the kind, ``def`` for ontology terms, ``other`` for anything else)."""
    prefix = base + "id/"
    if iri.startswith(prefix):
        rest = iri[len(prefix) :]
        parts = rest.split("/")
        if len(parts) == 2 and parts[0] and parts[1]:
            return parts[0], parts[0]
        if len(parts) == 1 and parts[0]:
            return "", ""
        return None, "other"
    if iri.startswith(base + "def/"):
        return None, "def"
    return None, "other"


def _paged(store: Store, query: str, page_rows: int | None) -> Iterator[Row]:
    """The rows of ``query``; with ``page_rows``, asked for in pages of that many rows
    (``LIMIT``/``OFFSET``), so that no one request to a remote engine runs long."""
    if page_rows is None:
        yield from store.select(query)
        return
    offset = 0
    while True:
        rows = store.select(f"{query.rstrip()}\nLIMIT {page_rows} OFFSET {offset}\n")
        yield from rows
        if len(rows) < page_rows:
            return
        offset += page_rows


def _entries(store: Store, base: str, page_rows: int | None) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    for row in _paged(store, queries.RESOURCE_TEXTS, page_rows):
        iri, text = str(row["s"]), row["text"]
        if not iri.startswith(base) or not isinstance(text, Literal):
            continue
        entry = entries.setdefault(iri, _Entry())
        value, predicate = str(text), str(row["p"])
        if predicate == _LABEL:
            entry.labels.append((value, _lang(text)))
            continue
        if predicate in _ALT:
            entry.alt.append(value)
        entry.texts.append((value, _lang(text)))
    for row in _paged(store, queries.RESOURCE_TYPES, page_rows):
        iri = str(row["s"])
        if iri.startswith(base):
            entries.setdefault(iri, _Entry()).types.add(str(row["type"]))
    for entry in entries.values():  # the engine's row order is not the data's: sort
        entry.labels.sort(key=lambda pair: (pair[1] or "", pair[0]))
        entry.alt.sort()
        entry.texts.sort(key=lambda pair: (pair[1] or "", pair[0]))
    return entries


def _type_names(entries: dict[str, _Entry]) -> dict[str, list[str]]:
    """Type IRI → its names in every language: its labels in the data (the ontology's
    classes), else the interface table's words for standard terms."""
    names: dict[str, list[str]] = {}
    for name, texts in i18n.section("terms").items():
        prefix, _, local = name.partition(":")
        if prefix in PREFIXES:
            names[PREFIXES[prefix] + local] = list(texts.values())
    for entry in entries.values():
        for type_iri in entry.types:
            if type_iri in entries and entries[type_iri].labels:
                names[type_iri] = sorted(value for value, _ in entries[type_iri].labels)
    return names


def _kind_names(kind: str | None) -> list[str]:
    if not kind:
        return []
    words = [kind]
    with contextlib.suppress(KeyError):
        words += [i18n.text(f"kinds.{kind}", lang) for lang in LANGUAGES]
    return words


def exact_token(text: str) -> str:
    """The whole of ``text``, folded, as one token (``okt_kunnskapsniva``): the ``exact``
    column holds one per label, so that "the label is the query" is an FTS5 lookup."""
    return "_".join(re.findall(r"[^\W_]+", normalise(text)))


def _fold_all(values: Iterable[str]) -> str:
    return " | ".join(normalise(v) for v in values)


#: A resource's id is ``(group index << GROUP_SHIFT) | its place in the group``, the
#: group's resources numbered in Norwegian label order: the full-text index's row ids then
#: tell a hit's group (``rowid >> GROUP_SHIFT``) and its label order without a join.
GROUP_SHIFT = 32


def group_order(groups: Iterable[str]) -> list[str]:
    """Search groups in the order they are listed on equal footing: the kinds in the order
    of docs/MODEL.md (the interface table's ``kinds``), other kinds by name, then the
    things directly under ``id/``, the ontology and the rest."""
    known = list(i18n.section("kinds"))
    rank = {k: n for n, k in enumerate(known)}
    tail = {"": 1, "def": 2, "other": 3}
    return sorted(set(groups), key=lambda g: (g in tail, tail.get(g, 0), rank.get(g, len(rank)), g))


def _ordered_ids(
    entries: dict[str, _Entry], base: str, conn: sqlite3.Connection
) -> list[tuple[int, str]]:
    """Every IRI with its id (see :data:`GROUP_SHIFT`); records the groups in ``conn``."""
    members: dict[str, list[tuple[str, str]]] = {}
    for iri, entry in entries.items():
        label = pick_label(entry.labels, "nb")[0] or iri.rstrip("/").rsplit("/", 1)[-1]
        members.setdefault(kind_of(iri, base)[1], []).append((_sort_text(label), iri))
    ordered: list[tuple[int, str]] = []
    for idx, group in enumerate(group_order(members)):
        conn.execute("INSERT INTO groups VALUES (?, ?, ?)", (idx, group, len(members[group])))
        for n, (_, iri) in enumerate(sorted(members[group])):
            ordered.append(((idx << GROUP_SHIFT) | n, iri))
    return ordered


def fill(
    conn: sqlite3.Connection,
    store: Store,
    base: str,
    gaps: PlanGaps,
    *,
    data_versions: Iterable[str] = (),
    page_rows: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the pages' database for the data in ``store`` into the empty ``conn``.

    :param gaps: the plan's gaps of the same data.
    :param data_versions: the data versions (:class:`~hamar_graph.publication.release.Release`)
        under which an app may use this database.
    :param page_rows: ask ``store`` for rows in pages of this many (a remote engine).
    """
    conn.executescript(SCHEMA)
    if progress:
        progress("pages database: reading labels, texts and types")
    entries = _entries(store, base, page_rows)
    type_names = _type_names(entries)
    kinds: dict[str, int] = {}
    strategies: list[str] = []
    if progress:
        progress(f"pages database: indexing {len(entries)} resources")
    for rid, iri in _ordered_ids(entries, base, conn):
        entry = entries[iri]
        kind, group = kind_of(iri, base)
        if kind is not None:
            kinds[kind] = kinds.get(kind, 0) + 1
        if str(HMS.StrategyDocument) in entry.types:
            strategies.append(iri)
        picked = {lang: pick_label(entry.labels, lang) for lang in LANGUAGES}
        shown = {lang: picked[lang][0] or iri.rstrip("/").rsplit("/", 1)[-1] for lang in picked}
        conn.execute(
            "INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rid,
                iri,
                kind,
                group,
                shown["nb"],
                picked["nb"][1],
                _sort_text(shown["nb"]),
                shown["en"],
                picked["en"][1],
                _sort_text(shown["en"]),
                "|" + "|".join(normalise(v) for v, _ in entry.labels) + "|",
                json.dumps(sorted(entry.types)),
            ),
        )
        conn.executemany(
            "INSERT INTO texts VALUES (?, ?, ?, ?)",
            [(rid, lang, text, normalise(text)) for text, lang in entry.texts],
        )
        kind_words = _kind_names(kind)
        for type_iri in sorted(entry.types):
            kind_words += type_names.get(type_iri, [])
        conn.execute(
            "INSERT INTO search (rowid, label, alt, kind, body, exact) VALUES (?, ?, ?, ?, ?, ?)",
            (
                rid,
                _fold_all(v for v, _ in entry.labels),
                _fold_all(entry.alt),
                _fold_all(dict.fromkeys(kind_words)),
                _fold_all(t for t, _ in entry.texts if t not in entry.alt),
                " ".join(sorted({exact_token(v) for v, _ in entry.labels})),
            ),
        )
    conn.executemany("INSERT INTO kinds VALUES (?, ?)", sorted(kinds.items()))
    _write_gaps(conn, store, gaps, strategies)
    conn.executemany(
        "INSERT INTO graphs VALUES (?, ?)",
        sorted((str(r["g"]), int(str(r["triples"]))) for r in store.select(queries.GRAPH_SIZE)),
    )
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ("format", FORMAT),
            ("base_iri", base),
            ("data_versions", json.dumps(sorted(set(data_versions)))),
        ],
    )
    conn.execute("INSERT INTO search (search) VALUES ('optimize')")
    conn.execute("CREATE VIRTUAL TABLE temp.search_terms USING fts5vocab(main, 'search', 'col')")
    conn.execute("INSERT INTO terms SELECT DISTINCT term, col FROM temp.search_terms")
    conn.execute("DROP TABLE temp.search_terms")
    _write_kind_terms(conn)
    conn.commit()


#: ``kind_terms`` from the index's instances of terms (32 is :data:`GROUP_SHIFT`).
_KIND_TERMS_SQL = """INSERT INTO kind_terms
SELECT i.term, i.doc >> 32 AS g, count(DISTINCT i.doc) = s.size
FROM temp.kind_instances AS i JOIN groups AS s ON s.idx = i.doc >> 32
WHERE i.col = 'kind' GROUP BY i.term, g"""
assert GROUP_SHIFT == 32


def _write_kind_terms(conn: sqlite3.Connection) -> None:
    """For every term of the ``kind`` column, the groups whose resources hold it, and
    whether every resource of the group does (a search that names the kind of a whole
    group counts that group without reading its hits)."""
    conn.execute(
        "CREATE VIRTUAL TABLE temp.kind_instances USING fts5vocab(main, 'search', 'instance')"
    )
    conn.execute(_KIND_TERMS_SQL)
    conn.execute("DROP TABLE temp.kind_instances")


def _write_gaps(
    conn: sqlite3.Connection, store: Store, gaps: PlanGaps, strategies: list[str]
) -> None:
    doc_of: dict[str, str] = {}
    for row in store.select(queries.STRATEGY_AXES):
        axis, doc = str(row["axis"]), str(row["doc"])
        doc_of[axis] = min(doc, doc_of.get(axis, doc))
    conn.executemany(
        "INSERT INTO gaps VALUES (?, ?, ?, ?)",
        [
            (
                position,
                item.iri,
                doc_of.get(item.axis, ""),
                json.dumps(asdict(item), ensure_ascii=False, sort_keys=True),
            )
            for position, item in enumerate(gaps.items)
        ],
    )
    known = set(strategies) | {doc for doc in doc_of.values()}
    labels = {
        iri: label
        for iri, label in conn.execute(
            "SELECT iri, label_nb FROM resources WHERE iri IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(known)),),
        )
    }
    ordered = sorted(known, key=lambda iri: (_sort_text(labels.get(iri, iri)), iri))
    conn.executemany(
        "INSERT INTO strategies VALUES (?, ?, ?)",
        [(n, iri, _sort_text(labels.get(iri, iri))) for n, iri in enumerate(ordered)],
    )


def pages_db(
    store: Store,
    base: str,
    gaps: PlanGaps,
    *,
    data_versions: Iterable[str] = (),
    page_rows: int | None = None,
    progress: Progress | None = None,
) -> sqlite3.Connection:
    """The pages' database in memory (one connection, usable from any thread)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    fill(
        conn,
        store,
        base,
        gaps,
        data_versions=data_versions,
        page_rows=page_rows,
        progress=progress,
    )
    return conn


def pages_db_bytes(
    store: Store,
    base: str,
    gaps: PlanGaps,
    *,
    data_versions: Iterable[str] = (),
    progress: Progress | None = None,
) -> bytes:
    """The pages' database as the bytes of an SQLite file (the same data gives the
    same bytes), for ``build`` to write as :data:`PAGES_FILE`."""
    conn = pages_db(store, base, gaps, data_versions=data_versions, progress=progress)
    try:
        conn.execute("VACUUM")
        return conn.serialize()
    finally:
        conn.close()


def write_pages_db(target: Path, data: bytes) -> None:
    """Write ``data`` (from :func:`pages_db_bytes`) to ``target`` (for benchmarks and tools;
    ``build`` stages it with the other files)."""
    target.write_bytes(data)
