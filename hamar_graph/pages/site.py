"""What the pages compute once per app: ontology labels, the plan's gaps, the resource
index, and the completeness pages made from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from hamar_graph.pages.gaps import CompletenessPage, PlanGaps, plan_gaps
from hamar_graph.pages.ontology_doc import Vocabulary, load_vocabulary
from hamar_graph.pages.search import ResourceIndex, build_index
from hamar_graph.store import Store


@dataclass
class SiteData:
    """What the pages compute once per app.

    .. versionadded:: 0.1
    """

    vocab: Vocabulary
    gaps: PlanGaps
    index: ResourceIndex
    completeness: dict[str, CompletenessPage] = field(default_factory=dict)


def site_data(store: Store, base: str) -> SiteData:
    """Read the ontology's labels, the plan's gaps and the resource index from ``store``."""
    return SiteData(load_vocabulary(store, base), plan_gaps(store), build_index(store, base))
