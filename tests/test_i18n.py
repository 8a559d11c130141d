"""The one table of interface strings (hamar_graph/text.toml, read by hamar_graph.i18n).

Every key has both languages with the same placeholders; every key the templates and
the code ask for exists; nothing outside the table holds an nb/en pair any more.
"""

from __future__ import annotations

import ast
import re
import string
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from rdflib.namespace import OWL, SKOS

from hamar_graph import i18n
from hamar_graph.build.completeness import CATEGORIES
from hamar_graph.build.report import SEVERITIES
from hamar_graph.namespaces import PREFIXES
from hamar_graph.pages.gaps import CODES
from hamar_graph.pages.labels import kind_label, kinds, standard_labels
from hamar_graph.publication.vocabulary import PARTS
from tests.support.paths import ROOT

TEMPLATES = ROOT / "web" / "templates"
CODE_DIRS = (ROOT / "hamar_graph", ROOT / "web")


def _python_files() -> list[Path]:
    return sorted(
        p for d in CODE_DIRS for p in d.rglob("*.py") if "static" not in p.relative_to(d).parts
    )


def _entries() -> list[tuple[str, dict[str, str]]]:
    return [
        (f"{section}.{name}", entry)
        for section, names in i18n.table().items()
        for name, entry in names.items()
    ]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_languages() -> None:
    assert i18n.LANGUAGES == ("nb", "en")
    assert i18n.DEFAULT_LANGUAGE == "nb"


def test_every_key_has_both_languages_and_nothing_else() -> None:
    entries = _entries()
    assert len(entries) > 200
    for key, entry in entries:
        assert isinstance(entry, dict), key
        assert set(entry) == set(i18n.LANGUAGES), key
        for lang in i18n.LANGUAGES:
            assert isinstance(entry[lang], str), (key, lang)
            assert entry[lang].strip(), (key, lang)
            assert entry[lang] == entry[lang].strip(), (key, lang)


def test_placeholders_are_the_same_in_both_languages() -> None:
    for key, entry in _entries():
        assert _fields(entry["nb"]) == _fields(entry["en"]), key
        for lang in i18n.LANGUAGES:
            assert "" not in _fields(entry[lang]), f"{key}: positional placeholder"


def test_text_formats_and_falls_back_to_norwegian() -> None:
    assert i18n.text("page.home", "nb") == "Forside"
    assert i18n.text("page.home", "en") == "Home"
    assert i18n.text("page.home", "de") == "Forside"
    assert i18n.text("page.page_of", "en", page=2, pages=5) == "Page 2 of 5"
    assert i18n.text("page.page_of", "nb") == "Side {page} av {pages}"
    assert i18n.texts("page.home") == {"nb": "Forside", "en": "Home"}


def test_section_is_in_file_order_and_a_copy() -> None:
    kinds_section = i18n.section("kinds")
    assert next(iter(kinds_section)) == "dokument"
    kinds_section["dokument"]["nb"] = "endret"
    assert i18n.text("kinds.dokument", "nb") == "Dokumenter"
    assert kinds() == tuple(i18n.section("kinds"))


@pytest.mark.parametrize("key", ["page.no_such_key", "no_such_section.home", "page", ""])
def test_unknown_key_raises_key_error_naming_it(key: str) -> None:
    with pytest.raises(KeyError, match=re.escape(repr(key))):
        i18n.text(key, "nb")
    with pytest.raises(KeyError, match=re.escape(repr(key))):
        i18n.texts(key)


def test_unknown_section_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no_such_section"):
        i18n.section("no_such_section")


def test_the_table_is_package_data() -> None:
    assert resources.files("hamar_graph").joinpath("text.toml").is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "text.toml" in pyproject["tool"]["setuptools"]["package-data"]["hamar_graph"]


# -- every key the templates and the code use exists -----------------------------------------

#: ``t('section.name')`` or ``t("section.name")`` with a literal key.
_T_LITERAL = re.compile(r"""\bt\(\s*(['"])([^'"]*)\1\s*[,)]""")
#: Any ``t(`` call in a template.
_T_CALL = re.compile(r"\bt\(")
#: Calls whose key is built at render time, and the keys they can build.
_DYNAMIC_TEMPLATE_CALLS = {"t('page.col_' + code)": {f"page.col_{code}" for code in CODES}}

