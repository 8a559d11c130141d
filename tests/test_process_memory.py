"""Capping glibc's malloc arenas (``HAMAR_GRAPH_MALLOC_ARENAS``), seen through glibc's own
count of them."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from hamar_graph.config import PROJECT_ROOT
from hamar_graph.process_memory import limit_malloc_arenas

#: Eight threads alive at once, each allocating blocks that glibc's malloc serves (over
#: Python's own 512-byte allocator); then glibc prints one "Arena N:" block per arena.
ARENAS_SCRIPT = """
import ctypes, sys, threading
from hamar_graph.process_memory import limit_malloc_arenas
print(limit_malloc_arenas(int(sys.argv[1])), flush=True)
together = threading.Barrier(8)
def allocate():
    together.wait()
    kept = [bytes(4096) for _ in range(200)]
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(None).malloc_stats()
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_malloc_arenas_are_capped() -> None:
    def arenas(cap: int) -> tuple[str, int]:
        done = subprocess.run(
            [sys.executable, "-c", ARENAS_SCRIPT, str(cap)],
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
        )
        return done.stdout.strip(), done.stderr.count("Arena ")

    # Without a cap each of the eight threads gets an arena of its own (glibc allows
    # eight per core).
    said, uncapped = arenas(0)
    assert said == "False" and uncapped > 2
    assert arenas(2) == ("True", 2)


def test_zero_leaves_glibc_alone() -> None:
    assert limit_malloc_arenas(0) is False
