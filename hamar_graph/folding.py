"""Folding and sorting Norwegian text: what search and the index pages compare.

Both the pages (:mod:`hamar_graph.pages`) and ``build`` (which writes the search index,
:mod:`hamar_graph.build.pages_db`) fold text the same way, so this sits at the bottom
of the library, next to :mod:`hamar_graph.i18n`.

- :func:`normalise` folds text for search on both sides: ``Økt kunnskapsnivå`` and
  ``okt kunnskapsniva`` (and ``OKT KUNNSKAPSNIVAA``) give the same words;
- :func:`sort_key` sorts Norwegian text with æ, ø, å after z.
"""

from __future__ import annotations

import unicodedata

#: æ, ø, å sort after every other letter (code points above all of Latin).
_NB_ORDER = {"æ": "\U0010fff1", "ø": "\U0010fff2", "å": "\U0010fff3"}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NB_TABLE = str.maketrans(_NB_ORDER)


def sort_key(text: str) -> tuple[str, str]:
    """Sort key for Norwegian text: case-insensitive, æ ø å after z, é sorted as e."""
    lowered = text.casefold()
    if lowered.isascii():  # nothing to reorder or strip (most labels, every IRI)
        return lowered, text
    return _strip_accents(lowered.translate(_NB_TABLE)), text


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss", "œ": "oe"})


def normalise(text: str) -> str:
    """Fold text for search on both sides: lower case, æ→ae, ø→o, å→a, aa→a, no accents.

    >>> normalise("Økt kunnskapsnivå") == normalise("okt kunnskapsniva")
    True
    """
    folded = text.casefold().translate(_FOLD)
    if not folded.isascii():  # æ, ø and å are folded by now: most Norwegian text is ASCII
        folded = _strip_accents(folded)
    folded = folded.replace("aa", "a")
    return " ".join(folded.split())
