"""Reading the pages' database (:mod:`hamar_graph.build.pages_db`): one SQLite connection
per app, read-only, each question one indexed SQL query whose cost is bounded by what a
page shows (a page of an index, a page of search hits, one strategy's gaps).

:func:`open_pages_db` opens the file ``build`` wrote when it is the right format for the
base IRI and was made from the data the app serves; otherwise the app makes the same
database in memory (:func:`hamar_graph.build.pages_db.pages_db`).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hamar_graph.build.completeness import PlanGaps, PlanItem
from hamar_graph.build.pages_db import FORMAT, GROUP_SHIFT, LANGUAGES, WEIGHTS

_SORT = {lang: f"sort_{lang}" for lang in LANGUAGES}


@dataclass(frozen=True)
class StoredResource:
    """One resource as the index and search pages show it."""

    id: int
    iri: str
    kind: str | None
    group: str
    label: str
    label_lang: str | None
    types: tuple[str, ...]


class PagesDB:
    """The pages' database of one app; safe to share between request threads.

    .. versionadded:: 0.3
    """

    def __init__(self, conn: sqlite3.Connection, source: str) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._group_names: dict[int, str] | None = None
        #: Where it came from: the file's path, or ``memory``.
        self.source = source

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one SQL query."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def meta(self) -> dict[str, str]:
        return dict(self.rows("SELECT key, value FROM meta"))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- resources -----------------------------------------------------------------

    def _resources(self, where: str, params: Sequence[Any], lang: str) -> list[StoredResource]:
        lang = lang if lang in _SORT else LANGUAGES[0]
        parts = (_SELECT_RESOURCES[lang], where)
        sql = " ".join(parts)
        return [
            StoredResource(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])))
            for r in self.rows(sql, params)
        ]

    def kind_count(self, kind: str) -> int:
        """Resources of ``kind`` (``{base}id/{kind}/…``)."""
        found = self.rows("SELECT count FROM kinds WHERE kind = ?", (kind,))
        return int(found[0][0]) if found else 0

    def kinds(self) -> dict[str, int]:
        """Kind → number of resources."""
        return {k: int(n) for k, n in self.rows("SELECT kind, count FROM kinds WHERE kind != ''")}

    def kind_page(self, kind: str, lang: str, offset: int, limit: int) -> list[StoredResource]:
        """``limit`` resources of ``kind`` from ``offset``, in Norwegian label order."""
        column = _SORT.get(lang, _SORT[LANGUAGES[0]])
        return self._resources(
            " ".join(["WHERE kind = ? ORDER BY", column, ", iri LIMIT ? OFFSET ?"]),
            (kind, limit, offset),
            lang,
        )

    def by_ids(self, ids: Iterable[int], lang: str) -> dict[int, StoredResource]:
        """The resources with these ids."""
        chosen = json.dumps(sorted(set(ids)))
        found = self._resources("WHERE id IN (SELECT value FROM json_each(?))", (chosen,), lang)
        return {r.id: r for r in found}

    def by_iris(self, iris: Iterable[str], lang: str) -> dict[str, StoredResource]:
        """The resources with these IRIs (those the database knows)."""
        chosen = json.dumps(sorted(set(iris)))
        found = self._resources("WHERE iri IN (SELECT value FROM json_each(?))", (chosen,), lang)
        return {r.iri: r for r in found}

    def texts(
        self, ids: Iterable[int], words: Sequence[str] = ()
    ) -> dict[int, list[tuple[str, str | None, str]]]:
        """Resource id → its texts (value, language, folded value) that hold every one of
        the folded ``words`` (all of them when there are none), for snippets."""
        out: dict[int, list[tuple[str, str | None, str]]] = {}
        holding = "".join(" AND instr(folded, ?) > 0" for _ in words)
        sql = _TEXTS_SQL.replace("{holding}", holding)
        for rid, lang, text, folded in self.rows(sql, (json.dumps(sorted(set(ids))), *words)):
            out.setdefault(rid, []).append((text, lang, folded))
        return out

    # --- search --------------------------------------------------------------------

    def _groups(self) -> dict[int, str]:
        if self._group_names is None:
            self._group_names = dict(self.rows("SELECT idx, grp FROM groups"))
        return self._group_names

    def _tier_counts(self, expression: str, one_group_likely: bool = False) -> dict[int, int]:
        """Group → hits of an FTS5 expression, counted inside SQLite (no row reaches
        Python). Grouping sorts the hits (SQLite does not know that the row ids come in
        group order), which costs as much again as counting them; so when the hits are
        likely in one group (a label that is the whole query, a kind the query names), they
        are counted first without it, and grouped only when they span groups."""
        if one_group_likely:
            ((count, low, high),) = self.rows(_SPAN_SQL, (expression,))
            if not count:
                return {}
            if low >> GROUP_SHIFT == high >> GROUP_SHIFT:
                return {int(low) >> GROUP_SHIFT: int(count)}
        rows = self.rows(_COUNT_SQL, (expression,))
        return {int(g): int(n) for g, n in rows}

    def find(
        self, words: Sequence[str], exact: str, group: str | None, offset: int, limit: int
    ) -> Found:
        """One page of hits for the folded query ``words``, grouped by kind.

        Every hit has a tier: 0 when a label is the whole query (``exact``, the query as
        one token, :func:`~hamar_graph.build.pages_db.exact_token`), 1 when the query
        names its kind or type (``vennskapsby`` for the twin cities), 2 when the labels or
        alternative names hold every word, 3 when only its texts do. Groups come in the
        order of their best tier, then in the order of
        :func:`~hamar_graph.build.pages_db.group_order`; within a group, by tier, then by
        Norwegian label (the row ids' order), except that the text-only hits of a group
        with at most :data:`RANKED` of them are ranked by BM25 (labels weigh most, then
        alternative names, kind names, texts).

        Each tier is an FTS5 expression of its own (``exact : …``, ``kind : (…) NOT …``,
        …) whose hits are counted per group inside SQLite, and the page is read with
        ``LIMIT``/``OFFSET`` on a range of row ids: no join, and no more rows reach Python
        than the page holds. Every word of the query must start a term; it is written as
        the index's own terms that start with it, for each tier those of the tier's
        columns (:meth:`word_terms`): a tier whose columns hold no such term is left out,
        and FTS5 does not set a prefix query up again for every column filter.
        """
        names = self._groups()
        found = [self.word_terms(w) for w in words]
        match = _expression(words, found, _COLUMNS)
        if match is None:
            return Found((), 0, ())
        whole = f'exact : "{exact or "_"}"'
        kind = _within("kind", _expression(words, found, ("kind",)))
        label = _within("{label alt}", _expression(words, found, ("label", "alt")))
        expressions = (
            whole,
            _without(kind, whole),
            _without(label, kind, whole),
            _without(match, label, kind, whole),
        )
        counts = [self._tier_counts(e, t < 2) if e else {} for t, e in enumerate(expressions)]
        tiers = {g: [c.get(g, 0) for c in counts] for g in set().union(*counts)}
        best = {g: next(t for t in range(4) if n[t]) for g, n in tiers.items()}
        order = sorted(best, key=lambda g: (best[g], g))
        groups = tuple((names[g], sum(tiers[g])) for g in order)
        chosen = [g for g in order if group is None or names[g] == group]
        total = sum(sum(tiers[g]) for g in chosen)
        ids: list[int] = []
        skip = offset
        for g in chosen:
            for tier, count in enumerate(tiers[g]):
                if len(ids) >= limit:
                    break
                if skip >= count:
                    skip -= count
                    continue
                want = min(limit - len(ids), count - skip)
                expression = expressions[tier]
                assert expression is not None, "a tier with hits has an expression"
                ids += self._slice(expression, g, tier == 3 and count <= RANKED, skip, want)
                skip = 0
        return Found(groups, total, tuple(ids))

    def word_terms(self, word: str) -> dict[str, tuple[str, ...]] | None:
        """Column → the terms of the index in that column that start with ``word`` (a
        folded query word); ``None`` when ``word`` is no single term of the index's
        alphabet (``twin-city``) or starts too many terms (:data:`MAX_TERMS` in a column):
        then it is searched as a prefix."""
        if not _TERM.fullmatch(word):
            return None
        rows = self.rows(_TERMS_SQL, (word, word + "\U0010ffff", _MAX_TERM_ROWS + 1))
        if len(rows) > _MAX_TERM_ROWS:
            return None
        found: dict[str, list[str]] = {}
        for term, column in rows:
            found.setdefault(column, []).append(term)
        if any(len(terms) > MAX_TERMS for terms in found.values()):
            return None
        return {column: tuple(terms) for column, terms in found.items()}

    def _slice(self, expression: str, group: int, ranked: bool, skip: int, want: int) -> list[int]:
        """``want`` hits of ``expression`` in ``group`` after the first ``skip``, by BM25
        rank when ``ranked``, else in row-id (label) order."""
        low, high = group << GROUP_SHIFT, ((group + 1) << GROUP_SHIFT) - 1
        sql = _RANKED_SQL if ranked else _SLICE_SQL
        return [r for (r,) in self.rows(sql, (expression, low, high, want, skip))]

    # --- the plan's gaps and the strategies ------------------------------------------

    def gaps_for(self, iri: str) -> tuple[str, ...]:
        """The warning codes of ``iri`` (in the order the pages list them)."""
        codes: list[str] = []
        for (item,) in self.rows("SELECT item FROM gaps WHERE iri = ? ORDER BY position", (iri,)):
            codes.extend(c for c in json.loads(item)["lacks"] if c not in codes)
        return tuple(codes)

    def strategy_gaps(self, strategy: str) -> PlanGaps:
        """The gaps of the goals and measures on the axes of ``strategy``."""
        rows = self.rows("SELECT item FROM gaps WHERE strategy = ? ORDER BY position", (strategy,))
        return PlanGaps(tuple(_item(raw) for (raw,) in rows))

    def all_gaps(self) -> PlanGaps:
        """Every gap of every strategy (tests and tools; no page reads them all)."""
        rows = self.rows("SELECT item FROM gaps ORDER BY position")
        return PlanGaps(tuple(_item(raw) for (raw,) in rows))

    def strategy_count(self) -> int:
        return int(self.rows("SELECT count(*) FROM strategies")[0][0])

    def strategies(self, offset: int, limit: int) -> list[str]:
        """``limit`` strategy IRIs from ``offset``, by Norwegian label."""
        found = self.rows(
            "SELECT iri FROM strategies ORDER BY position LIMIT ? OFFSET ?", (limit, offset)
        )
        return [r[0] for r in found]

    def graph_size(self, iri: str) -> int | None:
        """Triples in the named graph ``iri`` when the data was made (None: no such graph)."""
        found = self.rows("SELECT triples FROM graphs WHERE iri = ?", (iri,))
        return int(found[0][0]) if found else None

    def has_strategy(self, iri: str) -> bool:
        return bool(self.rows("SELECT 1 FROM strategies WHERE iri = ?", (iri,)))


#: Groups with at most this many text-only hits have them ranked by BM25.
RANKED = 500

#: A search word that starts more terms than this in a column is searched as a prefix.
MAX_TERMS = 40

#: The columns of the full-text index (:data:`~hamar_graph.build.pages_db.SCHEMA`).
_COLUMNS = ("label", "alt", "kind", "body", "exact")

#: What a search word must be to be looked up in ``terms``: one token of the index.
_TERM = re.compile(r"[a-z0-9_]+")

#: Rows of ``terms`` read for one word at most.
_MAX_TERM_ROWS = MAX_TERMS * len(_COLUMNS)

#: The terms that start with a word (``term >= word AND term < word + U+10FFFF``).
_TERMS_SQL = "SELECT term, col FROM terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?"


def prefix_term(word: str) -> str:
    """``word`` as a quoted FTS5 prefix term (a word with a hyphen, ``twin-city``, is a
    phrase), so no character of it is FTS5 syntax."""
    return '"' + word.replace('"', '""') + '"*'


def _expression(
    words: Sequence[str],
    found: Sequence[dict[str, tuple[str, ...]] | None],
    columns: tuple[str, ...],
) -> str | None:
    """Every word as the index's terms in ``columns`` that start with it (``("a" OR
    "ab")``), or as a prefix where :meth:`PagesDB.word_terms` gave none; ``None`` when a
    word starts no term in these columns (nothing there can match)."""
    parts = []
    for word, by_column in zip(words, found, strict=True):
        if by_column is None:
            parts.append(prefix_term(word))
            continue
        terms = sorted({t for column in columns for t in by_column.get(column, ())})
        if not terms:
            return None
        if len(terms) > MAX_TERMS:
            parts.append(prefix_term(word))
        else:
            parts.append("(" + " OR ".join(f'"{t}"' for t in terms) + ")")
    return " AND ".join(parts)


def _within(columns: str, expression: str | None) -> str | None:
    """``expression`` limited to ``columns`` (FTS5's ``{a b} : (…)``), or ``None``."""
    return None if expression is None else f"{columns} : ({expression})"


def _without(first: str | None, *others: str | None) -> str | None:
    """The hits of ``first`` that are none of ``others`` (those that are not ``None``)."""
    if first is None:
        return None
    return f"({first})" + "".join(f" NOT ({o})" for o in others if o is not None)


#: Hits of one group (a range of row ids), best BM25 rank first (the column weights are
#: :data:`~hamar_graph.build.pages_db.WEIGHTS`), as many as asked from an offset.
_RANKED_SQL = """
SELECT rowid FROM search WHERE search MATCH ? AND rowid BETWEEN ? AND ?
ORDER BY bm25(search, 10.0, 6.0, 3.0, 1.0, 0.0) LIMIT ? OFFSET ?
"""

#: Hits of one group in row-id (Norwegian label) order, as many as asked from an offset.
_SLICE_SQL = """
SELECT rowid FROM search WHERE search MATCH ? AND rowid BETWEEN ? AND ?
ORDER BY rowid LIMIT ? OFFSET ?
"""

#: Hits per group of one FTS5 expression (32 is :data:`GROUP_SHIFT`).
_COUNT_SQL = "SELECT rowid >> 32, count(*) FROM search WHERE search MATCH ? GROUP BY 1"

#: The texts of some resources (a JSON array of ids), ``{holding}`` replaced by one
#: ``AND instr(folded, ?) > 0`` per word they must hold.
_TEXTS_SQL = (
    "SELECT rid, lang, text, folded FROM texts "
    "WHERE rid IN (SELECT value FROM json_each(?)){holding} ORDER BY rid, rowid"
)

#: Hits of one FTS5 expression, and their first and last row ids.
_SPAN_SQL = "SELECT count(*), min(rowid), max(rowid) FROM search WHERE search MATCH ?"
assert GROUP_SHIFT == 32

assert WEIGHTS == (10.0, 6.0, 3.0, 1.0, 0.0), "the weights above are the build's"

#: Columns of a resource, in the order :class:`StoredResource` takes them, per language.
_SELECT_RESOURCES = dict(
    zip(
        LANGUAGES,
        (
            "SELECT id, iri, kind, grp, label_nb, lang_nb, types FROM resources",
            "SELECT id, iri, kind, grp, label_en, lang_en, types FROM resources",
        ),
        strict=True,
    )
)
assert all(f"label_{lang}," in sql for lang, sql in _SELECT_RESOURCES.items())


@dataclass(frozen=True)
class Found:
    """What a search found: every group with its number of hits (best first), the
    total (of the chosen group, if one is), and the ids of one page of hits."""

    groups: tuple[tuple[str, int], ...]
    total: int
    ids: tuple[int, ...]


def _item(raw: str) -> PlanItem:
    data = json.loads(raw)
    return PlanItem(**{**data, "lacks": tuple(data["lacks"])})


class StoredGaps:
    """The plan's gaps read from the pages' database: what entity pages ask
    (:meth:`for_item`, one indexed lookup) and, for tests, every item.

    .. versionadded:: 0.3
    """

    def __init__(self, db: PagesDB) -> None:
        self.db = db

    def for_item(self, iri: str) -> tuple[str, ...]:
        """Warning codes for ``iri`` (empty when complete or not a goal or measure)."""
        return self.db.gaps_for(iri)

    @property
    def items(self) -> tuple[PlanItem, ...]:
        """Every item of every strategy (reads them all: not for pages)."""
        return self.db.all_gaps().items


def open_pages_db(path: Path, base: str, data_version: str) -> PagesDB | None:
    """The pages' database at ``path``, opened read-only, when it has this layout, this
    base IRI and was made from data of version ``data_version``; else ``None``."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        db = PagesDB(conn, str(path))
        meta = db.meta()
    except sqlite3.Error:
        return None
    versions = json.loads(meta.get("data_versions", "[]"))
    if meta.get("format") != FORMAT or meta.get("base_iri") != base or data_version not in versions:
        db.close()
        return None
    return db
