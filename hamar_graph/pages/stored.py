"""Reading the pages' database (:mod:`hamar_graph.build.pages_db`): one SQLite connection
per app, read-only, each question one indexed SQL query whose cost is bounded by what a
page shows (a page of an index, a page of search hits, one strategy's gaps).

:func:`open_pages_db` opens the file ``build`` wrote when it is the right format for the
base IRI and was made from the data the app serves; otherwise the app makes the same
database in memory (:func:`hamar_graph.build.pages_db.pages_db`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hamar_graph.build.completeness import PlanGaps, PlanItem
from hamar_graph.build.pages_db import FORMAT, LANGUAGES
from hamar_graph.pages import search_index
from hamar_graph.pages.search_index import Found, Groups, WordTerms

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
        self._groups: Groups | None = None
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
        types: dict[str, tuple[str, ...]] = {}  # a page's resources mostly share their types
        found = []
        for r in self.rows(sql, params):
            kinds = types.get(r[6])
            if kinds is None:
                kinds = types[r[6]] = tuple(json.loads(r[6]))
            found.append(StoredResource(r[0], r[1], r[2], r[3], r[4], r[5], kinds))
        return found

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

    def _search_groups(self) -> Groups:
        if self._groups is None:
            found = self.rows("SELECT idx, grp, size FROM groups")
            self._groups = Groups({i: g for i, g, _ in found}, {i: n for i, _, n in found})
        return self._groups

    def find(
        self, words: Sequence[str], exact: str, group: str | None, offset: int, limit: int
    ) -> Found:
        """One page of hits for the folded query ``words``, grouped by kind
        (:func:`hamar_graph.pages.search_index.find`)."""
        return search_index.find(
            self.rows, self._search_groups(), words, exact, group, offset, limit
        )

    def word_terms(self, word: str) -> WordTerms:
        """The index's terms that start with ``word``, per column
        (:func:`hamar_graph.pages.search_index.word_terms`)."""
        return search_index.word_terms(self.rows, word)

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


#: The texts of some resources (a JSON array of ids), ``{holding}`` replaced by one
#: ``AND instr(folded, ?) > 0`` per word they must hold.
_TEXTS_SQL = (
    "SELECT rid, lang, text, folded FROM texts "
    "WHERE rid IN (SELECT value FROM json_each(?)){holding} ORDER BY rid, rowid"
)

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
