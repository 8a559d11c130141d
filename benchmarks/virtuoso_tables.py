"""The report of :mod:`benchmarks.virtuoso_compare`: Markdown headings, lines and tables.

Each line is printed as soon as it is made (a run takes a while) and kept for
``--markdown``; :attr:`Report.data` keeps the measurements for ``--json``. Also the
stopwatch the timings use and the short text a table gives for two answers that differ.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from benchmarks.virtuoso_answers import Comparison


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.data: dict[str, Any] = {}

    def h(self, title: str) -> None:
        self.lines += ["", f"## {title}", ""]
        print(f"\n## {title}\n", flush=True)

    def p(self, text: str = "") -> None:
        self.lines.append(text)
        print(text, flush=True)

    def table(self, header: list[str], rows: Iterable[Iterable[object]]) -> None:
        self.p("| " + " | ".join(header) + " |")
        self.p("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            cells = [str(c).replace("|", "\\|").replace("\n", " ") for c in row]
            self.p("| " + " | ".join(cells) + " |")


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    began = time.monotonic()
    value = fn()
    return value, time.monotonic() - began


def _diff_text(c: Comparison) -> str:
    parts = []
    if c.note:
        parts.append(c.note)
    if c.only_left:
        parts.append("only oxigraph: " + "; ".join(c.only_left[:3]))
    if c.only_right:
        parts.append("only virtuoso: " + "; ".join(c.only_right[:3]))
    return " ".join(parts)[:700]
