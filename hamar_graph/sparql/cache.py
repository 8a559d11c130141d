"""Answers kept by what they answer: the data is read-only, so a query's answer is
fixed by its text, its dataset, its format, the row cap and the data version.

:class:`AnswerCache` is a thread-safe LRU bounded by the bytes of the bodies it holds.
The endpoint keys it with :func:`answer_key` and stores only answers that depend on the
data alone (no ``NOW()``, ``RAND()`` ... : :func:`hamar_graph.sparql.cache.deterministic`),
never errors, and never answers of a remote engine (whose data can change under us).

.. versionadded:: 0.2
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable

from hamar_graph.sparql.worker import QueryOutcome

#: SPARQL functions whose result changes from one run to the next.
_NONDETERMINISTIC = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)

#: Bytes counted per entry besides its body (key, outcome, bookkeeping).
ENTRY_OVERHEAD = 512


def deterministic(query: str) -> bool:
    """Whether ``query``'s answer depends only on the data (no ``NOW()``, ``RAND()``,
    ``UUID()``, ``STRUUID()`` or ``BNODE()``)."""
    return not _NONDETERMINISTIC.search(query)


def answer_key(
    data_version: str,
    query: str,
    default_graphs: tuple[str, ...],
    named_graphs: tuple[str, ...],
    tabular_format: str | None,
    graph_format: str | None,
    max_rows: int,
    base_iri: str | None,
) -> Hashable:
    """What an answer depends on."""
    return (
        data_version,
        query,
        default_graphs,
        named_graphs,
        tabular_format,
        graph_format,
        max_rows,
        base_iri,
    )


class AnswerCache:
    """A thread-safe LRU of :class:`~hamar_graph.sparql.worker.QueryOutcome`\\ s.

    :param max_bytes: the bodies (and a small overhead per entry) kept at most; 0 keeps
        nothing. A single answer larger than a quarter of it is not kept.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, QueryOutcome] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._bytes

    def get(self, key: Hashable) -> QueryOutcome | None:
        """The answer kept for ``key``, or None."""
        with self._lock:
            outcome = self._entries.get(key)
            if outcome is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return outcome

    def put(self, key: Hashable, outcome: QueryOutcome) -> None:
        """Keep ``outcome`` (a 200) under ``key``, forgetting the least recently used."""
        cost = len(outcome.body) + ENTRY_OVERHEAD
        if outcome.status != 200 or cost > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body) + ENTRY_OVERHEAD
            self._entries[key] = outcome
            self._bytes += cost
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body) + ENTRY_OVERHEAD
