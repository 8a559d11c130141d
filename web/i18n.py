"""The pages' own words in Norwegian (bokmål) and English, and the language choice.

The language is ``?lang=nb|en`` when given (the visible switch sets it and
every internal link keeps it), else the best match of ``Accept-Language``
(``no``/``nn`` count as Norwegian), else Norwegian.
"""

from __future__ import annotations

from flask import Request

from hamar_graph.pages.labels import DEFAULT_LANGUAGE, LANGUAGES

_ALIASES = {"nb": "nb", "no": "nb", "nn": "nb", "nb-no": "nb", "en": "en"}


def choose_language(request: Request) -> tuple[str, bool]:
    """The page language and whether the user chose it explicitly (``?lang=``)."""
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in LANGUAGES:
        return asked, True
    best = request.accept_languages.best_match(["nb", "no", "nn", "en"])
    if best:
        return _ALIASES.get(best.lower(), DEFAULT_LANGUAGE), False
    return DEFAULT_LANGUAGE, False


STRINGS: dict[str, dict[str, str]] = {
    "site": {
        "nb": "Hamar kommune: internasjonal strategi",
        "en": "Hamar kommune: international strategy",
    },
    "skip": {"nb": "Hopp til hovedinnholdet", "en": "Skip to main content"},
    "nav": {"nb": "Hovedmeny", "en": "Main menu"},
    "home": {"nb": "Forside", "en": "Home"},
    "axes": {"nb": "Akser", "en": "Axes"},
    "action_plan": {"nb": "Handlingsplanen", "en": "The action plan"},
    "actors": {"nb": "Aktører", "en": "Actors"},
    "institutions": {
        "nb": "Institusjoner og samarbeidspartnere",
        "en": "Institutions and partners",
    },
    "twin_cities": {"nb": "Vennskapsbyer", "en": "Twin cities"},
    "register": {"nb": "Alt innhold", "en": "All content"},
    "ontology": {"nb": "Ontologi", "en": "Ontology"},
    "completeness": {"nb": "Fullstendighet", "en": "Completeness"},
    "sparql": {"nb": "SPARQL", "en": "SPARQL"},
    "catalogue": {"nb": "Datakatalog", "en": "Data catalogue"},
    "void": {"nb": "Datasettbeskrivelse (VoID)", "en": "Dataset description (VoID)"},
    "search": {"nb": "Søk", "en": "Search"},
    "search_label": {"nb": "Søk i strategien", "en": "Search the strategy"},
    "search_button": {"nb": "Søk", "en": "Search"},
    "search_results": {"nb": "Søkeresultater", "en": "Search results"},
    "search_none": {"nb": "Ingen treff.", "en": "No results."},
    "search_hint": {
        "nb": "Søk i navn og tekster på norsk og engelsk. Du kan skrive æ, ø og å som ae, o og a.",
        "en": "Search names and texts in Norwegian and English. You may type æ, ø and å as "
        "ae, o and a.",
    },
    "hits": {"nb": "treff", "en": "results"},
    "switch_to": {"nb": "English", "en": "Norsk"},
    "switch_label": {"nb": "Språk", "en": "Language"},
    "type": {"nb": "Type", "en": "Type"},
    "text": {"nb": "Tekst", "en": "Text"},
    "properties": {"nb": "Opplysninger", "en": "Details"},
    "property": {"nb": "Egenskap", "en": "Property"},
    "value": {"nb": "Verdi", "en": "Value"},
    "incoming": {"nb": "Lenker hit", "en": "Incoming links"},
    "incoming_intro": {
        "nb": "Disse ressursene viser til denne siden.",
        "en": "These resources refer to this page.",
    },
    "resource": {"nb": "Ressurs", "en": "Resource"},
    "relation": {"nb": "Sammenheng", "en": "Relation"},
    "breadcrumb": {"nb": "Brødsmulesti", "en": "Breadcrumb"},
    "source": {"nb": "Kilde i dokumentet", "en": "Source in the document"},
    "source_intro": {"nb": "Hentet fra", "en": "Taken from"},
    "external": {"nb": "Andre kilder", "en": "Elsewhere"},
    "warnings": {"nb": "Mangler i planen", "en": "Gaps in the plan"},
    "formats": {"nb": "Last ned som data", "en": "Download as data"},
    "iri": {"nb": "Identifikator (IRI)", "en": "Identifier (IRI)"},
    "strategy_intro": {
        "nb": "Hamar kommunes internasjonale strategi sier hvordan kommunen skal arbeide "
        "internasjonalt: ett overordnet mål, fem akser med mål og hovedstrategi, og en "
        "handlingsplan for 2015–2019 med mål og tiltak. Her er hele dokumentet som lenkede "
        "data: hver akse, hvert mål, hvert tiltak, hver aktør og hver vennskapsby har sin "
        "egen side.",
        "en": "Hamar kommune's international strategy says how the municipality will work "
        "internationally: one overall goal, five axes with goals and main strategies, and an "
        "action plan for 2015–2019 with goals and measures. Here is the whole document as "
        "linked data: every axis, goal, measure, actor and twin city has its own page.",
    },
    "read_document": {"nb": "Les dokumentet", "en": "Read the document"},
    "the_axes": {"nb": "De fem aksene", "en": "The five axes"},
    "axis": {"nb": "Akse", "en": "Axis"},
    "goal": {"nb": "Mål", "en": "Goal"},
    "main_strategy": {"nb": "Hovedstrategi", "en": "Main strategy"},
    "key_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "explore": {"nb": "Utforsk", "en": "Explore"},
    "pictures": {"nb": "Strategien i bilder", "en": "The strategy in pictures"},
    "as_text": {"nb": "Som tekst", "en": "As text"},
    "measures": {"nb": "Tiltak", "en": "Measures"},
    "no_measures": {"nb": "ingen tiltak", "en": "no measures"},
    "place": {"nb": "Sted", "en": "Place"},
    "country": {"nb": "Land", "en": "Country"},
    "coordinates": {"nb": "Koordinater", "en": "Coordinates"},
    "home_town": {"nb": "hjembyen", "en": "home town"},
    "area": {"nb": "Ansvarsområde", "en": "Area of responsibility"},
    "responsible": {"nb": "Ansvarlig", "en": "Responsible"},
    "open_data": {"nb": "Åpne data", "en": "Open data"},
    "count": {"nb": "Antall", "en": "Count"},
    "page_of": {"nb": "Side {page} av {pages}", "en": "Page {page} of {pages}"},
    "showing": {
        "nb": "Viser {first}–{last} av {total}",
        "en": "Showing {first}–{last} of {total}",
    },
    "prev": {"nb": "Forrige side", "en": "Previous page"},
    "next": {"nb": "Neste side", "en": "Next page"},
    "pagination": {"nb": "Sider", "en": "Pages"},
    "other_things": {"nb": "Annet", "en": "Other"},
    "kinds": {"nb": "Alt innhold etter type", "en": "All content by kind"},
    "classes": {"nb": "Klasser", "en": "Classes"},
    "properties_onto": {"nb": "Egenskaper", "en": "Properties"},
    "definition": {"nb": "Definisjon", "en": "Definition"},
    "domain": {"nb": "Gjelder for (domene)", "en": "Domain"},
    "range": {"nb": "Verdi (verdiområde)", "en": "Range"},
    "subclass_of": {"nb": "Underklasse av", "en": "Subclass of"},
    "subproperty_of": {"nb": "Underegenskap av", "en": "Subproperty of"},
    "equivalent": {"nb": "Tilsvarer", "en": "Equivalent to"},
    "inverse": {"nb": "Invers av", "en": "Inverse of"},
    "narrower": {"nb": "Mer spesifikke", "en": "More specific"},
    "version": {"nb": "Versjon", "en": "Version"},
    "whole_ontology": {"nb": "Hele ontologien", "en": "The whole ontology"},
    "completeness_title": {"nb": "Hva planen mangler", "en": "What the plan lacks"},
    "completeness_intro": {
        "nb": "Handlingsplanen har kolonner for ansvar og kostnad. Tabellene viser for hver "
        "akse hvilke mål som mangler tiltak, og hvilke mål og tiltak som mangler ansvarlig "
        "aktør eller kostnad, slik valideringsreglene (SHACL) melder det. Et merke betyr at "
        "opplysningen mangler.",
        "en": "The action plan has columns for responsibility and cost. For each axis, the "
        "tables show which goals lack a measure, and which goals and measures lack a "
        "responsible actor or a cost, as the validation rules (SHACL) report it. A mark "
        "means the information is missing.",
    },
    "totals": {"nb": "Totalt", "en": "Totals"},
    "measure": {"nb": "Tiltak", "en": "Measure"},
    "col_no-measure": {"nb": "Tiltak", "en": "Measure"},
    "col_no-responsible": {"nb": "Ansvarlig aktør", "en": "Responsible actor"},
    "col_no-cost": {"nb": "Kostnad", "en": "Cost"},
    "missing": {"nb": "mangler", "en": "missing"},
    "present": {"nb": "finnes", "en": "present"},
    "not_applicable": {"nb": "gjelder ikke", "en": "not applicable"},
    "goals_of_axis": {"nb": "Mål i handlingsplanen", "en": "Action-plan goals"},
    "measures_of_axis": {"nb": "Tiltak", "en": "Measures"},
    "not_found": {"nb": "Fant ikke siden", "en": "Page not found"},
    "not_found_text": {
        "nb": "Vi har ingen side for denne adressen. Prøv å søke, eller gå til forsiden.",
        "en": "We have no page at this address. Try searching, or go to the home page.",
    },
    "licence": {
        "nb": "Data: Norsk lisens for offentlige data (NLOD) 2.0.",
        "en": "Data: Norwegian Licence for Open Government Data (NLOD) 2.0.",
    },
    "translation_note": {
        "nb": "Engelsk tekst er redaksjonell oversettelse.",
        "en": "English text is an editorial translation; the Norwegian text is the source.",
    },
}


def translate(key: str, lang: str, **values: object) -> str:
    """The UI string ``key`` in ``lang`` (Norwegian if missing), formatted with ``values``."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
