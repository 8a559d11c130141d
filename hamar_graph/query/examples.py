"""The gallery of example queries shown on the query page.

Each example is a file ``hamar_graph/query/gallery/NN-slug.rq`` whose first
comment lines give its title and description in Norwegian (bokmål) and English::

    # title@nb: Tiltak som tjener mer enn ett mål
    # title@en: Measures that serve more than one goal
    # description@nb: ...
    # description@en: ...
    #   (an indented comment line continues the previous field)
    PREFIX hms: <https://data.hamar.kommune.no/def/>
    SELECT ...

The whole file, comments included, is the query a user sees and runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: The fields every example must have.
FIELDS: tuple[str, ...] = ("title@nb", "title@en", "description@nb", "description@en")


_FIELD = re.compile(r"^#\s*(title|description)@(nb|en):\s*(.*)$")


_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")


class ExampleError(ValueError):
    """An example file lacks a field or cannot be read; the message names the file."""


@dataclass(frozen=True)
class Example:
    """One example query.

    .. versionadded:: 0.1
    """

    slug: str  #: file name without number and extension: ``measures-serving-several-goals``
    title_nb: str
    title_en: str
    description_nb: str
    description_en: str
    query: str  #: the file's whole text

    def title(self, lang: str) -> str:
        """The title in ``lang`` (``nb`` or ``en``)."""
        return self.title_en if lang == "en" else self.title_nb

    def description(self, lang: str) -> str:
        """The description in ``lang`` (``nb`` or ``en``)."""
        return self.description_en if lang == "en" else self.description_nb


def parse_example(name: str, text: str) -> Example:
    """Read an example from its file name and text.

    :raises ExampleError: when a title or description is missing.
    """
    fields: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _FIELD.match(line)
        if match:
            last = f"{match.group(1)}@{match.group(2)}"
            fields[last] = match.group(3).strip()
            continue
        cont = _CONTINUATION.match(line)
        if cont and last:
            fields[last] = f"{fields[last]} {cont.group(1).strip()}"
    missing = [f for f in FIELDS if not fields.get(f)]
    if missing:
        raise ExampleError(f"{name}: missing {', '.join(missing)} in the leading comments")
    stem = name.rsplit(".", 1)[0]
    slug = re.sub(r"^\d+-", "", stem)
    return Example(
        slug,
        fields["title@nb"],
        fields["title@en"],
        fields["description@nb"],
        fields["description@en"],
        text if text.endswith("\n") else text + "\n",
    )


@lru_cache(maxsize=1)
def load_examples() -> tuple[Example, ...]:
    """All examples, in file-name order.

    :raises ExampleError: when a file is incomplete.
    """
    folder = resources.files("hamar_graph") / "query" / "gallery"
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".rq")), key=lambda e: e.name
    )
    return tuple(parse_example(f.name, f.read_text(encoding="utf-8")) for f in files)


def get_example(slug: str) -> Example:
    """The example called ``slug``.

    :raises KeyError: when there is none.
    """
    for example in load_examples():
        if example.slug == slug:
            return example
    raise KeyError(slug)
