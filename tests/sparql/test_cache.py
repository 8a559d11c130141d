"""The answer cache (hamar_graph.sparql.cache): an LRU bounded by the bytes it holds, that
keeps only successful answers, and keeps the compressed copy of an answer it holds once a
client asked for it, counted in its bytes and forgotten with the answer."""

from __future__ import annotations

import gzip

from hamar_graph.sparql.cache import ENTRY_OVERHEAD, AnswerCache, deterministic
from hamar_graph.sparql.worker import QueryOutcome


def _outcome(body: bytes, status: int = 200) -> QueryOutcome:
    return QueryOutcome(status, "SELECT", "json", body)


class Counting:
    """gzip that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: bytes) -> bytes:
        self.calls += 1
        return gzip.compress(data, mtime=0)


def test_the_least_recently_used_answer_goes_first() -> None:
    cache = AnswerCache(4 * (1000 + ENTRY_OVERHEAD))
    for key in "abcd":
        cache.put(key, _outcome(key.encode() * 1000))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("e", _outcome(b"e" * 1000))
    assert cache.get("b") is None and cache.get("a") is not None
    assert len(cache) == 4 and cache.size == 4 * (1000 + ENTRY_OVERHEAD)


def test_errors_and_answers_over_a_quarter_are_not_kept() -> None:
    cache = AnswerCache(4 * (1000 + ENTRY_OVERHEAD))
    cache.put("error", _outcome(b"x", status=400))
    cache.put("large", _outcome(b"x" * 2000))
    assert cache.get("error") is None and cache.get("large") is None
    assert cache.size == 0


def test_a_kept_answer_is_compressed_once_and_counted() -> None:
    cache = AnswerCache(10 * 2**20)
    outcome = _outcome(b'{"head":{"vars":["p"]}}' * 200)
    cache.put("k", outcome)
    before = cache.size
    compress = Counting()
    first = cache.compressed(outcome, compress)
    again = cache.compressed(cache.get("k"), compress)  # type: ignore[arg-type]
    assert first is again and compress.calls == 1
    assert gzip.decompress(first) == outcome.body
    assert cache.size == before + len(first)


def test_an_answer_not_kept_is_compressed_each_time() -> None:
    cache = AnswerCache(10 * 2**20)
    cache.put("k", _outcome(b"kept" * 100))
    other = _outcome(b"kept" * 100)  # equal, but not the object the cache holds
    compress = Counting()
    cache.compressed(other, compress)
    cache.compressed(other, compress)
    assert compress.calls == 2
    assert cache.size == 400 + ENTRY_OVERHEAD


def test_the_copy_is_forgotten_with_its_answer() -> None:
    size = 2000 + ENTRY_OVERHEAD
    cache = AnswerCache(4 * size + 200)
    first = _outcome(bytes(range(256)) * 8)  # 2,048 bytes that do not compress well
    cache.put("first", first)
    copy = cache.compressed(first, Counting())
    assert cache.size == len(first.body) + ENTRY_OVERHEAD + len(copy)
    for key in "abcd":  # push the first answer out
        cache.put(key, _outcome(key.encode() * 1900))
    assert cache.get("first") is None
    assert cache.size == 4 * (1900 + ENTRY_OVERHEAD)
    compress = Counting()
    cache.compressed(first, compress)  # no longer held: not kept again
    assert compress.calls == 1 and cache.size == 4 * (1900 + ENTRY_OVERHEAD)


def test_a_replaced_answer_takes_its_copy_with_it() -> None:
    cache = AnswerCache(10 * 2**20)
    old = _outcome(b"old" * 300)
    cache.put("k", old)
    cache.compressed(old, Counting())
    new = _outcome(b"new" * 300)
    cache.put("k", new)
    assert cache.size == len(new.body) + ENTRY_OVERHEAD
    compress = Counting()
    assert gzip.decompress(cache.compressed(new, compress)) == new.body
    assert compress.calls == 1


def test_what_is_deterministic() -> None:
    assert deterministic("SELECT * WHERE { ?s ?p ?o }")
    assert not deterministic("SELECT (NOW() AS ?t) WHERE {}")
    assert not deterministic("SELECT (rand ( ) AS ?r) WHERE {}")
