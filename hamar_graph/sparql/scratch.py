"""The query pool's folder in the temporary directory, and the sweep of those left behind.

A pool keeps the N-Quads copy of in-memory data and its processes' logs in a folder of its
own. The pool removes it when it closes, its fork server when the server process is killed
(:mod:`hamar_graph.sparql.procs`), and a pool made later in the same pid namespace when the
whole process group was killed at once and nobody was left to.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile

#: A pool's folder in the temporary directory is ``hamar-sparql-{ns}-{pid}-{random}``: the
#: pid of the server process that made it and its pid namespace (``ns``; a container that
#: shares the temporary directory has its own), so that only this namespace's are swept.
FOLDER_PREFIX = "hamar-sparql-"
_OWNED = re.compile(re.escape(FOLDER_PREFIX) + r"(\d+)-(\d+)-")


def folder_prefix() -> str:
    """``hamar-sparql-{ns}-{pid}-`` for a pool made by this process."""
    return f"{FOLDER_PREFIX}{_pid_namespace()}-{os.getpid()}-"


def sweep_stale_folders(parent: str | None = None) -> list[str]:
    """Remove the folders of pools whose server process is gone (``parent``: the temporary
    directory); return them.

    A pool removes its folder when it closes, and its fork server when the server process
    is killed; when the whole process group is killed at once (``kill -9 -PGID``) nobody is
    left to, so the next pool made in this pid namespace does it.
    """
    parent = parent or tempfile.gettempdir()
    namespace = _pid_namespace()
    removed = []
    with contextlib.suppress(OSError):
        for name in os.listdir(parent):
            owned = _OWNED.match(name)
            if owned is None or owned.group(1) != namespace or _alive(int(owned.group(2))):
                continue
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
            removed.append(name)
    return removed


def _pid_namespace() -> str:
    try:  # "pid:[4026531836]"
        return os.readlink("/proc/self/ns/pid").partition("[")[2].rstrip("]") or "0"
    except OSError:
        return "0"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


__all__ = ["FOLDER_PREFIX", "folder_prefix", "sweep_stale_folders"]
