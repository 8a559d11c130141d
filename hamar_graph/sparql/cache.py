"""Answers kept by what they answer: the data is read-only, so a query's answer is
fixed by its text, its dataset, its format, the row cap and the data version.

:class:`AnswerCache` is a thread-safe LRU bounded by the bytes of the bodies it holds,
and of the compressed copy of each that a client asked for (:meth:`AnswerCache.compressed`).
The endpoint keys it with :func:`answer_key` and stores only answers that depend on the
data alone (no ``NOW()``, ``RAND()`` ... : :func:`hamar_graph.sparql.cache.deterministic`),
never errors, and never answers of a remote engine (whose data can change under us).

.. versionadded:: 0.2
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

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

    :param max_bytes: the bodies, their compressed copies and a small overhead per entry
        kept at most; 0 keeps nothing. A single answer larger than a quarter of it is not
        kept.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, QueryOutcome] = OrderedDict()
        #: the key of each kept outcome, and the compressed body of some, by the outcome's
        #: ``id``: an id names one object only while the entry holds it, and both are
        #: forgotten with the entry
        self._keys: dict[int, Hashable] = {}
        self._compressed: dict[int, bytes] = {}
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
                self._forget(old)
            self._entries[key] = outcome
            self._keys[id(outcome)] = key
            self._bytes += cost
            self._shrink()

    def _shrink(self) -> None:
        """Forget the least recently used answers until the bytes fit (under the lock)."""
        while self._bytes > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self._forget(dropped)

    def _forget(self, outcome: QueryOutcome) -> None:
        """Take a dropped entry's bytes off the count (under the lock)."""
        self._bytes -= len(outcome.body) + ENTRY_OVERHEAD
        self._bytes -= len(self._compressed.pop(id(outcome), b""))
        self._keys.pop(id(outcome), None)

    def _holds(self, outcome: QueryOutcome) -> bool:
        """Whether an entry holds this very object (under the lock)."""
        key = self._keys.get(id(outcome))
        return key is not None and self._entries.get(key) is outcome

    def compressed(self, outcome: QueryOutcome, compress: Callable[[bytes], bytes]) -> bytes:
        """``compress(outcome.body)``, made once for an answer this cache keeps (every
        client that asks for the same coding of it gets the same bytes); an answer it does
        not keep is compressed each time. The copy counts towards the cache's bytes.

        .. versionadded:: 0.2
        """
        with self._lock:
            held = self._holds(outcome)
            kept = self._compressed.get(id(outcome)) if held else None
        if kept is not None:
            return kept
        body = compress(outcome.body)
        if held:
            with self._lock:
                # still kept, and not compressed meanwhile by another thread
                if id(outcome) not in self._compressed and self._holds(outcome):
                    self._compressed[id(outcome)] = body
                    self._bytes += len(body)
                    self._shrink()
        return body
