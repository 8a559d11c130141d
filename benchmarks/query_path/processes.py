"""Process trees and their memory: proportional set size (``Pss:`` of
``/proc/PID/smaps_rollup``) summed over a server and its children, by role."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _parents() -> dict[int, int]:
    """pid → parent pid of every process, from /proc/*/stat."""
    out: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces or parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        out[int(entry)] = int(fields[1])
    return out


def start_time(pid: int) -> str | None:
    """The start time of ``pid`` (field 22 of /proc/PID/stat): with the pid, an identity
    that a recycled pid does not share."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()[19]


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (those alive now)."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def pss_kib(pid: int) -> int:
    """Proportional set size of one process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rollup_kib(pid: int) -> dict[str, int]:
    """Every ``NAME: N kB`` line of /proc/PID/smaps_rollup."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, rest = line.partition(":")
            with contextlib.suppress(ValueError, IndexError):
                out[name] = int(rest.split()[0])
    return out


def process_role(pid: int, root: int) -> str:
    """What a process of a server's tree is, from its command line."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    if b"spawn_main" in cmdline:
        return "query process (multiprocessing spawn)"
    if FORK_SERVER in cmdline:
        return "query process (forked)" if _is_fork_child(pid) else "query fork server"
    if b"resource_tracker" in cmdline:
        return "multiprocessing resource tracker"
    if pid == root:
        return "root (server's main process)" if b"hamar-graph" in cmdline else "the server"
    return "child of the root (server worker)"


def memory_by_role(root: int) -> dict[str, dict[str, float]]:
    """PSS (anonymous and file-backed), private and RSS in MiB per kind of process."""
    roles: dict[str, dict[str, float]] = {}
    for pid in process_tree(root):
        rollup = rollup_kib(pid)
        if not rollup:
            continue
        role = roles.setdefault(
            process_role(pid, root),
            {
                "processes": 0,
                "pss": 0.0,
                "pss_anon": 0.0,
                "pss_file": 0.0,
                "private": 0.0,
                "rss": 0.0,
            },
        )
        role["processes"] += 1
        role["pss"] += rollup.get("Pss", 0) / 1024
        role["pss_anon"] += rollup.get("Pss_Anon", 0) / 1024
        role["pss_file"] += rollup.get("Pss_File", 0) / 1024
        role["private"] += (rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)) / 1024
        role["rss"] += rollup.get("Rss", 0) / 1024
    return roles


def tree_pss_mib(root: int) -> tuple[float, int]:
    """PSS summed over ``root``'s process tree in MiB, and the number of processes."""
    pids = process_tree(root)
    return sum(pss_kib(pid) for pid in pids) / 1024, len(pids)


class MemorySampler:
    """Samples a process tree's PSS in a background thread and keeps the peak."""

    def __init__(self, root: int, interval: float = 0.5) -> None:
        self.root = root
        self.interval = interval
        self.peak_mib = 0.0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> float:
        mib, count = tree_pss_mib(self.root)
        if mib > self.peak_mib:
            self.peak_mib, self.peak_processes = mib, count
        return mib

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def settle_pss(root: int, timeout: float = 20.0) -> tuple[float, int]:
    """PSS of the tree once it stops changing (within 1 % over two 1-s steps)."""
    deadline = time.monotonic() + timeout
    last, count = tree_pss_mib(root)
    steady = 0
    while time.monotonic() < deadline and steady < 2:
        time.sleep(1.0)
        now, count = tree_pss_mib(root)
        steady = steady + 1 if abs(now - last) <= 0.01 * max(last, 1.0) else 0
        last = now
    return last, count


#: The command line of our query processes' fork server (``python -m hamar_graph.sparql.procs``);
#: the query processes it forks share it.
FORK_SERVER = b"hamar_graph.sparql.procs"


def _is_fork_child(pid: int) -> bool:
    """Whether ``pid`` was forked by a query fork server (its parent has the same name)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        parent = int(stat[stat.rfind(")") + 2 :].split()[1])
        return FORK_SERVER in Path(f"/proc/{parent}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return False


def query_processes(root: int) -> int:
    """Query processes in our tree: multiprocessing children started with spawn (before
    issue 12), or the children of our query fork server."""
    count = 0
    for pid in process_tree(root):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline or (FORK_SERVER in cmdline and _is_fork_child(pid)):
            count += 1
    return count


def bin_path(name: str) -> str:
    """An executable next to this Python (the venv), else on PATH."""
    candidate = Path(sys.executable).with_name(name)
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: see benchmarks/README.md, 'Query path'")
    return found
