"""The report: Markdown tables, ratios to the Oxigraph server, targets and the machine."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.query_path.processes import bin_path


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table under a ``### title`` line."""

    def cell(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
        return str(value)

    def numeric(column: int) -> bool:
        values = [row[column] for row in rows if row[column] not in (None, "")]
        return bool(values) and all(
            isinstance(v, int | float) or (isinstance(v, str) and v.endswith("×")) for v in values
        )

    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if numeric(i) else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def ratio(ours: float | None, ref: float | None) -> float | None:
    if ours is None or ref is None or ref == 0:
        return None
    return ours / ref


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}×"


@dataclass
class Target:
    key: str  #: stable name, for --compare
    target: str
    measured: str
    holds: bool | None  #: None: not measured in this run

    def row(self) -> list[str]:
        verdict = {True: "yes", False: "**no**", None: "not measured"}[self.holds]
        return [self.target, self.measured, verdict]


@dataclass
class Run:
    """Everything measured, for the tables and the JSON."""

    args: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "args": self.args,
            "sections": self.sections,
            "targets": [
                {"key": t.key, "target": t.target, "measured": t.measured, "holds": t.holds}
                for t in self.targets
            ],
        }


def versions() -> dict[str, str]:
    def first_line(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except OSError as exc:
            return f"unavailable ({exc})"
        words = (done.stdout or done.stderr).strip().split()
        # "hamar-graph, version 0.1.0", "oxigraph 0.5.13", "wrk debian/4.1.0-3+b2 [epoll] ..."
        return words[2] if words[1:2] == ["version"] else words[1].split("/")[-1]

    return {
        "hamar-graph": first_line([bin_path("hamar-graph"), "--version"]),
        "oxigraph": first_line([bin_path("oxigraph"), "--version"]),
        "wrk": first_line([bin_path("wrk"), "--version"]),
        "python": sys.version.split()[0],
    }


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 2**20:.0f} GiB"
    return f"{os.cpu_count()} cores ({cpu}){mem}"
