"""What the pages compute once per app: ontology labels, the plan's gaps, the resource
index, and the completeness pages made from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from hamar_graph.build.completeness import PlanGaps, plan_gaps
from hamar_graph.build.validate import validate_dataset
from hamar_graph.config import Settings
from hamar_graph.pages.gaps import CompletenessPage
from hamar_graph.pages.ontology_doc import Vocabulary, load_vocabulary
from hamar_graph.pages.search import ResourceIndex, build_index
from hamar_graph.publication.release import dataset_from_store
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


def validated_gaps(store: Store, settings: Settings) -> PlanGaps:
    """The plan's gaps of the data in ``store``: its named graphs validated with the
    project's shapes (pyshacl), for an app that has no ``build`` output to read them from."""
    dataset = dataset_from_store(store)
    return plan_gaps(validate_dataset(dataset, settings), dataset)


def site_data(store: Store, settings: Settings, gaps: PlanGaps | None = None) -> SiteData:
    """Read the ontology's labels and the resource index from ``store``.

    :param gaps: the plan's gaps as ``build`` stored them; validated here when ``None``.
    """
    base = settings.base_iri
    return SiteData(
        load_vocabulary(store, base),
        gaps if gaps is not None else validated_gaps(store, settings),
        build_index(store, base),
    )
