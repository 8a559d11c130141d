"""``benchmarks.lookup_threads`` runs on the session's build: every lookup it sends to the
app is answered 200 (it raises otherwise), both paths are measured at every thread count,
and each ratio is to the same path's one-thread rate. Behaviour only, no timing."""

from __future__ import annotations

import pytest

from benchmarks.lookup_threads import THREADS, measure, report, run
from hamar_graph.build.pipeline import BuildResult


def test_both_paths_at_every_thread_count(built: BuildResult) -> None:
    results = run(built.manifest_path.parent, total=32)
    paths = {name for name, _threads, _r in results}
    assert len(paths) == 2
    for name in paths:
        assert [t for n, t, _r in results if n == name] == list(THREADS)
    for _name, _threads, r in results:
        assert r["rate"] > 0  # (CPU time is counted in 10 ms ticks: too coarse here)
    table = report(results).splitlines()
    assert len(table) == 2 + 2 * len(THREADS)
    ones = [line for line in table if line.split("|")[2].strip() == "1"]
    assert len(ones) == 2 and all(line.rstrip(" |").endswith("1.00×") for line in ones)


def test_an_error_in_a_thread_reaches_the_caller() -> None:
    def failing() -> None:
        raise RuntimeError("the app answered 500")

    with pytest.raises(RuntimeError, match="500"):
        measure(failing, 4, 8)
