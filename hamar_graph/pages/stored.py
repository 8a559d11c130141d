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
from hamar_graph.build.pages_db import FORMAT, LANGUAGES, WEIGHTS

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

    def texts(self, ids: Iterable[int]) -> dict[int, list[tuple[str, str | None]]]:
        """Resource id → its texts (value, language), for snippets."""
        out: dict[int, list[tuple[str, str | None]]] = {}
        chosen = json.dumps(sorted(set(ids)))
        for rid, lang, text in self.rows(
            "SELECT rid, lang, text FROM texts WHERE rid IN (SELECT value FROM json_each(?)) "
            "ORDER BY rid, rowid",
            (chosen,),
        ):
            out.setdefault(rid, []).append((text, lang))
        return out

    # --- search --------------------------------------------------------------------

    def search_groups(self, match: str, exact: str) -> list[tuple[str, int]]:
        """``(group, hits)`` of every group with hits for the FTS5 expression ``match``,
        best group first (the group of the best hit first; see :meth:`search`)."""
        return [
            (g, int(n)) for g, n, _tier, _score in self.rows(_GROUPS_SQL, _params(match, exact))
        ]

    def search(
        self, match: str, exact: str, lang: str, group: str | None, offset: int, limit: int
    ) -> list[int]:
        """Ids of one page of hits for the FTS5 expression ``match``, grouped by kind.

        Within a group: hits whose label is the query (``exact``, folded) first, then hits
        whose kind or type the query names (``vennskapsby`` lists the twin cities), then
        hits whose labels hold every word, then the rest, each by BM25 rank (labels weigh
        most, then alternative names, kind names, texts), then label and IRI. Groups
        follow each other in the order of their best hit.
        """
        params = {
            **_params(match, exact),
            "group": group,
            "limit": limit,
            "offset": offset,
        }
        sql = _SEARCH_SQL[(lang if lang in _SORT else LANGUAGES[0], group is not None)]
        found = self.rows(sql, params)
        return [int(r[0]) for r in found]

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

    def has_strategy(self, iri: str) -> bool:
        return bool(self.rows("SELECT 1 FROM strategies WHERE iri = ?", (iri,)))


assert WEIGHTS == (10.0, 6.0, 3.0, 1.0), "the weights below are the build's"

#: The hits of one FTS5 expression (named parameters: ``exact``, the folded query as
#: ``|query|``; ``label`` and ``kind``, the expression on the labels or on the kind and
#: type names alone; ``match``), with the tier (0: a label is the whole query, 1: the
#: query names the resource's kind or type, 2: every word is in the labels, 3: elsewhere)
#: and the BM25 score (lower is better).
_HITS = """
matched AS MATERIALIZED (
  SELECT rowid AS id, bm25(search, 10.0, 6.0, 3.0, 1.0) AS score
  FROM search WHERE search MATCH :match
),
in_label AS MATERIALIZED (SELECT rowid AS id FROM search WHERE search MATCH :label),
in_kind AS MATERIALIZED (SELECT rowid AS id FROM search WHERE search MATCH :kind),
hits AS (
  SELECT r.id AS id, r.iri AS iri, r.grp AS grp, r.sort_nb AS sort_nb, r.sort_en AS sort_en,
         CASE WHEN instr(r.folded_labels, :exact) > 0 THEN 0
              WHEN m.id IN (SELECT id FROM in_kind) THEN 1
              WHEN m.id IN (SELECT id FROM in_label) THEN 2
              ELSE 3 END AS tier,
         m.score AS score
  FROM matched AS m JOIN resources r ON r.id = m.id
)
"""


#: Columns of a resource, in the order :class:`StoredResource` takes them, per language.
_SELECT_RESOURCES = {
    lang: "".join(
        ["SELECT id, iri, kind, grp, label_", lang, ", lang_", lang, ", types FROM resources"]
    )
    for lang in LANGUAGES
}

#: The groups with hits, best first.
_GROUPS_SQL = "".join(
    [
        "WITH ",
        _HITS,
        "SELECT grp, count(*), min(tier), min(score) FROM hits GROUP BY grp\n",
        "ORDER BY min(tier), min(score), grp",
    ]
)

#: One page of hits: (page language, limited to one group) → SQL.
_SEARCH_SQL = {
    (lang, one_group): "".join(
        [
            "WITH ",
            _HITS,
            "SELECT id FROM (\n",
            "  SELECT id, grp, tier, score, ",
            _SORT[lang],
            " AS sort, iri,\n",
            "         min(tier) OVER (PARTITION BY grp) AS gtier,\n",
            "         min(score) OVER (PARTITION BY grp) AS gscore\n",
            "  FROM hits",
            " WHERE grp = :group" if one_group else "",
            "\n) ORDER BY gtier, gscore, grp, tier,\n",
            "  CASE WHEN tier <= 1 THEN 0 ELSE score END, sort, iri\n",
            "LIMIT :limit OFFSET :offset",
        ]
    )
    for lang in LANGUAGES
    for one_group in (False, True)
}


def _params(match: str, exact: str) -> dict[str, str]:
    return {
        "exact": exact,
        "label": f"label : ({match})",
        "kind": f"kind : ({match})",
        "match": match,
    }


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