#: ``text("section.name"`` / ``texts("section.name"`` (also ``i18n.text(...)``) with a
#: literal key (an f-string key is checked by test_dynamic_key_families).
_TEXT_LITERAL = re.compile(r"""(?<![\w])texts?\(\s*(['"])([^'"{}]*)\1""")


def _template_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        literal_at = {m.start(): m.group(2) for m in _T_LITERAL.finditer(source)}
        for call in _T_CALL.finditer(source):
            where = str(path.relative_to(ROOT))
            if call.start() in literal_at:
                found.setdefault(literal_at[call.start()], set()).add(where)
                continue
            dynamic = next(
                (c for c in _DYNAMIC_TEMPLATE_CALLS if source.startswith(c, call.start())), None
            )
            assert dynamic is not None, f"{where}: t() with a key the test cannot read"
            for key in _DYNAMIC_TEMPLATE_CALLS[dynamic]:
                found.setdefault(key, set()).add(where)
    return found


def _code_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in _python_files():
        if path.name == "i18n.py":
            continue
        for match in _TEXT_LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(2), set()).add(str(path.relative_to(ROOT)))
    return found


def _missing(found: dict[str, set[str]]) -> list[str]:
    missing = []
    for key, where in sorted(found.items()):
        try:
            i18n.text(key, "nb")
        except KeyError:
            missing.append(f"{key} ({', '.join(sorted(where))})")
    return missing


def test_every_template_key_exists() -> None:
    found = _template_keys()
    assert len(found) > 150, "the scan finds the templates' t() calls"
    assert "page.search_hint" in found and "sparql.limits" in found
    assert "publication.distributions" in found
    assert _missing(found) == []


def test_every_code_key_exists() -> None:
    found = _code_keys()
    assert len(found) > 25, "the scan finds the code's text() calls"
    assert "page.not_found_rdf" in found and "validation.title" in found
    assert "catalog.catalogue_title" in found
    assert _missing(found) == []


def test_dynamic_key_families() -> None:
    """Keys the code builds with f-strings: every member of each family exists."""
    keys = [f"gaps.{code}" for code in CODES]
    keys += [f"completeness.{name}" for name, _sid, _kind in CATEGORIES]
    keys += [f"validation.{severity}" for severity in SEVERITIES]
    keys += [f"catalog.{part}_{what}" for part in PARTS for what in ("title", "description")]
    keys += [f"catalog.{part}_short" for part in PARTS]
    keys += [
        f"pictures.{name}_{what}"
        for name in ("tree", "map", "chart")
        for what in ("title", "description")
    ]
    keys += [f"kinds.{kind}" for kind in kinds()]
    assert _missing({key: {"f-string"} for key in keys}) == []


def test_kinds_and_standard_labels_come_from_the_table() -> None:
    assert kind_label("akse", "en") == "Axes"
    assert kind_label("no-such-kind", "nb") == "no-such-kind"
    labels = standard_labels()
    assert labels[SKOS.prefLabel] == {"nb": "navn", "en": "name"}
    assert labels[OWL.sameAs]["en"] == "same as"
    for name in i18n.section("terms"):
        prefix, _, local = name.partition(":")
        assert prefix in PREFIXES and local, name
    assert len(labels) == len(i18n.section("terms"))


# -- no nb/en pairs outside the table --------------------------------------------------------


def _pairs_in(path: Path) -> list[int]:
    """Lines of dict literals (``{"nb": ..., "en": ...}``, ``dict(nb=..., en=...)``) with
    both language keys."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        keys: set[object] = set()
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "dict"
        ):
            keys = {k.arg for k in node.keywords}
        if {"nb", "en"} <= keys:
            lines.append(node.lineno)
    return lines


def test_no_nb_en_dicts_outside_the_table() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in _python_files()
        if path != ROOT / "hamar_graph" / "i18n.py" and (lines := _pairs_in(path))
    }
    assert found == {}


def test_no_nb_en_dicts_in_templates() -> None:
    pair = re.compile(r"""['"]nb['"]\s*:.*['"]en['"]\s*:|['"]en['"]\s*:.*['"]nb['"]\s*:""")
    found = [
        str(path.relative_to(ROOT))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if pair.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_scan_finds_a_pair(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('X = {"nb": "ja", "en": "yes"}\nY = dict(en="no", nb="nei")\n')
    assert _pairs_in(sample) == [1, 2]
