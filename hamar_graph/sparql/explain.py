"""Predeclared prefixes, and syntax errors in words.

The endpoint declares the project's prefixes (:data:`hamar_graph.namespaces.PREFIXES`,
as the CLI does) for every query that does not declare them itself: they go on one line
before the query (:func:`hamar_graph.query.run.with_prologue`), so the query's own lines
move down by exactly one, which :func:`explain` takes back.

Oxigraph's parser reports an undeclared prefix as ``error at 1:31: expected one of
Prefix not found, ['%'], ['-' | '0' ..= '9' …`` followed by lines of Unicode ranges, and
never names the prefix. :func:`explain` turns such a message into a sentence that names
the problem, with the line and column in the query as the user wrote it, and keeps the
engine's message (with the same position) to show below it.

.. versionadded:: 0.2
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hamar_graph import i18n
from hamar_graph.sparql.lexer import LEXER

_POSITION = re.compile(r"error at (\d+):(\d+)")

_PNAME = re.compile(
    r"(?<![\w<?$])((?:[A-Za-z\u00c0-\U000effff][\w.\-\u00b7\u0300-\u036f\u203f-\u2040]*)?:)"
    r"[^\s;,(){}\[\]<>\"']*"
)

_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


_USED = re.compile(r"(?<![\w.\-:])([A-Za-z][\w.\-]*)?:(?!//)")


def predeclare(query: str, prefixes: Mapping[str, str]) -> tuple[str, int]:
    """``query`` with a ``PREFIX`` declaration for each of ``prefixes`` that it seems to
    use (a ``name:`` in its text) and does not declare itself, all on one line, and the
    number of lines added before it (0 or 1). Declaring only what is used keeps the
    common query (full IRIs) as it is, so the engine parses nothing more."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(query)}
    used = {m.group(1) or "" for m in _USED.finditer(query)}
    missing = [
        f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items() if p in used and p not in declared
    ]
    if not missing:
        return query, 0
    return " ".join(missing) + "\n" + query, 1


@dataclass(frozen=True)
class SyntaxProblem:
    """A syntax error, placed in the query as its author wrote it."""

    line: int
    column: int
    engine: str  #: the engine's own message, its position moved to the author's text
    prefix: str | None = None  #: the undeclared prefix (``foo:``), when that is the problem

    def describe(self, lang: str) -> str:
        """One sentence that names the problem, with line and column, in ``lang``."""
        if self.prefix is not None:
            return i18n.text(
                "sparql.unknown_prefix",
                lang,
                prefix=self.prefix,
                line=self.line,
                column=self.column,
            )
        return i18n.text("sparql.syntax_error", lang, line=self.line, column=self.column)

    def message(self, lang: str = "en") -> str:
        """The sentence, then the engine's message."""
        return f"{self.describe(lang)}\n\n{i18n.text('sparql.engine_said', lang)} {self.engine}"


def explain(
    engine_message: str,
    query: str,
    lines_added: int = 0,
    predeclared: Mapping[str, str] | None = None,
) -> SyntaxProblem | None:
    """Read Oxigraph's syntax error for ``query`` (the text as its author wrote it, before
    ``lines_added`` lines were put in front of it); None when the message has no position.

    An undeclared prefix is named whether or not the engine says so: Oxigraph reports
    ``Prefix not found`` at the prefixed name in some places of the grammar and only an
    unexpected token in others.
    """
    found = _POSITION.search(engine_message)
    if found is None:
        return None
    line, column = int(found.group(1)) - lines_added, int(found.group(2))
    if line < 1:  # inside our own declarations: cannot happen for a valid prologue
        return None
    engine = engine_message.replace(found.group(0), f"error at {line}:{column}", 1)
    prefix = None
    if "Prefix not found" in engine_message:
        prefix = _prefix_at(query, line, column)
    if prefix is None:
        first = _first_undeclared(query, predeclared or {})
        if first is not None:
            prefix, line, column = first
    return SyntaxProblem(line, column, engine, prefix)


def _first_undeclared(query: str, predeclared: Mapping[str, str]) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix neither the query nor ``predeclared``
    declares: (``foo:``, line, column). Names are found by the guard's tokenizer, so
    strings, IRIs and comments are skipped."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(query)} | set(predeclared)
    after_prefix = False
    for m in LEXER.finditer(query):
        kind, value = m.lastgroup, m.group()
        if kind != "word":
            continue
        if value.upper() == "PREFIX":
            after_prefix = True
            continue
        if after_prefix:  # the name being declared
            after_prefix = False
            continue
        if ":" not in value:
            continue
        name = value.split(":", 1)[0]
        if name not in declared and not name.startswith("_"):
            line = query.count("\n", 0, m.start()) + 1
            column = m.start() - (query.rfind("\n", 0, m.start()) + 1) + 1
            return f"{name}:", line, column
    return None


def _prefix_at(query: str, line: int, column: int) -> str | None:
    """The prefixed name's prefix (``foo:``) that ends at or around ``line``:``column``
    (Oxigraph points just after the colon, or at the name)."""
    lines = query.split("\n")
    if line > len(lines):
        return None
    text = lines[line - 1]
    # Columns count characters from 1; look at the name that contains or ends at it.
    at = min(max(column - 1, 0), len(text))
    best = None
    for match in _PNAME.finditer(text):
        if match.start() <= at <= match.end():
            best = match.group(1)
    return best
