"""The tokenizer of SPARQL texts that the guard and the bounded lane share: it follows the
SPARQL 1.1 grammar's terminals (strings, IRIs, comments, variables, names), so that a
keyword inside a string, an IRI or a comment is never taken for one. Linear in the text.

.. versionadded:: 0.2
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)


_VAR_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"


_PN_CHARS = _VAR_CHARS + "\\-"


_LEXER_PATTERN = r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<long1>'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')
  | (?P<long2>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\")
  | (?P<str1>'(?:[^'\\\n\r]|\\.)*')
  | (?P<str2>"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][VAR]*)
  | (?P<word>(?:[PN:]|\\.)(?:[PN.:%]|\\.)*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
"""


LEXER = re.compile(
    _LEXER_PATTERN.replace("VAR", _VAR_CHARS).replace("PN", _PN_CHARS), re.VERBOSE | re.DOTALL
)


def lex(text: str) -> Iterable[tuple[str, str]]:
    """Yield every (kind, value) token of ``text`` but whitespace: ``iri``, ``var``,
    ``word`` (keywords, prefixed names, numbers), ``str1``/``str2``/``long1``/``long2``,
    ``comment``, ``open``, ``close`` and ``other`` (one character)."""
    for m in LEXER.finditer(text):
        kind = m.lastgroup or "other"
        if kind != "ws":
            yield kind, m.group()


def words(text: str) -> Iterable[tuple[str, str]]:
    """Yield (kind, value) tokens, skipping whitespace and comments (a string or an IRI is
    one token, so nothing inside it is read as a keyword)."""
    for m in LEXER.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        yield kind, m.group()


__all__ = ["LEXER", "lex", "words"]
