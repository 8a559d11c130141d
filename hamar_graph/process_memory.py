"""The process's C library, and what a long-running process does about glibc's malloc:
cap its arenas.

glibc gives each thread that allocates an arena of its own while there are fewer than
eight per core; an arena reserves 64 MiB of address space and keeps the memory freed in
it. ``serve`` has tens of request threads, and a query process has the engine's threads:
uncapped, a query process on a 1.4M-triple store reserved 770 MiB of address space at
rest (most of its 1,024 MiB cap, ``HAMAR_GRAPH_QUERY_MEMORY_MB``, and sometimes more, so
it failed to start), and the server process kept memory no request used. Both call
:func:`limit_malloc_arenas` with ``HAMAR_GRAPH_MALLOC_ARENAS`` before their threads start.

.. versionadded:: 0.2
"""

from __future__ import annotations

import ctypes
from typing import Any

#: mallopt's parameter for the most arenas (glibc's malloc.h).
M_ARENA_MAX = -8


def libc() -> Any:
    """This process's C library (with ``errno``), or ``None`` when it cannot be loaded."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no libc
        return None


def limit_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` in this process and those it forks; ``False``
    when not capped (``arenas`` is 0, or the C library is not glibc)."""
    mallopt = getattr(libc(), "mallopt", None) if arenas > 0 else None
    if mallopt is None:  # off, or no mallopt: not glibc
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))
