"""Finding one page of search hits in the pages' database's full-text index (SQLite FTS5,
written by :mod:`hamar_graph.build.pages_db`), with every group's number of hits.

Every hit has a tier: 0 when a label is the whole query, 1 when the query names its kind or
type (``vennskapsby`` for the twin cities), 2 when the labels or alternative names hold
every word, 3 when only its texts do. Each tier is an FTS5 expression of its own
(``exact : …``, ``kind : (…) NOT …``, …) whose hits are counted per group inside SQLite;
the page is read with ``LIMIT``/``OFFSET`` on a range of row ids (a row id tells a hit's
group and its place in the group's label order, :data:`~hamar_graph.build.pages_db.GROUP_SHIFT`).

What keeps the counts cheap as the graph grows (each measured at 356 strategies,
``benchmarks/README.md``):

- every word is written as the index's own terms that start with it, for each tier those
  of the tier's columns (:func:`word_terms`; ``terms`` in the database), not as a prefix
  query that FTS5 would set up again for every column filter it appears in; a tier whose
  columns hold no such term is left out;
- a tier whose hits are likely in one group is counted without SQLite's ``GROUP BY`` sort
  when its first and last hit share a group;
- when the query names the kind of whole groups and of nothing else (``vennskapsby``:
  every twin city, ``kind_terms`` in the database), those groups' hits are counted from
  the groups' sizes, and the text-only tier reads the row ids around those groups only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hamar_graph.build.pages_db import GROUP_SHIFT, WEIGHTS

#: Runs one SQL query on the pages' database and returns its rows.
Rows = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

#: Groups with at most this many text-only hits have them ranked by BM25.
RANKED = 500

#: A search word that starts more terms than this in a column is searched as a prefix.
MAX_TERMS = 40

#: The columns of the full-text index (:data:`~hamar_graph.build.pages_db.SCHEMA`).
COLUMNS = ("label", "alt", "kind", "body", "exact")

#: Terms that start with a word, per column: ``None`` when the word is searched as a prefix.
WordTerms = dict[str, tuple[str, ...]] | None


@dataclass(frozen=True)
class Found:
    """What a search found: every group with its number of hits (best first), the
    total (of the chosen group, if one is), and the ids of one page of hits."""

    groups: tuple[tuple[str, int], ...]
    total: int
    ids: tuple[int, ...]


@dataclass(frozen=True)
class Groups:
    """The search groups of the database: index → name and index → size."""

    names: dict[int, str]
    sizes: dict[int, int]


def prefix_term(word: str) -> str:
    """``word`` as a quoted FTS5 prefix term (a word with a hyphen, ``twin-city``, is a
    phrase), so no character of it is FTS5 syntax."""
    return '"' + word.replace('"', '""') + '"*'


def word_terms(rows: Rows, word: str) -> WordTerms:
    """Column → the terms of the index in that column that start with ``word`` (a folded
    query word); ``None`` when ``word`` is no single term of the index's alphabet
    (``twin-city``) or starts too many terms (:data:`MAX_TERMS` in a column): then it is
    searched as a prefix."""
    if not _TERM.fullmatch(word):
        return None
    found_rows = rows(_TERMS_SQL, (word, word + "\U0010ffff", _MAX_TERM_ROWS + 1))
    if len(found_rows) > _MAX_TERM_ROWS:
        return None
    found: dict[str, list[str]] = {}
    for term, column in found_rows:
        found.setdefault(column, []).append(term)
    if any(len(terms) > MAX_TERMS for terms in found.values()):
        return None
    return {column: tuple(terms) for column, terms in found.items()}


def find(
    rows: Rows,
    groups: Groups,
    words: Sequence[str],
    exact: str,
    group: str | None,
    offset: int,
    limit: int,
) -> Found:
    """One page of hits for the folded query ``words`` (``exact``: the query as one token,
    :func:`~hamar_graph.build.pages_db.exact_token`), grouped by kind.

    Groups come in the order of their best tier, then in the order of
    :func:`~hamar_graph.build.pages_db.group_order`; within a group, by tier, then by
    Norwegian label (the row ids' order), except that the text-only hits of a group with at
    most :data:`RANKED` of them are ranked by BM25 (labels weigh most, then alternative
    names, kind names, texts). ``group`` limits the page to one group (by name).
    """
    found = [word_terms(rows, w) for w in words]
    tiers = _Tiers.of(rows, groups, words, found, exact)
    if tiers is None:
        return Found((), 0, ())
    counts = tiers.counts()
    by_group = {g: [c.get(g, 0) for c in counts] for g in set().union(*counts)}
    best = {g: next(t for t in range(4) if n[t]) for g, n in by_group.items()}
    order = sorted(best, key=lambda g: (best[g], g))
    listed = tuple((groups.names[g], sum(by_group[g])) for g in order)
    chosen = [g for g in order if group is None or groups.names[g] == group]
    total = sum(sum(by_group[g]) for g in chosen)
    ids: list[int] = []
    skip = offset
    for g in chosen:
        for tier, count in enumerate(by_group[g]):
            if len(ids) >= limit:
                break
            if skip >= count:
                skip -= count
                continue
            want = min(limit - len(ids), count - skip)
            ids += tiers.slice(tier, g, count, skip, want)
            skip = 0
    return Found(listed, total, tuple(ids))


@dataclass(frozen=True)
class _Tiers:
    """The four tiers of one query: their FTS5 expressions, and the groups every
    resource of which the query names by kind (``named``: their tier 1 is the group less
    the tier-0 hits, the other tiers leave them out, and as the query's kind terms are in
    no other group, tiers 2 and 3 need no ``NOT kind : …``)."""

    rows: Rows
    groups: Groups
    expressions: tuple[str | None, str | None, str | None, str | None]
    named: frozenset[int] = frozenset()
    whole_ids: tuple[int, ...] = ()

    @classmethod
    def of(
        cls,
        rows: Rows,
        groups: Groups,
        words: Sequence[str],
        found: Sequence[WordTerms],
        exact: str,
    ) -> _Tiers | None:
        match = _expression(words, found, COLUMNS)
        if match is None:
            return None
        whole = f'exact : "{exact or "_"}"'
        kind = _within("kind", _expression(words, found, ("kind",)))
        label = _within("{label alt}", _expression(words, found, ("label", "alt")))
        named = _named_groups(rows, found) if kind is not None else None
        if named:
            whole_ids = tuple(r for (r,) in rows(_IDS_SQL, (whole,)))
            return cls(
                rows,
                groups,
                (whole, None, _without(label, whole), _without(match, label, whole)),
                frozenset(named),
                whole_ids,
            )
        return cls(
            rows,
            groups,
            (
                whole,
                _without(kind, whole),
                _without(label, kind, whole),
                _without(match, label, kind, whole),
            ),
        )

    def counts(self) -> list[dict[int, int]]:
        """Group → hits, for each tier."""
        if not self.named:
            return [
                _counts(self.rows, e, one_group_likely=t < 2)
                for t, e in enumerate(self.expressions)
            ]
        in_whole = Counter(r >> GROUP_SHIFT for r in self.whole_ids)
        named_hits = {g: self.groups.sizes[g] - in_whole.get(g, 0) for g in self.named}
        labels = _counts(self.rows, self.expressions[2])
        return [
            dict(in_whole),
            {g: n for g, n in named_hits.items() if n},
            {g: n for g, n in labels.items() if g not in self.named},
            _counts(self.rows, self.expressions[3], within=_outside(self.named)),
        ]

    def slice(self, tier: int, group: int, count: int, skip: int, want: int) -> list[int]:
        """``want`` hits of ``tier`` in ``group`` after the first ``skip``: by BM25 rank for
        the text-only hits of a group with at most :data:`RANKED` of them, else in row-id
        (label) order."""
        low, high = group << GROUP_SHIFT, ((group + 1) << GROUP_SHIFT) - 1
        if tier == 1 and group in self.named:
            found = self.rows(_NAMED_SLICE_SQL, (low, high, json.dumps(self.whole_ids), want, skip))
            return [r for (r,) in found]
        expression = self.expressions[tier]
        assert expression is not None, "a tier with hits has an expression"
        sql = _RANKED_SQL if tier == 3 and count <= RANKED else _SLICE_SQL
        return [r for (r,) in self.rows(sql, (expression, low, high, want, skip))]


def _named_groups(rows: Rows, found: Sequence[WordTerms]) -> set[int] | None:
    """The groups every resource of which holds, for every word, one of its terms in the
    ``kind`` column, when the kind terms of the query occur in no other group; else
    ``None`` (the kind tier is then counted from the index)."""
    anywhere: set[int] | None = None
    everywhere: set[int] | None = None
    for by_column in found:
        terms = by_column.get("kind", ()) if by_column is not None else ()
        if not terms:
            return None
        held = rows(_KIND_GROUPS_SQL, (json.dumps(list(terms)),))
        some = {int(g) for g, _ in held}
        every = {int(g) for g, all_of_them in held if all_of_them}
        anywhere = some if anywhere is None else anywhere & some
        everywhere = every if everywhere is None else everywhere & every
    if anywhere is None or everywhere is None or anywhere != everywhere:
        return None
    return everywhere


def _counts(
    rows: Rows,
    expression: str | None,
    *,
    one_group_likely: bool = False,
    within: list[tuple[int, int]] | None = None,
) -> dict[int, int]:
    """Group → hits of an FTS5 expression, counted inside SQLite (no row reaches Python),
    only those in the row-id ranges ``within`` when it is given (FTS5 reads no hit outside
    them). Grouping sorts the hits (SQLite does not know that the row ids come in group
    order), which costs as much again as counting them; so when the hits are likely in one
    group (a label that is the whole query, a kind the query names), they are counted first
    without it, and grouped only when they span groups."""
    if expression is None:
        return {}
    if within is not None:
        counted: Counter[int] = Counter()
        for low, high in within:
            for g, n in rows(_COUNT_WITHIN_SQL, (expression, low, high)):
                counted[int(g)] += int(n)
        return dict(counted)
    if one_group_likely:
        ((count, low, high),) = rows(_SPAN_SQL, (expression,))
        if not count:
            return {}
        if low >> GROUP_SHIFT == high >> GROUP_SHIFT:
            return {int(low) >> GROUP_SHIFT: int(count)}
    return {int(g): int(n) for g, n in rows(_COUNT_SQL, (expression,))}


def _outside(groups: frozenset[int]) -> list[tuple[int, int]]:
    """The row-id ranges between and around ``groups``."""
    ranges, low = [], 0
    for g in sorted(groups):
        if g << GROUP_SHIFT > low:
            ranges.append((low, (g << GROUP_SHIFT) - 1))
        low = (g + 1) << GROUP_SHIFT
    ranges.append((low, _LAST_ROWID))
    return ranges


def _expression(
    words: Sequence[str], found: Sequence[WordTerms], columns: tuple[str, ...]
) -> str | None:
    """Every word as the index's terms in ``columns`` that start with it (``("a" OR
    "ab")``), or as a prefix where :func:`word_terms` gave none; ``None`` when a word
    starts no term in these columns (nothing there can match)."""
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


#: What a search word must be to be looked up in ``terms``: one token of the index.
_TERM = re.compile(r"[a-z0-9_]+")

#: Rows of ``terms`` read for one word at most.
_MAX_TERM_ROWS = MAX_TERMS * len(COLUMNS)

#: The terms that start with a word (``term >= word AND term < word + U+10FFFF``).
_TERMS_SQL = "SELECT term, col FROM terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?"

#: The groups that hold some of the kind terms (a JSON array), and whether one of them is
#: held by every resource of the group.
_KIND_GROUPS_SQL = (
    "SELECT grp, max(every) FROM kind_terms "
    "WHERE term IN (SELECT value FROM json_each(?)) GROUP BY grp"
)

#: Hits of one group (a range of row ids), best BM25 rank first (the column weights are
#: :data:`~hamar_graph.build.pages_db.WEIGHTS`), as many as asked from an offset.
_RANKED_SQL = """
SELECT rowid FROM search WHERE search MATCH ? AND rowid BETWEEN ? AND ?
ORDER BY bm25(search, 10.0, 6.0, 3.0, 1.0, 0.0) LIMIT ? OFFSET ?
"""
assert WEIGHTS == (10.0, 6.0, 3.0, 1.0, 0.0), "the weights above are the build's"

#: Hits of one group in row-id (Norwegian label) order, as many as asked from an offset.
_SLICE_SQL = """
SELECT rowid FROM search WHERE search MATCH ? AND rowid BETWEEN ? AND ?
ORDER BY rowid LIMIT ? OFFSET ?
"""

#: The resources of one group but some (a JSON array), in label order, from an offset.
_NAMED_SLICE_SQL = """
SELECT id FROM resources WHERE id BETWEEN ? AND ?
AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ? OFFSET ?
"""

#: The row ids of the hits of an FTS5 expression.
_IDS_SQL = "SELECT rowid FROM search WHERE search MATCH ?"

#: Hits per group of one FTS5 expression (32 is :data:`GROUP_SHIFT`).
_COUNT_SQL = "SELECT rowid >> 32, count(*) FROM search WHERE search MATCH ? GROUP BY 1"

#: The same, in one range of row ids.
_COUNT_WITHIN_SQL = (
    "SELECT rowid >> 32, count(*) FROM search WHERE search MATCH ? "
    "AND rowid BETWEEN ? AND ? GROUP BY 1"
)

#: The largest row id SQLite allows.
_LAST_ROWID = 2**63 - 1

#: Hits of one FTS5 expression, and their first and last row ids.
_SPAN_SQL = "SELECT count(*), min(rowid), max(rowid) FROM search WHERE search MATCH ?"
assert GROUP_SHIFT == 32
